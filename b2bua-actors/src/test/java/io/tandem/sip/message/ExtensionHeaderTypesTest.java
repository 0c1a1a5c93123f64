package io.tandem.sip.message;

import static io.tandem.sip.message.HeaderTypesTest.invalid;
import static io.tandem.sip.message.HeaderTypesTest.only;
import static io.tandem.sip.message.HeaderTypesTest.valid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.syntax.Text;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Headers from RFC 3261 (Retry-After) and its extensions: REFER (RFC 3515, 3892, 3891), events
 * (RFC 6665), reliable provisional responses (RFC 3262), session timers (RFC 4028), asserted
 * identity (RFC 3325) and Reason (RFC 3326). Same checks as {@link HeaderTypesTest}.
 */
class ExtensionHeaderTypesTest {
  static Stream<Arguments> validValues() {
    return Stream.of(
        valid("Retry-After: seconds only", SipHeaders.RETRY_AFTER, "120", v -> {
          assertEquals(120, only(v).seconds());
          assertNull(only(v).comment());
          assertTrue(only(v).duration().isEmpty());
        }),
        valid("Retry-After: comment and duration", SipHeaders.RETRY_AFTER,
            "18000 (I'm in a meeting);duration=3600", v -> {
              assertEquals(18000, only(v).seconds());
              assertEquals("I'm in a meeting", only(v).comment());
              assertEquals(3600, only(v).duration().getAsLong());
            }),
        valid("Retry-After: LWS around comment, SEMI and EQUAL", SipHeaders.RETRY_AFTER,
            "120  (back soon) ; duration = 60", v -> {
              assertEquals("back soon", only(v).comment());
              assertEquals(60, only(v).duration().getAsLong());
            }),
        valid("Retry-After: nested comment", SipHeaders.RETRY_AFTER, "5 (a (b) c)",
            v -> assertEquals("a (b) c", only(v).comment())),
        valid("Refer-To: URI with an escaped Replaces header", SipHeaders.REFER_TO,
            "<sip:bob@biloxi.example.net?Replaces=12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994>",
            v -> {
              String escaped = only(v).sipUri().orElseThrow().headers().get("Replaces").orElseThrow();
              Replaces replaces = only(SipHeaders.REPLACES.parse(Text.unescape(escaped)));
              assertEquals("12345@192.168.118.3", replaces.callId());
              assertEquals("12345", replaces.toTag());
              assertEquals("5FFE-3994", replaces.fromTag());
            }),
        valid("Refer-To: addr-spec", SipHeaders.REFER_TO, "sip:carol@cleveland.example.org",
            v -> assertEquals(SipUri.parse("sip:carol@cleveland.example.org"), only(v).uri())),
        valid("Referred-By: quoted cid parameter (RFC 3892)", SipHeaders.REFERRED_BY,
            "<sip:referrer@referrer.example>;cid=\"20398823.2UWQFN309shb3@referrer.example\"",
            v -> assertEquals("20398823.2UWQFN309shb3@referrer.example",
                only(v).params().text("cid").orElseThrow())),
        valid("Replaces: call-id, to-tag and from-tag", SipHeaders.REPLACES,
            "425928@bobster.example.org;to-tag=7743;from-tag=6472", v -> {
              assertEquals("425928@bobster.example.org", only(v).callId());
              assertEquals("7743", only(v).toTag());
              assertEquals("6472", only(v).fromTag());
              assertFalse(only(v).earlyOnly());
            }),
        valid("Replaces: tags in any order and early-only", SipHeaders.REPLACES,
            "98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff;early-only", v -> {
              assertEquals("ff87ff", only(v).toTag());
              assertEquals("r33th4x0r", only(v).fromTag());
              assertTrue(only(v).earlyOnly());
            }),
        valid("Replaces: LWS around SEMI and EQUAL", SipHeaders.REPLACES, "a@b ; to-tag = 1 ; from-tag = 2", v -> {
          assertEquals("a@b", only(v).callId());
          assertEquals("1", only(v).toTag());
          assertEquals("2", only(v).fromTag());
        }),
        valid("Event: package only", SipHeaders.EVENT, "presence", v -> {
          assertEquals("presence", only(v).eventPackage());
          assertTrue(only(v).id().isEmpty());
        }),
        valid("Event: template and id", SipHeaders.EVENT, "presence.winfo;id=7", v -> {
          assertEquals("presence.winfo", only(v).eventType());
          assertEquals("presence", only(v).eventPackage());
          assertEquals("7", only(v).id().orElseThrow());
        }),
        valid("Event: LWS around SEMI and EQUAL, quoted parameter", SipHeaders.EVENT,
            "dialog ; id = 12 ;call-id=\"a@b\"", v -> {
              assertEquals("12", only(v).id().orElseThrow());
              assertEquals("a@b", only(v).params().text("call-id").orElseThrow());
            }),
        valid("Subscription-State: active with expires", SipHeaders.SUBSCRIPTION_STATE, "active;expires=3600", v -> {
          assertEquals("active", only(v).state());
          assertEquals(3600, only(v).expires().getAsLong());
          assertFalse(only(v).isTerminated());
        }),
        valid("Subscription-State: terminated with reason and retry-after", SipHeaders.SUBSCRIPTION_STATE,
            "terminated;reason=timeout;retry-after=60", v -> {
              assertTrue(only(v).isTerminated());
              assertEquals("timeout", only(v).reason().orElseThrow());
              assertEquals(60, only(v).retryAfter().getAsLong());
            }),
        valid("Subscription-State: upper case, LWS around SEMI and EQUAL", SipHeaders.SUBSCRIPTION_STATE,
            "PENDING ; expires = 10", v -> {
              assertEquals("pending", only(v).state());
              assertEquals(10, only(v).expires().getAsLong());
            }),
        valid("RSeq: response number", SipHeaders.RSEQ, "988789", v -> assertEquals(988789L, only(v))),
        valid("RAck: RSeq, CSeq and method", SipHeaders.RACK, "776656 1 INVITE",
            v -> assertEquals(new RAck(776656, 1, Method.INVITE), only(v))),
        valid("RAck: tabs and a fold as LWS", SipHeaders.RACK, "776656\t 1\r\n INVITE",
            v -> assertEquals(new RAck(776656, 1, Method.INVITE), only(v))),
        valid("Session-Expires: refresher uac", SipHeaders.SESSION_EXPIRES, "1800;refresher=uac", v -> {
          assertEquals(1800, only(v).seconds());
          assertEquals("uac", only(v).refresher().orElseThrow());
        }),
        valid("Session-Expires: refresher UAS with LWS", SipHeaders.SESSION_EXPIRES, "4000 ; refresher = UAS",
            v -> assertEquals("uas", only(v).refresher().orElseThrow())),
        valid("Session-Expires: no refresher", SipHeaders.SESSION_EXPIRES, "90",
            v -> assertTrue(only(v).refresher().isEmpty())),
        valid("Min-SE: seconds", SipHeaders.MIN_SE, "90", v -> assertEquals(90L, only(v))),
        valid("Min-SE: seconds and a generic parameter", SipHeaders.MIN_SE, "120 ;ext=1",
            v -> assertEquals(120L, only(v))),
        valid("P-Asserted-Identity: sip name-addr and tel addr-spec", SipHeaders.P_ASSERTED_IDENTITY,
            "\"Cullen Jennings\" <sip:fluffy@cisco.com>, tel:+14085264000", v -> {
              assertEquals(2, v.size());
              assertEquals("Cullen Jennings", v.get(0).displayName());
              assertEquals(SipUri.parse("sip:fluffy@cisco.com"), v.get(0).uri());
              assertEquals("+14085264000", assertInstanceOf(TelUri.class, v.get(1).uri()).digits());
            }),
        valid("Reason: SIP cause and text, SWS before SEMI", SipHeaders.REASON,
            "SIP ;cause=487 ;text=\"Request Terminated\"", v -> {
              assertEquals("SIP", only(v).protocol());
              assertEquals(487, only(v).cause().getAsInt());
              assertEquals("Request Terminated", only(v).text().orElseThrow());
            }),
        valid("Reason: Q.850", SipHeaders.REASON, "Q.850;cause=16;text=\"Terminated\"", v -> {
          assertEquals("Q.850", only(v).protocol());
          assertEquals(16, only(v).cause().getAsInt());
        }),
        valid("Reason: two values, COMMA inside the quoted text", SipHeaders.REASON,
            "SIP;cause=200;text=\"Call completed elsewhere, really\", Q.850;cause=16", v -> {
              assertEquals(List.of("SIP", "Q.850"), v.stream().map(Reason::protocol).toList());
              assertEquals("Call completed elsewhere, really", v.get(0).text().orElseThrow());
            }));
  }

  static Stream<Arguments> invalidValues() {
    return Stream.of(
        invalid("Retry-After: not a number", SipHeaders.RETRY_AFTER, "soon"),
        invalid("Retry-After: unterminated comment", SipHeaders.RETRY_AFTER, "120 (back soon"),
        invalid("Retry-After: duration not a number", SipHeaders.RETRY_AFTER, "120;duration=abc"),
        invalid("Retry-After: duration without value", SipHeaders.RETRY_AFTER, "120;duration"),
        invalid("Refer-To: addr-spec with URI headers", SipHeaders.REFER_TO, "sip:bob@biloxi.com?Replaces=abc"),
        invalid("Refer-To: two values", SipHeaders.REFER_TO, "<sip:bob@biloxi.com>, <sip:carol@c.example>"),
        invalid("Referred-By: no closing >", SipHeaders.REFERRED_BY, "<sip:referrer@referrer.example"),
        invalid("Replaces: missing from-tag", SipHeaders.REPLACES, "425928@bobster.example.org;to-tag=7743"),
        invalid("Replaces: missing to-tag", SipHeaders.REPLACES, "425928@bobster.example.org;from-tag=6472"),
        invalid("Replaces: to-tag without value", SipHeaders.REPLACES, "a@b;to-tag;from-tag=2"),
        invalid("Replaces: empty call-id", SipHeaders.REPLACES, ";to-tag=1;from-tag=2"),
        invalid("Event: no event type", SipHeaders.EVENT, ";id=1"),
        invalid("Event: empty parameter", SipHeaders.EVENT, "presence;"),
        invalid("Event: empty event package (RFC 6665 token-nodot)", SipHeaders.EVENT, ".winfo"),
        invalid("Subscription-State: no state", SipHeaders.SUBSCRIPTION_STATE, ";expires=10"),
        invalid("Subscription-State: expires not a number", SipHeaders.SUBSCRIPTION_STATE, "active;expires=soon"),
        invalid("Subscription-State: negative retry-after", SipHeaders.SUBSCRIPTION_STATE,
            "terminated;retry-after=-1"),
        invalid("RSeq: not a number", SipHeaders.RSEQ, "one"),
        invalid("RSeq: two numbers", SipHeaders.RSEQ, "1 2"),
        invalid("RAck: no CSeq number", SipHeaders.RACK, "776656 INVITE"),
        invalid("RAck: no method", SipHeaders.RACK, "776656 1"),
        invalid("Session-Expires: refresher neither uac nor uas", SipHeaders.SESSION_EXPIRES, "1800;refresher=both"),
        invalid("Session-Expires: refresher without value", SipHeaders.SESSION_EXPIRES, "1800;refresher"),
        invalid("Session-Expires: not a number", SipHeaders.SESSION_EXPIRES, "soon"),
        invalid("Min-SE: not a number", SipHeaders.MIN_SE, "ninety"),
        invalid("Min-SE: empty parameter", SipHeaders.MIN_SE, "90;"),
        invalid("P-Asserted-Identity: trailing COMMA", SipHeaders.P_ASSERTED_IDENTITY, "<sip:a@a.example>,"),
        invalid("P-Asserted-Identity: display name without <>", SipHeaders.P_ASSERTED_IDENTITY,
            "Alice sip:a@a.example"),
        invalid("Reason: cause not a number", SipHeaders.REASON, "SIP;cause=abc"),
        invalid("Reason: cause without value", SipHeaders.REASON, "SIP;cause="),
        invalid("Reason: no protocol", SipHeaders.REASON, ";cause=1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validValues")
  void validValueIsReadAloneAndInAMessage(String name, HeaderTypesTest.Valid<?> c) {
    HeaderTypesTest.assertValid(c);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidValues")
  void invalidValueIsRefusedNamingTheHeader(String name, HeaderType<?> type, String value) {
    HeaderTypesTest.assertInvalid(type, value);
  }
}
