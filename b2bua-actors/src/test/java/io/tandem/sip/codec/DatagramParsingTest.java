package io.tandem.sip.codec;

import static io.tandem.sip.codec.CodecFixtures.INVITE_HEAD;
import static io.tandem.sip.codec.CodecFixtures.OPTIONS_HEAD;
import static io.tandem.sip.codec.CodecFixtures.SDP_OFFER;
import static io.tandem.sip.codec.CodecFixtures.assertRoundTrips;
import static io.tandem.sip.codec.CodecFixtures.bytes;
import static io.tandem.sip.codec.CodecFixtures.concat;
import static io.tandem.sip.codec.CodecFixtures.corpus;
import static io.tandem.sip.codec.CodecFixtures.crlf;
import static io.tandem.sip.codec.CodecFixtures.invite;
import static io.tandem.sip.codec.CodecFixtures.malformed;
import static io.tandem.sip.codec.CodecFixtures.ok;
import static io.tandem.sip.codec.CodecFixtures.options;
import static io.tandem.sip.codec.CodecFixtures.parseDatagram;
import static io.tandem.sip.codec.CodecFixtures.parsed;
import static io.tandem.sip.codec.CodecFixtures.withBody;
import static io.tandem.sip.codec.CodecFixtures.withoutContentLength;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Datagram mode (UDP, RFC 3261 section 18.3): one message per datagram, Content-Length bounds
 * the body and its absence means the rest of the datagram; malformed octets give a Malformed
 * result to answer (requests) or drop (responses), never an exception.
 */
class DatagramParsingTest {
  private final SipParser parser = CodecFixtures.defaultParser();

  // ---- Content-Length in a datagram (RFC 3261 section 18.3) ----

  @Test
  void octetsAfterContentLengthAreIgnored() {
    byte[] datagram = corpus("dblreq");

    ParseResult.Parsed p = assertInstanceOf(ParseResult.Parsed.class, parser.parseDatagram(datagram));
    SipRequest register = assertInstanceOf(SipRequest.class, p.message());
    assertEquals(Method.REGISTER, register.method());
    assertEquals("dblreq.0ha0isndaksdj99sdfafnl3lk233412", register.callId());
    assertEquals(0, register.bodyLength());
    assertEquals(datagram.length, p.consumed(), "the whole datagram is used up");
    assertRoundTrips(register);
  }

  static Stream<Arguments> withoutContentLengthCases() {
    byte[] inv2543 = corpus("inv2543");
    String text = new String(inv2543, StandardCharsets.ISO_8859_1);
    String inv2543Body = text.substring(text.indexOf("\r\n\r\n") + 4);
    return Stream.of(
        Arguments.of("RFC 4475 inv2543 (RFC 2543 style INVITE)", inv2543, inv2543Body),
        Arguments.of("INVITE with SDP", bytes(withoutContentLength(INVITE_HEAD, SDP_OFFER)),
            SDP_OFFER),
        Arguments.of("OPTIONS without body", bytes(withoutContentLength(OPTIONS_HEAD, "")), ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("withoutContentLengthCases")
  void withoutContentLengthTheBodyIsTheRestOfTheDatagram(
      String name, byte[] datagram, String body) {
    SipMessage m = parsed(parser.parseDatagram(datagram));

    assertEquals(body.length(), m.bodyLength());
    assertArrayEquals(bytes(body), m.body());
    assertRoundTrips(m);
  }

  static Stream<Arguments> contentLengthTooLarge() {
    return Stream.of(
        Arguments.of("RFC 4475 clerr (9999 announced)", corpus("clerr")),
        Arguments.of("INVITE one octet short",
            bytes(withBody(INVITE_HEAD, SDP_OFFER)
                .replace("Content-Length: " + SDP_OFFER.length(),
                    "Content-Length: " + (SDP_OFFER.length() + 1)))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("contentLengthTooLarge")
  void contentLengthLargerThanTheDatagramIsRefused(String name, byte[] datagram) {
    ParseResult.Malformed m = malformed(parser.parseDatagram(datagram));

    assertEquals(400, m.status());
    assertEquals(HeaderName.CONTENT_LENGTH, m.header());
    assertTrue(m.answerable(), "a request whose core headers were read gets its 400");
  }

  // ---- CRLF keep-alives and leading CRLFs ----

  static Stream<Arguments> onlyCrlfs() {
    return Stream.of(
        Arguments.of("one CRLF", "\r\n"),
        Arguments.of("double CRLF", "\r\n\r\n"),
        Arguments.of("five CRLFs", "\r\n".repeat(5)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("onlyCrlfs")
  void datagramOfOnlyCrlfsIsAKeepAlive(String name, String datagram) {
    ParseResult.KeepAlive k =
        assertInstanceOf(ParseResult.KeepAlive.class, parser.parseDatagram(bytes(datagram)));
    assertEquals(datagram.length(), k.consumed());
  }

  @Test
  void leadingCrlfsBeforeAMessageAreSkipped() {
    byte[] datagram = bytes("\r\n\r\n\r\n" + invite());

    ParseResult.Parsed p = assertInstanceOf(ParseResult.Parsed.class, parser.parseDatagram(datagram));
    assertEquals(parseDatagram(bytes(invite())), p.message());
    assertEquals(datagram.length, p.consumed());
    assertRoundTrips(p.message());
  }

  // ---- incomplete heads ----

  static Stream<Arguments> noEmptyLine() {
    String optionsHead = OPTIONS_HEAD;
    String okHead = CodecFixtures.OK_HEAD;
    return Stream.of(
        Arguments.of("request head ends in one CRLF", optionsHead, true),
        Arguments.of("request head ends without CRLF",
            optionsHead.substring(0, optionsHead.length() - 2), true),
        Arguments.of("request start line only", "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n",
            true),
        Arguments.of("response head ends in one CRLF", okHead, false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("noEmptyLine")
  void noEmptyLineAfterTheHeadersIsRefused(String name, String datagram, boolean request) {
    ParseResult.Malformed m = malformed(parser.parseDatagram(bytes(datagram)));

    assertEquals(400, m.status());
    assertEquals(request, m.request());
  }

  // ---- what a Malformed carries to answer with, or to drop ----

  static Stream<Arguments> malformedResponses() {
    return Stream.of(
        Arguments.of("RFC 4475 bigcode (status code 4294967301)", corpus("bigcode")),
        Arguments.of("RFC 4475 scalarlg (overlarge CSeq, Retry-After)", corpus("scalarlg")),
        Arguments.of("200 OK with CSeq method missing",
            bytes(ok().replace("CSeq: 1 INVITE", "CSeq: 1"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformedResponses")
  void malformedResponsesAreDroppedNotAnswered(String name, byte[] datagram) {
    ParseResult.Malformed m = malformed(parser.parseDatagram(datagram));

    assertFalse(m.request(), "a response is never answered");
    assertFalse(m.answerable());
  }

  @Test
  void malformedRequestKeepsTheHeadersToAnswerFrom() {
    ParseResult.Malformed m = malformed(parser.parseDatagram(corpus("mismatch01")));

    assertEquals(400, m.status());
    assertEquals(HeaderName.CSEQ, m.header());
    assertTrue(m.request());
    for (HeaderName h : new HeaderName[] {
        HeaderName.VIA, HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID, HeaderName.CSEQ}) {
      assertTrue(m.headers().contains(h), "headers read: " + h);
    }
    assertEquals("mismatch01.dj0234sxdfl3", m.headers().first(HeaderName.CALL_ID).orElseThrow());
    assertEquals("SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw",
        m.headers().first(HeaderName.VIA).orElseThrow());
    assertTrue(m.answerable());
  }

  @Test
  void malformedRequestWithoutViaCannotBeAnswered() {
    String noVia = options().replace(
        "Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877\r\n", "");
    ParseResult.Malformed m = malformed(parser.parseDatagram(bytes(noVia)));

    assertEquals(400, m.status());
    assertEquals(HeaderName.VIA, m.header());
    assertTrue(m.request());
    assertFalse(m.answerable(), "no Via: nowhere to send a response (RFC 3261 section 18.2.2)");
  }

  // ---- a datagram inside a bigger buffer ----

  static Stream<Arguments> samples() {
    return Stream.of(
        Arguments.of("INVITE with SDP", bytes(invite())),
        Arguments.of("200 OK with SDP", bytes(ok())),
        Arguments.of("RFC 4475 mpart01 (binary body)", corpus("mpart01")),
        Arguments.of("RFC 4475 inv2543 (no Content-Length)", corpus("inv2543")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sliceOfABiggerArrayParsesLikeTheExactOctetsAndIsCopied(String name, byte[] message) {
    byte[] prefix = bytes("junk before\r\n\r\n");
    byte[] buffer = concat(prefix, message, bytes("INVITE trailing junk"));
    SipMessage expected = parseDatagram(message.clone());

    SipMessage fromSlice = parsed(parser.parseDatagram(buffer, prefix.length, message.length));
    assertEquals(expected, fromSlice);
    String text = fromSlice.toString();
    byte[] body = fromSlice.body();

    Arrays.fill(buffer, (byte) 'X');
    assertEquals(expected, fromSlice, "the message must not share the caller's buffer");
    assertEquals(text, fromSlice.toString());
    assertArrayEquals(body, fromSlice.body());
    assertRoundTrips(fromSlice);
  }

  // ---- malformed octets: 400, never an exception (RFC 3261 sections 7 and 25.1) ----

  static Stream<Arguments> badOctets() {
    String start = "OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n";
    String core = OPTIONS_HEAD.substring(start.length());
    return Stream.of(
        Arguments.of("bare LF inside a header value", start + core + "Subject: a\nb\r\n"),
        Arguments.of("bare CR inside a header value", start + core + "Subject: a\rb\r\n"),
        Arguments.of("bare LF ending a header line", start + core + "Subject: ab\n"),
        Arguments.of("bare LF ending the start line",
            "OPTIONS sip:carol@chicago.example.com SIP/2.0\n" + core),
        Arguments.of("bare CR ending the start line",
            "OPTIONS sip:carol@chicago.example.com SIP/2.0\rX" + core),
        Arguments.of("NUL in a header value", start + core + "Subject: a\0b\r\n"),
        Arguments.of("NUL after a backslash outside any quoted string",
            start + core + "Subject: a\\\0b\r\n"),
        Arguments.of("NUL after an escaped backslash in a quoted string",
            start + core + "X-Note: \"a\\\\\0b\"\r\n"),
        Arguments.of("DEL in a header value", start + core + "Subject: a\u007fb\r\n"),
        Arguments.of("header line without a colon", start + core + "Subject a b\r\n"),
        Arguments.of("header line with an empty name", start + core + ": value\r\n"),
        Arguments.of("continuation line right after the start line",
            start + " continued\r\n" + core));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badOctets")
  void badOctetsInTheHeadAreRefusedWith400(String name, String head) {
    byte[] datagram = bytes(head + "Content-Length: 0\r\n\r\n");

    ParseResult result = parser.parseDatagram(datagram);

    ParseResult.Malformed m = malformed(result);
    assertEquals(400, m.status());
    assertTrue(m.request());
  }

  @Test
  void nulInAQuotedPairOfADisplayNameIsLegal() {
    // RFC 3261 section 25.1: quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
    String message = crlf("""
        OPTIONS sip:carol@chicago.example.com SIP/2.0
        Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnul
        To: <sip:carol@chicago.example.com>
        From: "Al\\\0ice" <sip:alice@atlanta.example.com>;tag=1928301774
        Call-ID: quoted-pair-nul
        CSeq: 1 OPTIONS
        Content-Length: 0

        """);

    SipMessage m = parsed(parser.parseDatagram(bytes(message)));
    assertTrue(m.headers().first(HeaderName.FROM).orElseThrow().contains("Al\\\0ice"));
    assertRoundTrips(m);
  }
}
