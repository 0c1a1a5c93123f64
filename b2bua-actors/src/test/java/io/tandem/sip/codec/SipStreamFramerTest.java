package io.tandem.sip.codec;

import static io.tandem.sip.codec.CodecFixtures.OPTIONS_HEAD;
import static io.tandem.sip.codec.CodecFixtures.assertRoundTrips;
import static io.tandem.sip.codec.CodecFixtures.bytes;
import static io.tandem.sip.codec.CodecFixtures.concat;
import static io.tandem.sip.codec.CodecFixtures.corpus;
import static io.tandem.sip.codec.CodecFixtures.crlf;
import static io.tandem.sip.codec.CodecFixtures.drain;
import static io.tandem.sip.codec.CodecFixtures.invite;
import static io.tandem.sip.codec.CodecFixtures.malformed;
import static io.tandem.sip.codec.CodecFixtures.ok;
import static io.tandem.sip.codec.CodecFixtures.options;
import static io.tandem.sip.codec.CodecFixtures.parseDatagram;
import static io.tandem.sip.codec.CodecFixtures.parsed;
import static io.tandem.sip.codec.CodecFixtures.withBody;
import static io.tandem.sip.codec.CodecFixtures.withoutContentLength;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stream framing (TCP): RFC 3261 section 18.3 (Content-Length frames each message) and RFC 5626
 * section 3.5.1 (CRLF keep-alives between messages). Every stream is fed whole, split in two at
 * every offset, and one byte at a time; the results must not depend on how the octets arrive.
 */
class SipStreamFramerTest {
  private static final byte[] PING = bytes("\r\n\r\n");
  private static final byte[] PONG = bytes("\r\n");
  private static final ParseResult.KeepAlive PING_RESULT = new ParseResult.KeepAlive(true, 4);
  private static final ParseResult.KeepAlive PONG_RESULT = new ParseResult.KeepAlive(false, 2);

  /** A stream made of pieces, each with the result it must give. */
  private record TestStream(byte[] octets, List<Object> expected) {}

  private static final class StreamBuilder {
    private final List<byte[]> parts = new ArrayList<>();
    private final List<Object> expected = new ArrayList<>();

    /** A message; it must come out equal to the same octets parsed as a datagram. */
    StreamBuilder message(byte[] octets) {
      parts.add(octets);
      expected.add(parseDatagram(octets));
      return this;
    }

    StreamBuilder keepAlive(byte[] octets, ParseResult.KeepAlive result) {
      parts.add(octets);
      expected.add(result);
      return this;
    }

    TestStream build() {
      return new TestStream(concat(parts.toArray(new byte[0][])), List.copyOf(expected));
    }
  }

  private static StreamBuilder sampleMessages(StreamBuilder b) {
    b.message(bytes(invite())).message(bytes(ok())).message(bytes(options()));
    for (String name : CodecFixtures.FRAMEABLE_CORPUS) {
      b.message(corpus(name));
    }
    return b;
  }

  static Stream<Arguments> streams() {
    TestStream messagesOnly = sampleMessages(new StreamBuilder()).build();
    TestStream withKeepAlives =
        new StreamBuilder()
            .keepAlive(PING, PING_RESULT)
            .message(bytes(invite()))
            .keepAlive(PING, PING_RESULT)
            .message(bytes(ok()))
            .keepAlive(PONG, PONG_RESULT)
            .message(corpus("mpart01"))
            .keepAlive(PING, PING_RESULT)
            .keepAlive(PONG, PONG_RESULT)
            .message(corpus("wsinv"))
            .message(bytes(options()))
            .build();
    return Stream.of(
        Arguments.of("invite, 200 OK, OPTIONS and the framable RFC 4475 messages", messagesOnly),
        Arguments.of("messages with pings and pongs between them", withKeepAlives));
  }

  private static SipStreamFramer framer() {
    return new SipStreamFramer(CodecFixtures.defaultParser());
  }

  private static void assertNeedsMoreData(SipStreamFramer framer) {
    assertInstanceOf(ParseResult.NeedMoreData.class, framer.next());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void wholeStreamInOneRead(String name, TestStream stream) {
    SipStreamFramer framer = framer();
    framer.feed(stream.octets());

    assertEquals(stream.expected(), drain(framer));
    assertNeedsMoreData(framer);
    assertEquals(0, framer.buffered());
    for (Object result : stream.expected()) {
      if (result instanceof SipMessage) {
        assertRoundTrips((SipMessage) result);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void streamSplitInTwoAtEveryOffset(String name, TestStream stream) {
    byte[] octets = stream.octets();
    for (int at = 0; at <= octets.length; at++) {
      SipStreamFramer framer = framer();
      framer.feed(octets, 0, at);
      List<Object> results = drain(framer);
      framer.feed(octets, at, octets.length - at);
      results.addAll(drain(framer));

      int splitAt = at;
      assertEquals(stream.expected(), results, () -> "split at offset " + splitAt);
      assertNeedsMoreData(framer);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void streamFedOneByteAtATime(String name, TestStream stream) {
    byte[] octets = stream.octets();
    SipStreamFramer framer = framer();
    List<Object> results = new ArrayList<>();
    for (int i = 0; i < octets.length; i++) {
      framer.feed(octets, i, 1);
      results.addAll(drain(framer));
    }

    assertEquals(stream.expected(), results);
    assertNeedsMoreData(framer);
  }

  // ---- keep-alives (RFC 5626 section 3.5.1) ----

  static Stream<Arguments> keepAlives() {
    return Stream.of(
        Arguments.of("ping at the very start of the stream",
            new StreamBuilder().keepAlive(PING, PING_RESULT).message(bytes(options())).build()),
        Arguments.of("ping between two messages",
            new StreamBuilder().message(bytes(options())).keepAlive(PING, PING_RESULT)
                .message(bytes(invite())).build()),
        Arguments.of("pong (single CRLF) before a message",
            new StreamBuilder().message(bytes(ok())).keepAlive(PONG, PONG_RESULT)
                .message(bytes(options())).build()),
        Arguments.of("ping then pong before a message",
            new StreamBuilder().keepAlive(PING, PING_RESULT).keepAlive(PONG, PONG_RESULT)
                .message(bytes(options())).build()),
        Arguments.of("two pings in a row",
            new StreamBuilder().keepAlive(PING, PING_RESULT).keepAlive(PING, PING_RESULT).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("keepAlives")
  void keepAlivesBetweenMessages(String name, TestStream stream) {
    SipStreamFramer framer = framer();
    framer.feed(stream.octets());

    assertEquals(stream.expected(), drain(framer));
    assertNeedsMoreData(framer);
  }

  @Test
  void pingSplitAsTwoCrlfsAcrossReadsIsOnePing() {
    SipStreamFramer framer = framer();
    framer.feed(PONG);
    assertEquals(List.of(), drain(framer), "a lone CRLF may still become a ping");
    framer.feed(PONG);

    assertEquals(List.of(PING_RESULT), drain(framer));
    assertEquals(0, framer.buffered());
  }

  @Test
  void pingSplitAfterItsFirstCrIsOnePing() {
    SipStreamFramer framer = framer();
    framer.feed(bytes("\r"));
    assertEquals(List.of(), drain(framer));
    framer.feed(bytes("\n\r\n"));

    assertEquals(List.of(PING_RESULT), drain(framer));
  }

  // ---- Content-Length is mandatory on streams (RFC 3261 section 18.3) ----

  static Stream<Arguments> messagesWithoutContentLength() {
    return Stream.of(
        Arguments.of("OPTIONS without body", withoutContentLength(OPTIONS_HEAD, "")),
        Arguments.of("INVITE with SDP body",
            withoutContentLength(CodecFixtures.INVITE_HEAD, CodecFixtures.SDP_OFFER)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messagesWithoutContentLength")
  void messageWithoutContentLengthLosesTheFramingForGood(String name, String message) {
    SipStreamFramer framer = framer();
    framer.feed(bytes(message));

    ParseResult.Malformed m = malformed(framer.next());
    assertEquals(400, m.status());
    assertEquals("Missing Content-Length", m.reason());
    assertEquals(HeaderName.CONTENT_LENGTH, m.header());
    assertTrue(m.request());
    assertTrue(m.framingLost());

    framer.feed(bytes(options()));
    assertSame(m, framer.next(), "a framer that lost framing must repeat it");
    assertSame(m, framer.next());
    assertEquals(0, framer.buffered(), "octets after lost framing must not be kept");
  }

  // ---- a bad header value does not lose the framing when Content-Length was read ----

  static Stream<Arguments> badValueGoodLength() {
    String badCseqFirst = crlf("""
        OPTIONS sip:carol@chicago.example.com SIP/2.0
        Content-Length: 0
        Via: SIP/2.0/TCP pc33.atlanta.example.com;branch=z9hG4bKhjhs8ass877
        To: <sip:carol@chicago.example.com>
        From: Alice <sip:alice@atlanta.example.com>;tag=1928301774
        Call-ID: a84b4c76e66710
        CSeq: x63104 OPTIONS

        """);
    return Stream.of(
        Arguments.of("invalid CSeq number, Content-Length before it", badCseqFirst,
            HeaderName.CSEQ),
        Arguments.of("invalid CSeq number, Content-Length last (canonical order)",
            options().replace("CSeq: 63104 OPTIONS", "CSeq: x63104 OPTIONS"), HeaderName.CSEQ),
        Arguments.of("CSeq method differs from the method (RFC 4475 mismatch01), l: last",
            new String(corpus("mismatch01"), StandardCharsets.ISO_8859_1),
            HeaderName.CSEQ),
        Arguments.of("invalid From on an INVITE with a body",
            invite().replace("From: Alice <sip:alice@atlanta.example.com>;",
                "From: Alice <sip:alice@atlanta.example.com;"), HeaderName.FROM));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badValueGoodLength")
  void badHeaderValueWithGoodContentLengthKeepsTheFraming(
      String name, String bad, HeaderName culprit) {
    byte[] badOctets = bytes(bad);
    SipMessage next = parseDatagram(bytes(invite()));
    SipStreamFramer framer = framer();
    framer.feed(concat(badOctets, bytes(invite())));

    ParseResult.Malformed m = malformed(framer.next());
    assertEquals(400, m.status());
    assertEquals(culprit, m.header());
    assertFalse(m.framingLost(), "Content-Length was readable: " + m);
    assertEquals(badOctets.length, m.consumed());
    assertEquals(next, parsed(framer.next()), "the next message on the stream");
    assertNeedsMoreData(framer);
  }

  // ---- bodies and heads that arrive in pieces ----

  @Test
  void bodySplitAcrossReadsWaitsForTheWholeMessage() {
    byte[] invite = bytes(invite());
    int bodyStart = invite.length - bytes(CodecFixtures.SDP_OFFER).length;
    SipStreamFramer framer = framer();

    framer.feed(invite, 0, 20);
    assertEquals(new ParseResult.NeedMoreData(-1), framer.next(), "head incomplete");
    framer.feed(invite, 20, bodyStart - 20);
    assertEquals(new ParseResult.NeedMoreData(invite.length), framer.next(), "head only");
    framer.feed(invite, bodyStart, 10);
    assertEquals(new ParseResult.NeedMoreData(invite.length), framer.next(), "part of the body");
    framer.feed(invite, bodyStart + 10, invite.length - bodyStart - 11);
    assertEquals(new ParseResult.NeedMoreData(invite.length), framer.next(), "one octet short");
    framer.feed(invite, invite.length - 1, 1);

    ParseResult.Parsed p = assertInstanceOf(ParseResult.Parsed.class, framer.next());
    assertEquals(invite.length, p.consumed());
    assertEquals(parseDatagram(invite), p.message());
    assertEquals(CodecFixtures.SDP_OFFER, p.message().bodyText());
    assertEquals(new ParseResult.NeedMoreData(-1), framer.next());
  }

  // ---- octets that cannot be framed ----

  @Test
  void headThatNeverEndsIsRefusedAtMaxMessageBytes() {
    ParserLimits limits = new ParserLimits(2000, 200, 10, 100);
    SipStreamFramer framer = new SipStreamFramer(new SipParser(limits));
    StringBuilder junk = new StringBuilder("OPTIONS sip:carol@chicago.example.com SIP/2.0\r\n");
    for (int i = 0; junk.length() < 3000; i++) {
      junk.append("X-Header-").append(i).append(": no empty line follows\r\n");
    }
    byte[] octets = bytes(junk.toString());

    for (int fed = 0; fed < 1999; fed += 100) {
      framer.feed(octets, fed, Math.min(100, 1999 - fed));
      assertEquals(new ParseResult.NeedMoreData(-1), framer.next(), "after " + (fed + 100));
    }
    framer.feed(octets, 1999, 1);
    ParseResult.Malformed m = malformed(framer.next());
    assertEquals(513, m.status());
    assertEquals("Message Too Large", m.reason());
    assertTrue(m.framingLost());
    assertEquals(0, framer.buffered(), "the framer must drop what it held");

    framer.feed(octets, 2000, 1000);
    assertSame(m, framer.next());
    assertEquals(0, framer.buffered(), "octets after lost framing must not be kept");
  }

  @Test
  void headAnnouncingMoreThanMaxMessageBytesIsRefusedBeforeItsBodyIsBuffered() {
    // The class Javadoc: "Octets are buffered only up to the parser's max-message-bytes".
    ParserLimits limits = new ParserLimits(1000, 200, 16, 100);
    SipStreamFramer framer = new SipStreamFramer(new SipParser(limits));
    String head = OPTIONS_HEAD + ("X-Padding: " + "p".repeat(180) + "\r\n").repeat(3);
    String message = withBody(head, "b".repeat(100));
    byte[] octets = bytes(message);
    int headLength = octets.length - 100;
    assertTrue(headLength < 1000 && octets.length > 1000, "fixture: head fits, message does not");

    framer.feed(octets, 0, headLength);
    ParseResult result = framer.next();

    ParseResult.Malformed m = malformed(result);
    assertEquals(513, m.status());
    assertTrue(m.framingLost());
  }

  static Stream<Arguments> bareCarriageReturns() {
    return Stream.of(
        Arguments.of("CR then a message", bytes("\r" + options()), 0),
        Arguments.of("CR between messages", bytes(options() + "\r" + options()), 1),
        Arguments.of("CRLF CR then a message", bytes(options() + "\r\n\r" + options()), 1),
        Arguments.of("CR followed by a non-LF octet", bytes(ok() + "\rX"), 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bareCarriageReturns")
  void bareCarriageReturnBetweenMessagesLosesTheFraming(
      String name, byte[] octets, int messagesBefore) {
    SipStreamFramer framer = framer();
    framer.feed(octets);

    List<Object> results = drain(framer);
    assertEquals(messagesBefore + 1, results.size(), () -> "results: " + results);
    for (int i = 0; i < messagesBefore; i++) {
      assertInstanceOf(SipMessage.class, results.get(i));
    }
    ParseResult.Malformed m = malformed((ParseResult) results.get(messagesBefore));
    assertEquals(400, m.status());
    assertTrue(m.framingLost());
    assertFalse(m.request(), "nothing to answer: no message was read");

    framer.feed(bytes(options()));
    assertSame(m, framer.next(), "a framer that lost framing must repeat it");
    assertEquals(0, framer.buffered(), "octets after lost framing must not be kept");
  }
}
