package io.tandem.sip.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tandem.sip.message.AbsoluteUri;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.MediaType;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Via;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RFC 4475 torture messages, each sent to the parser as one UDP datagram: one case per row
 * of {@code rfc4475/INDEX.tsv}, asserting the verdict (accept, answer with a status, or drop a
 * response) and, for accepted messages, the fields RFC 4475 says a parser must get right.
 *
 * <p>Application-layer cases (415, 406, 483, 401 ...) parse here; their answers belong to the
 * layers that serve requests, and this test asserts the fields those layers decide on.
 */
class Rfc4475Test {
  private enum Verdict {
    ACCEPT,
    ANSWER,
    DROP
  }

  private record Expected(Verdict verdict, int status, HeaderName header, Consumer<SipMessage> fields) {}

  private static final Map<String, Expected> EXPECTED = new HashMap<>();

  private static void accept(String file, Consumer<SipMessage> fields) {
    EXPECTED.put(file, new Expected(Verdict.ACCEPT, 0, null, fields));
  }

  private static void answer(String file, int status, HeaderName header) {
    EXPECTED.put(file, new Expected(Verdict.ANSWER, status, header, null));
  }

  private static void drop(String file) {
    EXPECTED.put(file, new Expected(Verdict.DROP, 0, null, null));
  }

  static {
    accept("wsinv.dat", m -> {
      SipRequest r = (SipRequest) m;
      assertEquals(Method.INVITE, r.method());
      assertEquals(SipUri.parse("sip:vivekg@chair-dnrc.example.com;unknownparam"), r.requestUri());
      List<Via> vias = m.vias();
      assertEquals(3, vias.size());
      assertEquals("192.0.2.2", vias.get(0).host());
      assertEquals("390skdjuw", vias.get(0).branch().orElseThrow());
      assertEquals("TCP", vias.get(1).transport());
      assertEquals("spindle.example.com", vias.get(1).host());
      assertEquals("z9hG4bK9ikj8", vias.get(1).branch().orElseThrow());
      assertEquals("192.168.255.111", vias.get(2).host());
      assertEquals("z9hG4bK30239", vias.get(2).branch().orElseThrow());
      assertEquals("1918181833n", m.to().tag().orElseThrow());
      assertEquals("98asjd8", m.from().tag().orElseThrow());
      assertEquals("J Rosenberg \\\"", m.from().displayName());
      assertEquals(68, m.maxForwards().getAsInt());
      assertEquals("wsinv.ndaksdj@192.0.2.1", m.callId());
      assertEquals(9, m.cseq().sequence());
      assertEquals(Method.INVITE, m.cseq().method());
      NameAddr contact = m.contacts().get(0);
      assertEquals("Quoted string \"\"", contact.displayName());
      assertEquals("newvalue", contact.params().get("newparam").orElseThrow());
      assertTrue(contact.params().contains("secondparam"));
      assertEquals("0.33", contact.params().get("q").orElseThrow());
      SipUri route = (SipUri) m.routes().get(0).uri();
      assertTrue(route.isLooseRouting());
      assertEquals("value", route.param("unknownwith").orElseThrow());
      assertEquals(List.of("newfangled value continued newfangled value"),
          m.headers().values(HeaderName.of("NewFangledHeader")));
      assertEquals(List.of(";;,,;;,;"), m.headers().values(HeaderName.of("UnknownHeaderWithUnusualValue")));
      assertEquals(List.of(""), m.headers().values(HeaderName.SUBJECT));
      assertTrue(m.contentType().orElseThrow().is("application/sdp"));
      assertEquals(150, m.bodyLength());
    });
    accept("intmeth.dat", m -> {
      SipRequest r = (SipRequest) m;
      assertEquals("!interesting-Method0123456789_*+`.%indeed'~", r.method().name());
      assertFalse(r.method().isKnown());
      SipUri uri = (SipUri) r.requestUri();
      assertEquals("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", uri.user());
      assertEquals("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", uri.password());
      assertEquals("example.com", uri.host());
      assertEquals("BEL:\u0007 NUL:\u0000 DEL:\u007f", m.to().displayName());
      assertEquals("token1~` token2'+_ token3*%!.-", m.from().displayName());
      assertEquals("\"работающий\"", m.from().params().get("fromParam''~+*_!.-%").orElseThrow());
      assertEquals("_token~1'+`*%!-.", m.from().tag().orElseThrow());
      assertEquals("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", m.callId());
      assertEquals(r.method(), m.cseq().method());
      assertEquals(List.of("\uFEFF大停電"), m.headers().values(HeaderName.of("extensionHeader-!.%*+_`'~")));
    });
    accept("esc01.dat", m -> {
      SipUri uri = (SipUri) ((SipRequest) m).requestUri();
      assertEquals("sips:user@example.com", uri.user());
      assertEquals(SipUri.parse("sip:user@example.com"), m.to().uri());
      assertEquals("I have spaces", ((SipUri) m.from().uri()).user());
      assertEquals(SipUri.parse("sip:caller@host5.example.net;lr;name=value%2541"),
          m.contacts().get(0).uri());
      assertEquals(150, m.bodyLength());
    });
    accept("escnull.dat", m -> {
      assertEquals("null-\u0000-null", ((SipUri) m.to().uri()).user());
      assertEquals(2, m.contacts().size());
      assertEquals("\u0000\u0000", ((SipUri) m.contacts().get(1).uri()).user());
    });
    accept("esc02.dat", m -> {
      assertEquals("RE%47IST%45R", ((SipRequest) m).method().name());
      assertFalse(((SipRequest) m).method().equals(Method.REGISTER));
      assertEquals("%Z%45", m.from().displayName());
      assertEquals(2, m.contacts().size(), "C%6Fntact is an unknown header, not Contact");
      assertEquals(List.of("<sip:alias2@host2.example.com>"), m.headers().values(HeaderName.of("C%6Fntact")));
    });
    accept("lwsdisp.dat", m -> {
      assertEquals("caller", m.from().displayName());
      assertEquals("323", m.from().tag().orElseThrow());
    });
    accept("longreq.dat", m -> {
      assertEquals(34, m.vias().size());
      assertEquals("sip33.example.com", m.topVia().host());
      assertTrue(m.vias().get(33).branch().orElseThrow().startsWith("verylonglong"));
      assertTrue(m.to().displayName().startsWith("I have a user name of extreme"));
      assertTrue(((SipUri) m.from().uri()).user().startsWith("amazinglylongcallername"));
      assertEquals(70, m.maxForwards().getAsInt());
    });
    accept("dblreq.dat", m -> {
      assertEquals(Method.REGISTER, ((SipRequest) m).method());
      assertEquals(0, m.bodyLength(), "octets after Content-Length are ignored");
      assertEquals("dblreq.0ha0isndaksdj99sdfafnl3lk233412", m.callId());
    });
    accept("semiuri.dat", m -> {
      SipUri uri = (SipUri) ((SipRequest) m).requestUri();
      assertEquals("user;par=u@example.net", uri.user());
      assertEquals("example.com", uri.host());
      assertTrue(uri.params().isEmpty());
    });
    accept("transports.dat", m -> assertEquals(List.of("UDP", "SCTP", "TLS", "UNKNOWN", "TCP"),
        m.vias().stream().map(Via::transport).toList()));
    accept("mpart01.dat", m -> {
      MediaType type = m.contentType().orElseThrow();
      assertTrue(type.is("multipart/mixed"));
      assertEquals("7a9cbec02ceef655", type.params().get("boundary").orElseThrow());
      assertEquals(553, m.bodyLength());
    });
    accept("unreason.dat", m -> {
      assertEquals(200, ((SipResponse) m).statusCode());
      assertEquals("= 2**3 * 5**2 но сто девяносто девять - простое", ((SipResponse) m).reasonPhrase());
    });
    accept("noreason.dat", m -> {
      assertEquals(100, ((SipResponse) m).statusCode());
      assertEquals("", ((SipResponse) m).reasonPhrase());
    });
    answer("badinv01.dat", 400, HeaderName.VIA);
    answer("clerr.dat", 400, HeaderName.CONTENT_LENGTH);
    answer("ncl.dat", 400, HeaderName.CONTENT_LENGTH);
    answer("scalar02.dat", 400, HeaderName.CSEQ);
    drop("scalarlg.dat");
    answer("quotbal.dat", 400, HeaderName.TO);
    answer("ltgtruri.dat", 400, null);
    answer("lwsruri.dat", 400, null);
    answer("lwsstart.dat", 400, null);
    answer("trws.dat", 400, null);
    answer("escruri.dat", 400, null);
    // RFC 4475 3.1.2.12: the Date value is not needed to process the request; accepting it is
    // the liberal choice the RFC allows.
    accept("baddate.dat", m -> assertEquals(List.of("Fri, 01 Jan 2010 16:00:00 EST"),
        m.headers().values(HeaderName.DATE)));
    // RFC 3261 section 20: a URI with "?" must be in <>; the strict choice of RFC 4475 3.1.2.13.
    answer("regbadct.dat", 400, HeaderName.CONTACT);
    answer("badaspec.dat", 400, HeaderName.TO);
    answer("baddn.dat", 400, HeaderName.FROM);
    answer("badvers.dat", 505, null);
    answer("mismatch01.dat", 400, HeaderName.CSEQ);
    answer("mismatch02.dat", 400, HeaderName.CSEQ);
    drop("bigcode.dat");
    accept("badbranch.dat", m -> {
      assertEquals("z9hG4bK", m.topVia().branch().orElseThrow());
      assertEquals(Method.OPTIONS, ((SipRequest) m).method());
    });
    answer("insuf.dat", 400, HeaderName.FROM);
    answer("unkscm.dat", 416, null);
    answer("novelsc.dat", 416, null);
    accept("unksm2.dat", m -> {
      assertInstanceOf(AbsoluteUri.class, m.to().uri());
      assertEquals("isbn", m.to().uri().scheme());
      assertEquals("http://www.example.com", m.from().uri().toString());
      assertEquals("name:John_Smith", m.contacts().get(0).uri().toString());
    });
    answer("bext01.dat", 420, HeaderName.REQUIRE);
    accept("invut.dat", m -> assertTrue(m.contentType().orElseThrow().is("application/unknownformat")));
    accept("regaut01.dat", m -> {
      var auth = m.header(SipHeaders.AUTHORIZATION).value();
      assertEquals("NoOneKnowsThisScheme", auth.scheme());
      assertEquals("here", auth.param("opaque-data").orElseThrow());
    });
    answer("multi01.dat", 400, HeaderName.CSEQ);
    answer("mcl01.dat", 400, HeaderName.CONTENT_LENGTH);
    accept("bcast.dat", m -> assertEquals("255.255.255.255", m.vias().get(1).host()));
    accept("zeromf.dat", m -> assertEquals(0, m.maxForwards().getAsInt()));
    accept("cparam01.dat", m -> {
      NameAddr contact = m.contacts().get(0);
      assertTrue(((SipUri) contact.uri()).params().isEmpty(), "bare addr-spec: params are the header's");
      assertTrue(contact.params().contains("unknownparam"));
    });
    accept("cparam02.dat", m -> {
      NameAddr contact = m.contacts().get(0);
      assertTrue(((SipUri) contact.uri()).params().contains("unknownparam"), "inside <>: the URI's");
      assertTrue(contact.params().isEmpty());
    });
    accept("regescrt.dat", m -> assertEquals("%3Csip:sip.example.com%3E",
        ((SipUri) m.contacts().get(0).uri()).headers().get("Route").orElseThrow()));
    accept("sdp01.dat", m -> assertEquals("text/nobodyKnowsThis",
        m.headers().first(HeaderName.ACCEPT).orElseThrow()));
    accept("inv2543.dat", m -> {
      assertFalse(m.maxForwards().isPresent());
      assertFalse(m.topVia().branch().isPresent());
      assertFalse(m.from().tag().isPresent());
      assertTrue(m.bodyLength() > 0, "no Content-Length on UDP: the body is the rest");
    });
  }

  static Stream<Arguments> index() throws IOException {
    String index = new String(resource("INDEX.tsv"), StandardCharsets.UTF_8);
    return index.lines().skip(1).filter(l -> !l.isBlank()).map(l -> {
      String[] cols = l.split("\t");
      return Arguments.of(cols[0], cols[1], cols[2]);
    });
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Rfc4475Test.class.getResourceAsStream("/rfc4475/" + name)) {
      assertNotNull(in, "missing test resource rfc4475/" + name);
      return in.readAllBytes();
    }
  }

  @ParameterizedTest(name = "{0} (RFC 4475 section {1}, {2})")
  @MethodSource("index")
  void verdictMatchesRfc4475(String file, String section, String kind) throws IOException {
    Expected expected = EXPECTED.get(file);
    assertNotNull(expected, "no expectation for " + file);
    byte[] datagram = resource(file);
    ParseResult result = new SipParser(ParserLimits.DEFAULTS).parseDatagram(datagram);
    switch (expected.verdict) {
      case ACCEPT:
        if (!(result instanceof ParseResult.Parsed)) {
          fail(file + " should parse, got " + result);
        }
        SipMessage message = ((ParseResult.Parsed) result).message();
        expected.fields.accept(message);
        assertKeysAgree(message);
        assertEquals(message, parse(SipRenderer.renderBytes(message)), "parse(render(m)) equals m");
        break;
      case ANSWER:
        ParseResult.Malformed m = assertInstanceOf(ParseResult.Malformed.class, result, file);
        assertTrue(m.request(), "a request is answered");
        assertEquals(expected.status, m.status(), file + ": " + m);
        assertEquals(expected.header, m.header(), file + ": " + m);
        if (expected.header != null && expected.status == 400) {
          assertTrue(m.reason().contains(expected.header.name()), "the reason names the header: " + m.reason());
        }
        assertTrue(m.answerable(), "the Via was read, so the answer can be sent");
        break;
      default:
        ParseResult.Malformed r = assertInstanceOf(ParseResult.Malformed.class, result, file);
        assertFalse(r.request(), "a malformed response is dropped, never answered");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("index")
  void indexKindAgreesWithVerdict(String file, String section, String kind) {
    Expected expected = EXPECTED.get(file);
    assertNotNull(expected, "no expectation for " + file);
    Set<String> liberal = Set.of("baddate.dat");
    if (kind.equals("valid") || kind.equals("compat") || kind.equals("transaction")) {
      assertEquals(Verdict.ACCEPT, expected.verdict, file);
    } else if (kind.equals("invalid") && !liberal.contains(file)) {
      assertTrue(expected.verdict != Verdict.ACCEPT, file + " is invalid syntax");
    }
  }

  @org.junit.jupiter.api.Test
  void bext01ListsTheUnsupportedRequireTags() throws IOException {
    ParseResult.Malformed m = (ParseResult.Malformed)
        new SipParser(ParserLimits.DEFAULTS).parseDatagram(resource("bext01.dat"));
    assertEquals(List.of("nothingSupportsThis", "nothingSupportsThisEither"), m.unsupported());
  }

  @org.junit.jupiter.api.Test
  void insufNamesEveryMissingHeader() throws IOException {
    ParseResult.Malformed m = (ParseResult.Malformed)
        new SipParser(ParserLimits.DEFAULTS).parseDatagram(resource("insuf.dat"));
    assertEquals("Missing From, To, Call-ID", m.reason());
    assertTrue(m.headers().contains(HeaderName.CSEQ));
    assertTrue(m.answerable(), "the answer goes where the Via says, with what could be read");
  }

  /** The keys recorded while scanning equal what the full typed headers say. */
  static void assertKeysAgree(SipMessage m) {
    assertEquals(m.vias().get(0).branch(), m.topViaBranch());
    assertEquals(m.vias().get(0), m.topVia());
    assertEquals(m.from().tag(), m.fromTag());
    assertEquals(m.to().tag(), m.toTag());
    assertEquals(m.header(SipHeaders.CALL_ID).value(), m.callId());
  }

  private static SipMessage parse(byte[] bytes) {
    ParseResult r = new SipParser(ParserLimits.DEFAULTS).parseDatagram(bytes);
    return assertInstanceOf(ParseResult.Parsed.class, r, () -> new String(bytes, StandardCharsets.UTF_8))
        .message();
  }
}
