package io.tandem.sip.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.tandem.sip.message.SipMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Messages and helpers shared by the codec tests: the RFC 4475 torture corpus, sample messages as
 * CRLF text, and the assertions every test makes on a parsed message.
 */
final class CodecFixtures {
  private CodecFixtures() {}

  /** An SDP offer (RFC 4566), as sent in the INVITE. */
  static final String SDP_OFFER = crlf("""
      v=0
      o=alice 2890844526 2890844526 IN IP4 192.0.2.10
      s=-
      c=IN IP4 192.0.2.10
      t=0 0
      m=audio 49170 RTP/AVP 0 8
      a=rtpmap:0 PCMU/8000
      a=rtpmap:8 PCMA/8000
      """);

  /** The SDP answer, as sent in the 200 OK. */
  static final String SDP_ANSWER = crlf("""
      v=0
      o=bob 2808844564 2808844564 IN IP4 192.0.2.20
      s=-
      c=IN IP4 192.0.2.20
      t=0 0
      m=audio 3456 RTP/AVP 0
      a=rtpmap:0 PCMU/8000
      """);

  /** Head of an INVITE without Content-Length and without the empty line. */
  static final String INVITE_HEAD = crlf("""
      INVITE sip:bob@biloxi.example.com SIP/2.0
      Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9
      Max-Forwards: 70
      From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
      To: Bob <sip:bob@biloxi.example.com>
      Call-ID: 3848276298220188511@atlanta.example.com
      CSeq: 1 INVITE
      Contact: <sip:alice@client.atlanta.example.com;transport=tcp>
      Content-Type: application/sdp
      """);

  /** Head of the 200 OK to {@link #INVITE_HEAD}. */
  static final String OK_HEAD = crlf("""
      SIP/2.0 200 OK
      Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101
      From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
      To: Bob <sip:bob@biloxi.example.com>;tag=8321234356
      Call-ID: 3848276298220188511@atlanta.example.com
      CSeq: 1 INVITE
      Contact: <sip:bob@client.biloxi.example.com;transport=tcp>
      Content-Type: application/sdp
      """);

  /** Head of an OPTIONS request, which has no body. */
  static final String OPTIONS_HEAD = crlf("""
      OPTIONS sip:carol@chicago.example.com SIP/2.0
      Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877
      Max-Forwards: 70
      To: <sip:carol@chicago.example.com>
      From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
      Call-ID: a84b4c76e66710
      CSeq: 63104 OPTIONS
      Contact: <sip:alice@pc33.atlanta.example.com>
      Accept: application/sdp
      """);

  /**
   * The valid RFC 4475 messages whose Content-Length matches their body, so that they can be
   * framed on a stream (dblreq and inv2543 are datagram-only cases).
   */
  static final List<String> FRAMEABLE_CORPUS =
      List.of("wsinv", "intmeth", "esc01", "escnull", "esc02", "lwsdisp", "longreq", "semiuri",
          "transports", "mpart01", "unreason", "noreason");

  /** Replaces each LF by CRLF: SIP lines end in CRLF (RFC 3261 section 7). */
  static String crlf(String text) {
    return text.replace("\n", "\r\n");
  }

  /** The octets of {@code text}, one per char (ISO-8859-1), so control octets stay as written. */
  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** {@code head} (header fields ending in CRLF), Content-Length of {@code body}, the empty line, the body. */
  static String withBody(String head, String body) {
    return head + "Content-Length: " + bytes(body).length + "\r\n\r\n" + body;
  }

  /** {@code head}, the empty line and the body, with no Content-Length. */
  static String withoutContentLength(String head, String body) {
    return head + "\r\n" + body;
  }

  static String invite() {
    return withBody(INVITE_HEAD, SDP_OFFER);
  }

  static String ok() {
    return withBody(OK_HEAD, SDP_ANSWER);
  }

  static String options() {
    return withBody(OPTIONS_HEAD, "");
  }

  /** A file of the RFC 4475 corpus, byte for byte, from the classpath. */
  static byte[] corpus(String name) {
    String path = "/rfc4475/" + name + ".dat";
    try (InputStream in = CodecFixtures.class.getResourceAsStream(path)) {
      assertNotNull(in, "missing test resource " + path);
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  static SipParser defaultParser() {
    return new SipParser(ParserLimits.DEFAULTS);
  }

  /** Asserts {@code result} is Parsed and returns its message. */
  static SipMessage parsed(ParseResult result) {
    return assertInstanceOf(ParseResult.Parsed.class, result).message();
  }

  /** Asserts {@code result} is Malformed and returns it. */
  static ParseResult.Malformed malformed(ParseResult result) {
    return assertInstanceOf(ParseResult.Malformed.class, result);
  }

  /** The message in {@code datagram}, which must parse with the default limits. */
  static SipMessage parseDatagram(byte[] datagram) {
    return parsed(defaultParser().parseDatagram(datagram));
  }

  /** Asserts that rendering {@code message} and parsing the octets gives {@code message} back. */
  static void assertRoundTrips(SipMessage message) {
    byte[] rendered = SipRenderer.renderBytes(message);
    ParseResult again = defaultParser().parseDatagram(rendered);
    assertEquals(message, parsed(again), "parse(render(m)) differs from m");
  }

  /**
   * Takes every result the framer has until it answers NeedMoreData (or repeats a lost-framing
   * Malformed), each Parsed as its message and anything else as the result itself.
   */
  static List<Object> drain(SipStreamFramer framer) {
    List<Object> out = new ArrayList<>();
    while (true) {
      ParseResult r = framer.next();
      if (r instanceof ParseResult.NeedMoreData) {
        return out;
      }
      out.add(r instanceof ParseResult.Parsed ? ((ParseResult.Parsed) r).message() : r);
      if (r instanceof ParseResult.Malformed && ((ParseResult.Malformed) r).framingLost()) {
        return out;
      }
      if (out.size() > 10_000) {
        throw new AssertionError("framer does not come to NeedMoreData: " + framer);
      }
    }
  }
}
