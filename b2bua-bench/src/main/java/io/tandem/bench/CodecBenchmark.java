package io.tandem.bench;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.StringMsgParser;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.codec.SipRenderer;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Uri;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tandem's SIP parser and renderer against JAIN-SIP RI's {@link StringMsgParser}, on the same
 * octets.
 *
 * <ul>
 *   <li>{@code tandemParse} / {@code jainSipParse}: octets to a message object. Tandem indexes
 *       the header fields and checks the core headers, but builds Via, From, To ... objects only
 *       when asked; JAIN-SIP builds every header object eagerly.
 *   <li>{@code tandemParseAndRead} / {@code jainSipParseAndRead}: the same, then read what a
 *       transaction and dialog layer needs (top Via branch, From tag, To tag, Call-ID, CSeq, and
 *       the Request-URI of a request). This is the fair comparison.
 *   <li>{@code tandemRender}: a received (parsed) message to octets, which rebuilds it in
 *       canonical form; {@code tandemRenderBuilt}: a message already canonical (built), which is
 *       a copy.
 * </ul>
 *
 * <p>{@link #setUp()} fails unless both parsers accept the message and read the same fields, so
 * a broken benchmark reports no numbers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class CodecBenchmark {

  /**
   * {@code invite}: a carrier INVITE with SDP; {@code ok200}: its 200 OK with an SDP answer;
   * {@code wsinv}: RFC 4475 section 3.1.1.1, the "short tortuous INVITE".
   */
  @Param({"invite", "ok200", "wsinv"})
  public String message;

  private byte[] bytes;
  private String expectedCallId;
  private SipParser parser;
  private StringMsgParser jainSipParser;
  private SipMessage parsed;
  private SipMessage canonical;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    bytes = messageBytes(message);
    expectedCallId = callIdOf(message);
    parser = new SipParser(ParserLimits.DEFAULTS);
    // StringMsgParser has no instance state (a fresh lexer per header), so one is reused.
    jainSipParser = new StringMsgParser();

    ParseResult result = parser.parseDatagram(bytes);
    if (!(result instanceof ParseResult.Parsed)) {
      throw new IllegalStateException("Tandem does not parse " + message + ": " + result);
    }
    parsed = ((ParseResult.Parsed) result).message();
    check("Tandem Call-ID", parsed.callId(), expectedCallId);

    SIPMessage jain = jainSipParser.parseSIPMessage(bytes, true, false, null);
    if (jain == null) {
      throw new IllegalStateException("JAIN-SIP returned null for " + message);
    }
    check("JAIN-SIP Call-ID", jain.getCallId() == null ? null : jain.getCallId().getCallId(),
        expectedCallId);
    check("JAIN-SIP body length", jain.getRawContent() == null ? 0 : jain.getRawContent().length,
        parsed.bodyLength());

    // Both read the same transaction and dialog fields.
    check("read (Tandem, JAIN-SIP)", tandemParseAndRead(), jainSipParseAndRead());

    canonical = parsed.toBuilder().buildMessage();
    if (!canonical.isCanonical() || parsed.isCanonical()) {
      throw new IllegalStateException("expected a received and a canonical message");
    }
    byte[] rendered = SipRenderer.renderBytes(parsed);
    check("render round trip", parseOrFail(rendered), parsed);
    check("render of the built message", Arrays.equals(SipRenderer.renderBytes(canonical), rendered),
        true);
  }

  @Benchmark
  public ParseResult tandemParse() {
    return parser.parseDatagram(bytes);
  }

  @Benchmark
  public int tandemParseAndRead() {
    SipMessage m = ((ParseResult.Parsed) parser.parseDatagram(bytes)).message();
    int h = mix(17, m.topViaBranch().orElse(null));
    h = mix(h, m.fromTag().orElse(null));
    h = mix(h, m.toTag().orElse(null));
    h = mix(h, m.callId());
    CSeq cseq = m.cseq();
    h = mix(h, Long.hashCode(cseq.sequence()));
    h = mix(h, cseq.method().name());
    if (m instanceof SipRequest) {
      Uri uri = ((SipRequest) m).requestUri();
      h = mix(h, uri.scheme());
      if (uri instanceof SipUri) {
        h = mix(h, ((SipUri) uri).host());
      }
    }
    return h;
  }

  @Benchmark
  public SIPMessage jainSipParse() throws Exception {
    return jainSipParser.parseSIPMessage(bytes, true, false, null);
  }

  @Benchmark
  public int jainSipParseAndRead() throws Exception {
    SIPMessage m = jainSipParser.parseSIPMessage(bytes, true, false, null);
    int h = mix(17, m.getTopmostVia().getBranch());
    h = mix(h, m.getFrom().getTag());
    h = mix(h, m.getTo().getTag());
    h = mix(h, m.getCallId().getCallId());
    h = mix(h, Long.hashCode(m.getCSeq().getSeqNumber()));
    h = mix(h, m.getCSeq().getMethod());
    if (m instanceof SIPRequest) {
      javax.sip.address.URI uri = ((SIPRequest) m).getRequestURI();
      h = mix(h, uri.getScheme());
      if (uri instanceof javax.sip.address.SipURI) {
        h = mix(h, ((javax.sip.address.SipURI) uri).getHost());
      }
    }
    return h;
  }

  /** A received message: rebuilt to canonical form, then copied out. */
  @Benchmark
  public byte[] tandemRender() {
    return SipRenderer.renderBytes(parsed);
  }

  /** A built message: canonical already, so a copy of its octets. */
  @Benchmark
  public byte[] tandemRenderBuilt() {
    return SipRenderer.renderBytes(canonical);
  }

  private static int mix(int h, Object value) {
    return 31 * h + Objects.hashCode(value);
  }

  private static int mix(int h, int value) {
    return 31 * h + value;
  }

  private SipMessage parseOrFail(byte[] b) {
    ParseResult r = new SipParser(ParserLimits.DEFAULTS).parseDatagram(b);
    if (!(r instanceof ParseResult.Parsed)) {
      throw new IllegalStateException("Tandem does not parse its own rendering: " + r);
    }
    return ((ParseResult.Parsed) r).message();
  }

  private void check(String what, Object actual, Object expected) {
    if (!Objects.equals(actual, expected)) {
      throw new IllegalStateException(
          message + ": " + what + ": got " + actual + ", expected " + expected);
    }
  }

  // ---------------------------------------------------------------------------------------
  // The messages

  static final String CALL_ID = "a84b4c76e66710-7f3c-4a1e@203.0.113.10";

  static byte[] messageBytes(String name) throws IOException {
    switch (name) {
      case "invite":
        return message(INVITE_HEAD, OFFER);
      case "ok200":
        return message(OK_HEAD, ANSWER);
      case "wsinv":
        // RFC 4475 section 3.1.1.1, "A Short Tortuous INVITE": folded lines, compact and long
        // header names mixed, odd whitespace, escaped quotes, a comma-separated Via, unknown
        // headers and parameters. A byte-for-byte copy of
        // b2bua-actors/src/test/resources/rfc4475/wsinv.dat.
        try (InputStream in = CodecBenchmark.class.getResourceAsStream("/wsinv.dat")) {
          if (in == null) {
            throw new IOException("wsinv.dat is not on the class path");
          }
          return in.readAllBytes();
        }
      default:
        throw new IllegalArgumentException("unknown message " + name);
    }
  }

  static String callIdOf(String name) {
    return name.equals("wsinv") ? "wsinv.ndaksdj@192.0.2.1" : CALL_ID;
  }

  /** Head lines (without Content-Length), CRLF line ends, the exact Content-Length, the body. */
  private static byte[] message(String[] head, String[] bodyLines) {
    String body = String.join("\r\n", bodyLines) + "\r\n";
    int length = body.getBytes(StandardCharsets.UTF_8).length;
    String text =
        String.join("\r\n", head) + "\r\nContent-Length: " + length + "\r\n\r\n" + body;
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static final String VIA =
      "Via: SIP/2.0/UDP 203.0.113.10:5060;branch=z9hG4bK-524287-1-0-7a1b2c3d4e5f;rport";
  private static final String FROM =
      "From: \"Alice Carrier\" <sip:+12125550100@203.0.113.10;user=phone>;tag=8f3a9c21e6";
  private static final String TO_URI = "<sip:+14155550123@sbc.carrier.example.net;user=phone>";
  private static final String ALLOW =
      "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, INFO, REFER, NOTIFY";

  private static final String[] INVITE_HEAD = {
    "INVITE sip:+14155550123@sbc.carrier.example.net;user=phone SIP/2.0",
    VIA,
    "Max-Forwards: 69",
    FROM,
    "To: " + TO_URI,
    "Call-ID: " + CALL_ID,
    "CSeq: 102 INVITE",
    "Contact: <sip:+12125550100@203.0.113.10:5060;transport=udp>",
    ALLOW,
    "Supported: timer, 100rel, replaces",
    "P-Asserted-Identity: \"Alice Carrier\" <sip:+12125550100@203.0.113.10;user=phone>",
    "Session-Expires: 1800;refresher=uac",
    "Min-SE: 90",
    "User-Agent: CarrierSBC/7.4.2 (build 2291)",
    "Content-Type: application/sdp",
  };

  private static final String[] OFFER = {
    "v=0",
    "o=CarrierSBC 1718200311 1718200311 IN IP4 203.0.113.20",
    "s=SBC Call",
    "c=IN IP4 203.0.113.20",
    "t=0 0",
    "m=audio 40512 RTP/AVP 0 8 101",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-16",
    "a=ptime:20",
    "a=maxptime:40",
    "a=rtcp:40513",
    "a=silenceSupp:off - - - -",
    "a=sendrecv",
  };

  private static final String[] OK_HEAD = {
    "SIP/2.0 200 OK",
    VIA + "=48211;received=203.0.113.10",
    "Record-Route: <sip:198.51.100.5;lr;ftag=8f3a9c21e6>",
    FROM,
    "To: " + TO_URI + ";tag=as5f1e2d3c",
    "Call-ID: " + CALL_ID,
    "CSeq: 102 INVITE",
    "Contact: <sip:+14155550123@198.51.100.30:5060;transport=udp>",
    ALLOW,
    "Supported: timer, 100rel, replaces",
    "Require: timer",
    "Session-Expires: 1800;refresher=uac",
    "Server: CoreSwitch/11.2",
    "Content-Type: application/sdp",
  };

  private static final String[] ANSWER = {
    "v=0",
    "o=CoreSwitch 50913 50914 IN IP4 198.51.100.40",
    "s=CoreSwitch",
    "c=IN IP4 198.51.100.40",
    "t=0 0",
    "m=audio 18740 RTP/AVP 0 101",
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-16",
    "a=ptime:20",
    "a=sendrecv",
  };
}
