package io.tandem.sip.codec;

import static io.tandem.sip.codec.CodecFixtures.assertRoundTrips;
import static io.tandem.sip.codec.CodecFixtures.bytes;
import static io.tandem.sip.codec.CodecFixtures.crlf;
import static io.tandem.sip.codec.CodecFixtures.malformed;
import static io.tandem.sip.codec.CodecFixtures.parsed;
import static io.tandem.sip.codec.CodecFixtures.withoutContentLength;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ParserLimits}: each limit answered with its own status (413, 414, 513), exactly at the
 * limit still accepted, in datagram and in stream mode alike.
 */
class ParserLimitsTest {
  /** Small limits; 16 header fields so that a message can reach max-message-bytes. */
  private static final ParserLimits LIMITS = new ParserLimits(2000, 200, 16, 100);

  private static final String REQUEST_LINE = "OPTIONS sip:bob@example.com SIP/2.0";

  /** The five mandatory header fields (RFC 3261 section 8.1.1). */
  private static final String CORE = crlf("""
      Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKlimits
      From: <sip:alice@example.com>;tag=1
      To: <sip:bob@example.com>
      Call-ID: limits@192.0.2.1
      CSeq: 1 OPTIONS
      """);

  private static final int CORE_FIELDS = 5;

  /** A Request-Line of exactly {@code length} octets (CRLF not counted). */
  private static String requestLine(int length) {
    String around = "OPTIONS sip:@example.com SIP/2.0";
    return "OPTIONS sip:" + "u".repeat(length - around.length()) + "@example.com SIP/2.0";
  }

  /** A header field of exactly {@code length} octets, name to last value octet. */
  private static String field(String name, int length) {
    return name + ": " + "a".repeat(length - name.length() - 2);
  }

  /** A field of exactly {@code length} octets folded over two lines, the fold counted. */
  private static String foldedField(int length) {
    String first = "X-Folded: " + "a".repeat(90);
    return first + "\r\n " + "b".repeat(length - first.length() - 3);
  }

  private static String request(String requestLine, List<String> extraFields, String body) {
    StringBuilder out = new StringBuilder(requestLine).append("\r\n").append(CORE);
    for (String f : extraFields) {
      out.append(f).append("\r\n");
    }
    return CodecFixtures.withBody(out.toString(), body);
  }

  private static String request(List<String> extraFields) {
    return request(REQUEST_LINE, extraFields, "");
  }

  private static List<String> numberedFields(int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add("X-Field-" + i + ": " + i);
    }
    return out;
  }

  /** A request of exactly {@code size} octets with a body of max-body-bytes. */
  private static String requestOfSize(int size) {
    String body = "b".repeat(LIMITS.maxBodyBytes());
    int padding = size - bytes(request(REQUEST_LINE, List.of(), body)).length;
    int fields = (padding + LIMITS.maxLineLength() + 1) / (LIMITS.maxLineLength() + 2);
    List<String> pads = new ArrayList<>();
    for (int i = 0; i < fields; i++) {
      int share = padding / (fields - i);
      pads.add(field("X-Pad-" + i, share - 2));
      padding -= share;
    }
    String message = request(REQUEST_LINE, pads, body);
    assertEquals(size, bytes(message).length, "fixture size");
    return message;
  }

  // ---- each limit, at and one past it ----

  static Stream<Arguments> limitCases() {
    return Stream.of(
        Arguments.of("Request-Line of max-line-length",
            request(requestLine(200), List.of(), ""), 0, null),
        Arguments.of("Request-Line one over max-line-length",
            request(requestLine(201), List.of(), ""), 414, "Request-URI Too Long"),
        Arguments.of("Status-Line one over max-line-length",
            "SIP/2.0 200 " + "O".repeat(201 - 12) + "\r\n" + CORE + "Content-Length: 0\r\n\r\n",
            513, "Message Too Large"),
        Arguments.of("header field of max-line-length",
            request(List.of(field("X-Long", 200))), 0, null),
        Arguments.of("header field one over max-line-length",
            request(List.of(field("X-Long", 201))), 513, "Message Too Large"),
        Arguments.of("core header field one over max-line-length",
            request(List.of()).replace("Call-ID: limits@192.0.2.1",
                "Call-ID: " + "c".repeat(201 - 9)), 513, "Message Too Large"),
        Arguments.of("folded header field of max-line-length",
            request(List.of(foldedField(200))), 0, null),
        Arguments.of("folded header field one over, each line short",
            request(List.of(foldedField(201))), 513, "Message Too Large"),
        Arguments.of("max-header-count fields besides Content-Length",
            request(numberedFields(16 - CORE_FIELDS)), 0, null),
        Arguments.of("one field over max-header-count",
            request(numberedFields(17 - CORE_FIELDS)), 513, "Message Too Large"),
        Arguments.of("body of max-body-bytes",
            request(REQUEST_LINE, List.of(), "b".repeat(100)), 0, null),
        Arguments.of("body one over max-body-bytes",
            request(REQUEST_LINE, List.of(), "b".repeat(101)), 413, "Request Entity Too Large"),
        Arguments.of("message of max-message-bytes", requestOfSize(2000), 0, null),
        Arguments.of("message one over max-message-bytes", requestOfSize(2001), 513,
            "Message Too Large"));
  }

  @ParameterizedTest(name = "datagram: {0}")
  @MethodSource("limitCases")
  void datagramLimits(String name, String message, int status, String reason) {
    ParseResult result = new SipParser(LIMITS).parseDatagram(bytes(message));

    assertOutcome(message, status, reason, result);
  }

  @ParameterizedTest(name = "stream: {0}")
  @MethodSource("limitCases")
  void streamLimits(String name, String message, int status, String reason) {
    SipStreamFramer framer = new SipStreamFramer(new SipParser(LIMITS));
    framer.feed(bytes(message));

    assertOutcome(message, status, reason, framer.next());
  }

  private static void assertOutcome(String message, int status, String reason, ParseResult r) {
    if (status == 0) {
      ParseResult.Parsed p = assertInstanceOf(ParseResult.Parsed.class, r);
      assertEquals(bytes(message).length, p.consumed());
      assertEquals(parsed(CodecFixtures.defaultParser().parseDatagram(bytes(message))), p.message());
      assertRoundTrips(p.message());
    } else {
      ParseResult.Malformed m = malformed(r);
      assertEquals(status, m.status(), () -> "result: " + m);
      assertEquals(reason, m.reason());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("limitCases")
  void overLimitMessagesAreSoundUnderTheDefaultLimits(
      String name, String message, int status, String reason) {
    // The status comes from the configured limit, not from something else wrong in the fixture.
    assertRoundTrips(parsed(CodecFixtures.defaultParser().parseDatagram(bytes(message))));
  }

  // ---- datagram-only limits ----

  @Test
  void datagramBodyOverMaxBodyBytesWithoutContentLengthGets413() {
    String message = withoutContentLength(REQUEST_LINE + "\r\n" + CORE, "b".repeat(101));

    ParseResult.Malformed m = malformed(new SipParser(LIMITS).parseDatagram(bytes(message)));
    assertEquals(413, m.status());
    assertEquals("Request Entity Too Large", m.reason());
  }

  @Test
  void datagramHeadWithoutEndWithinMaxMessageBytesGets513() {
    StringBuilder head = new StringBuilder(REQUEST_LINE).append("\r\n").append(CORE);
    while (head.length() < 2500) {
      head.append("X-More: no empty line\r\n");
    }

    ParseResult.Malformed m =
        malformed(new SipParser(LIMITS).parseDatagram(bytes(head.toString())));
    assertEquals(513, m.status());
    assertEquals("Message Too Large", m.reason());
    assertTrue(m.request());
  }

  @Test
  void streamContentLengthOverMaxBodyBytesIsRefusedWithoutWaitingForTheBody() {
    String head = REQUEST_LINE + "\r\n" + CORE + "Content-Length: 101\r\n\r\n";
    SipStreamFramer framer = new SipStreamFramer(new SipParser(LIMITS));
    framer.feed(bytes(head));

    ParseResult.Malformed m = malformed(framer.next());
    assertEquals(413, m.status());
    assertEquals("Request Entity Too Large", m.reason());
  }

  // ---- the limits themselves ----

  static Stream<Arguments> nonsense() {
    return Stream.of(
        Arguments.of("zero max-message-bytes", 0, 1, 1, 0),
        Arguments.of("negative max-message-bytes", -1, 1, 1, 0),
        Arguments.of("zero max-line-length", 100, 0, 1, 0),
        Arguments.of("negative max-line-length", 100, -5, 1, 0),
        Arguments.of("zero max-header-count", 100, 10, 0, 0),
        Arguments.of("negative max-header-count", 100, 10, -1, 0),
        Arguments.of("negative max-body-bytes", 100, 10, 1, -1),
        Arguments.of("max-line-length above max-message-bytes", 100, 101, 1, 0),
        Arguments.of("max-body-bytes above max-message-bytes", 100, 10, 1, 101));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nonsense")
  void nonsenseLimitsAreRejected(String name, int message, int line, int headers, int body) {
    assertThrows(IllegalArgumentException.class,
        () -> new ParserLimits(message, line, headers, body));
  }

  @Test
  void limitsEqualToTheMessageSizeAreAccepted() {
    ParserLimits l = new ParserLimits(100, 100, 1, 100);
    assertEquals(100, l.maxLineLength());
    assertEquals(100, l.maxBodyBytes());
  }

  @Test
  void defaultsComeFromReferenceConf() {
    ParserLimits fromConfig = ParserLimits.fromConfig(ConfigFactory.load());

    assertEquals(new ParserLimits(65_507, 8_192, 128, 32_768), fromConfig);
    assertEquals(ParserLimits.DEFAULTS, fromConfig);
  }

  @Test
  void configOverridesADefault() {
    Config config = ConfigFactory.parseString("tandem.sip.parser.max-body-bytes = 1000")
        .withFallback(ConfigFactory.load());

    assertEquals(new ParserLimits(65_507, 8_192, 128, 1_000), ParserLimits.fromConfig(config));
  }

  @Test
  void nonsenseInConfigIsRejected() {
    Config config = ConfigFactory.parseString("tandem.sip.parser.max-line-length = 70000")
        .withFallback(ConfigFactory.load());

    assertThrows(IllegalArgumentException.class, () -> ParserLimits.fromConfig(config));
  }
}
