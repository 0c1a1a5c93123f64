package io.tandem.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The transport's own answers to RFC 4475 requests it cannot accept. */
class MalformedAnswerTest {
  private static final InetSocketAddress SOURCE = new InetSocketAddress("192.0.2.95", 5060);

  private static String answer(String file) throws IOException {
    try (InputStream in = MalformedAnswerTest.class.getResourceAsStream("/rfc4475/" + file)) {
      ParseResult.Malformed m = (ParseResult.Malformed)
          new SipParser(ParserLimits.DEFAULTS).parseDatagram(in.readAllBytes());
      return new String(MalformedAnswer.of(m, SOURCE).orElseThrow().octets(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void unsupportedRequireGets420ListingTheTags() throws IOException {
    String a = answer("bext01.dat");
    assertTrue(a.startsWith("SIP/2.0 420 "), a);
    assertTrue(a.contains("\r\nUnsupported: nothingSupportsThis, nothingSupportsThisEither\r\n"), a);
    assertTrue(a.contains("\r\nCSeq: 8 OPTIONS\r\n"), a);
  }

  @Test
  void missingHeadersStillGetA400WithWhatWasRead() throws IOException {
    String a = answer("insuf.dat");
    assertTrue(a.startsWith("SIP/2.0 400 Missing From, To, Call-ID\r\n"), a);
    assertTrue(a.contains("\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\r\n"), a);
    assertTrue(a.contains("\r\nCSeq: 193942 INVITE\r\n"), a);
    assertFalse(a.contains("From:"), a);
    assertTrue(a.endsWith("\r\nContent-Length: 0\r\n\r\n"), a);
  }

  /** RFC 4475 section 3.1.2.1: the Via itself is broken, and still the answer is a 400. */
  @Test
  void anUnreadableViaIsEchoedAndTheAnswerGoesToTheSource() throws IOException {
    try (InputStream in = MalformedAnswerTest.class.getResourceAsStream("/rfc4475/badinv01.dat")) {
      ParseResult.Malformed m = (ParseResult.Malformed)
          new SipParser(ParserLimits.DEFAULTS).parseDatagram(in.readAllBytes());
      MalformedAnswer.Answer answer = MalformedAnswer.of(m, SOURCE).orElseThrow();
      String a = new String(answer.octets(), StandardCharsets.UTF_8);
      assertTrue(a.startsWith("SIP/2.0 400 Invalid Via"), a);
      assertTrue(a.contains("\r\nVia: SIP/2.0/UDP 192.0.2.15;;,;,,\r\n"), a);
      assertNull(answer.topVia(), "routed to the source address, not by the Via");
    }
  }

  @Test
  void aMalformedAckGetsNoAnswer() {
    String ack = "ACK sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bK1\r\n"
        + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: x\r\n"
        + "CSeq: 1 ACK\r\nMax-Forwards: bad\r\nContent-Length: 0\r\n\r\n";
    ParseResult r = new SipParser(ParserLimits.DEFAULTS)
        .parseDatagram(ack.getBytes(StandardCharsets.US_ASCII));
    assertTrue(MalformedAnswer.of((ParseResult.Malformed) r, SOURCE).isEmpty());
  }
}
