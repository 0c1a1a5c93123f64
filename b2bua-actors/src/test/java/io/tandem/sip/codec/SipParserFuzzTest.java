package io.tandem.sip.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tandem.sip.message.HeaderType;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the parser with Jazzer. In a normal build ({@code mvn verify}) each test replays its
 * seed inputs: the RFC 4475 messages, mapped by the pom into {@code SipParserFuzzTestInputs/}.
 * With {@code JAZZER_FUZZ=1} it fuzzes (coverage-guided) for {@code maxDuration}.
 *
 * <p>What must hold for any input: the parser returns a result and throws nothing; a parsed
 * message answers every accessor and typed header without throwing, renders, and parses back
 * equal; a malformed one carries a status to answer with; the stream framer agrees with the
 * datagram parser about where messages are, whatever the split points.
 */
class SipParserFuzzTest {
  private static final ParserLimits LIMITS = new ParserLimits(16_384, 2_048, 64, 8_192);
  private static final List<HeaderType<?>> TYPES = typedHeaders();

  @FuzzTest(maxDuration = "10m")
  void parseDatagram(byte[] datagram) {
    ParseResult result = new SipParser(LIMITS).parseDatagram(datagram.clone());
    assertNotNull(result);
    if (result instanceof ParseResult.Parsed) {
      checkParsed(((ParseResult.Parsed) result).message());
    } else if (result instanceof ParseResult.Malformed) {
      checkMalformed((ParseResult.Malformed) result);
    }
  }

  @FuzzTest(maxDuration = "10m")
  void parseStream(FuzzedDataProvider data) {
    int chunks = data.consumeInt(1, 8);
    int[] sizes = new int[chunks];
    for (int i = 0; i < chunks; i++) {
      sizes[i] = data.consumeInt(0, 512);
    }
    byte[] stream = data.consumeRemainingAsBytes();
    SipStreamFramer framer = new SipStreamFramer(new SipParser(LIMITS));
    List<ParseResult> results = new ArrayList<>();
    int offset = 0;
    boolean broken = false;
    for (int i = 0; offset < stream.length && !broken; i++) {
      int n = Math.min(stream.length - offset, i < chunks ? sizes[i] : stream.length);
      framer.feed(stream, offset, n);
      offset += n;
      broken = drain(framer, results);
    }
    SipStreamFramer whole = new SipStreamFramer(new SipParser(LIMITS));
    whole.feed(stream);
    List<ParseResult> expected = new ArrayList<>();
    drain(whole, expected);
    assertEquals(expected.size(), results.size(), "split points change nothing");
    for (int i = 0; i < expected.size(); i++) {
      if (expected.get(i) instanceof ParseResult.Parsed) {
        SipMessage m = assertInstanceOf(ParseResult.Parsed.class, results.get(i)).message();
        assertEquals(((ParseResult.Parsed) expected.get(i)).message(), m);
        checkParsed(m);
      } else {
        assertEquals(expected.get(i).getClass(), results.get(i).getClass());
      }
    }
  }

  /** Takes every result the framer has; returns true once the framing is lost. */
  private static boolean drain(SipStreamFramer framer, List<ParseResult> into) {
    for (int guard = 0; guard < 10_000; guard++) {
      ParseResult r = framer.next();
      if (r instanceof ParseResult.NeedMoreData) {
        return false;
      }
      into.add(r);
      if (r instanceof ParseResult.Malformed && ((ParseResult.Malformed) r).framingLost()) {
        return true;
      }
    }
    throw new AssertionError("framer does not progress");
  }

  private static void checkParsed(SipMessage m) {
    Rfc4475Test.assertKeysAgree(m);
    m.cseq();
    m.maxForwards();
    m.contacts();
    m.routes();
    m.recordRoutes();
    m.contentType();
    m.toString();
    if (m instanceof SipRequest) {
      ((SipRequest) m).requestUri().toString();
    } else {
      ((SipResponse) m).reasonPhrase();
    }
    for (HeaderType<?> type : TYPES) {
      assertNotNull(m.header(type));
      assertNotNull(m.headerValues(type));
    }
    byte[] rendered = SipRenderer.renderBytes(m);
    ParseResult again = new SipParser(ParserLimits.DEFAULTS).parseDatagram(rendered);
    SipMessage reparsed = assertInstanceOf(ParseResult.Parsed.class, again, () -> again.toString())
        .message();
    assertEquals(m, reparsed, "parse(render(m)) equals m");
  }

  private static void checkMalformed(ParseResult.Malformed m) {
    assertTrue(m.status() >= 400 && m.status() <= 599, "status to answer: " + m.status());
    assertNotNull(m.reason());
    if (m.headers() != null) {
      m.headers().forEach(f -> f.value());
    }
  }

  private static List<HeaderType<?>> typedHeaders() {
    List<HeaderType<?>> types = new ArrayList<>();
    for (Field f : SipHeaders.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == HeaderType.class) {
        try {
          types.add((HeaderType<?>) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return types;
  }
}
