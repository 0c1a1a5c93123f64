package io.tandem.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.Via;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 4028 negotiation on one leg, as UAS (sections 9) and as UAC (sections 7.1 to 7.3), and its timers (10). */
class SessionTimerTest {
  /** 1800 s asked for, 90 s the least accepted, refresh method chosen by the peer's Allow. */
  private static final SessionTimerSettings SETTINGS = SessionTimerSettings.DEFAULTS;

  private static SipMessage parse(String text) {
    ParseResult r = new SipParser(ParserLimits.DEFAULTS, Set.of("timer")).parseDatagram(text.getBytes(StandardCharsets.UTF_8));
    return assertInstanceOf(ParseResult.Parsed.class, r, text).message();
  }

  /** An INVITE with {@code extra} header lines ("Name: value\r\n" each). */
  private static SipRequest invite(String extra) {
    return (SipRequest) parse("INVITE sip:bob@tandem.example SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-st1\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:alice@a.example>;tag=a1\r\n"
        + "To: <sip:bob@tandem.example>\r\n"
        + "Call-ID: st-1@192.0.2.1\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:alice@192.0.2.1>\r\n"
        + extra
        + "Content-Length: 0\r\n\r\n");
  }

  private static SipResponse response(int status, String extra) {
    return (SipResponse) parse("SIP/2.0 " + status + " X\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-st1\r\n"
        + "From: <sip:alice@a.example>;tag=a1\r\n"
        + "To: <sip:bob@tandem.example>;tag=b1\r\n"
        + "Call-ID: st-1@192.0.2.1\r\n"
        + "CSeq: 1 INVITE\r\n"
        + extra
        + "Content-Length: 0\r\n\r\n");
  }

  /** The headers {@link SessionTimer#answer} puts in a 2xx, as "Session-Expires|Require". */
  private static String answered(SessionTimer timer) {
    SipResponse.Builder ok = SipResponse.builderFor(invite(""), 200);
    timer.answer(ok);
    SipResponse built = ok.build();
    return built.headers().first(HeaderName.SESSION_EXPIRES).orElse("-") + "|"
        + built.headers().first(HeaderName.REQUIRE).orElse("-");
  }

  /**
   * Section 9, leg A: the caller's Session-Expires (capped at Tandem's 1800 s, never below its
   * Min-SE), its refresher if it names one, else the caller when it supports timers.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no timer support, nothing asked       | ''                                                  | 1800;refresher=uas | -",
      "Supported: timer, no Session-Expires  | Supported: timer\\r\\n                                | 1800;refresher=uac | timer",
      "Supported: timer, 600 s               | Supported: timer\\r\\nSession-Expires: 600\\r\\n       | 600;refresher=uac  | timer",
      "refresher=uas chosen by the caller    | Supported: timer\\r\\nSession-Expires: 600;refresher=uas\\r\\n | 600;refresher=uas | -",
      "refresher=uac without Supported       | Session-Expires: 300;refresher=uac\\r\\n              | 300;refresher=uac  | timer",
      "Session-Expires but no Supported      | Session-Expires: 300\\r\\n                            | 300;refresher=uas  | -",
      "more than Tandem grants               | Supported: timer\\r\\nSession-Expires: 7200\\r\\n      | 1800;refresher=uac | timer",
      "the caller's Min-SE above Tandem's    | Supported: timer\\r\\nSession-Expires: 7200\\r\\nMin-SE: 3600\\r\\n | 3600;refresher=uac | timer",
      "Require: timer counts as support      | Require: timer\\r\\n                                  | 1800;refresher=uac | timer",
  })
  void legANegotiation(String name, String headers, String sessionExpires, String require) {
    SessionTimer timer = SessionTimer.asUas(invite(headers.replace("\\r\\n", "\r\n")), SETTINGS);
    assertEquals(sessionExpires + "|" + require, answered(timer));
  }

  /** Section 9: below Tandem's min-se is 422 with Min-SE; at it, or with none asked, is fine. */
  @Test
  void legAIntervalBelowMinSeIsRefusedWithMinSe() {
    assertEquals(OptionalLong.of(90), SessionTimer.tooBrief(invite("Session-Expires: 89\r\n"), SETTINGS));
    assertEquals(OptionalLong.empty(), SessionTimer.tooBrief(invite("Session-Expires: 90\r\n"), SETTINGS));
    assertEquals(OptionalLong.empty(), SessionTimer.tooBrief(invite(""), SETTINGS));
    SessionTimerSettings off = new SessionTimerSettings(false, Duration.ofSeconds(1800), Duration.ofSeconds(90),
        SessionTimerSettings.Refresh.AUTO);
    assertEquals(OptionalLong.empty(), SessionTimer.tooBrief(invite("Session-Expires: 10\r\n"), off));
    assertNull(SessionTimer.asUas(invite(""), off), "timers off: no timer on the leg");
  }

  /** Section 7.1: leg B's INVITE says Supported: timer, the interval wanted and Tandem's Min-SE. */
  @Test
  void legBInviteOffersTheConfiguredInterval() {
    SipRequest.Builder b = invite("").toBuilder();
    SessionTimer.offer(b, SETTINGS);
    SipRequest offered = b.build();
    assertEquals("1800", offered.headers().first(HeaderName.SESSION_EXPIRES).orElseThrow());
    assertEquals("90", offered.headers().first(HeaderName.MIN_SE).orElseThrow());
    assertEquals(List.of("timer"), offered.headers().values(HeaderName.SUPPORTED));
  }

  /** Section 7.2: the 2xx's Session-Expires decides; without one, Tandem refreshes what it asked. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "refresher=uas: the carrier refreshes | Session-Expires: 600;refresher=uas\\r\\n | 600  | false",
      "refresher=uac: Tandem refreshes      | Session-Expires: 600;refresher=uac\\r\\n | 600  | true",
      "no refresher: Tandem, the UAC        | Session-Expires: 600\\r\\n               | 600  | true",
      "no Session-Expires: Tandem anyway    | ''                                     | 1800 | true",
  })
  void legBAnswer(String name, String headers, long interval, boolean tandemRefreshes) {
    SipRequest.Builder b = invite("").toBuilder();
    SessionTimer.offer(b, SETTINGS);
    SessionTimer timer = SessionTimer.asUac(b.build(), response(200, headers.replace("\\r\\n", "\r\n")), SETTINGS);
    assertEquals(interval, timer.interval());
    assertEquals(tandemRefreshes, timer.tandemRefreshes());
    assertEquals(tandemRefreshes ? Optional.of(Duration.ofSeconds(interval / 2)) : Optional.empty(), timer.refreshAfter());
  }

  /** Section 7.3: a 422 is answered by the same INVITE with CSeq+1, a new branch, Session-Expires = Min-SE. */
  @Test
  void a422RaisesTheIntervalToItsMinSe() {
    SipRequest.Builder b = invite("").toBuilder();
    SessionTimer.offer(b, new SessionTimerSettings(true, Duration.ofSeconds(120), Duration.ofSeconds(90),
        SessionTimerSettings.Refresh.AUTO));
    SipRequest first = b.build();
    Via via = Via.of("UDP", "127.0.0.9", 5060, "z9hG4bK-again");
    SipRequest again = SessionTimer.raised(first, response(422, "Min-SE: 600\r\n"), via).orElseThrow();
    assertEquals("600", again.headers().first(HeaderName.SESSION_EXPIRES).orElseThrow());
    assertEquals("600", again.headers().first(HeaderName.MIN_SE).orElseThrow());
    assertEquals(2, again.cseq().sequence());
    assertEquals(Method.INVITE, again.cseq().method());
    assertEquals("z9hG4bK-again", again.topVia().branch().orElseThrow());
    assertEquals(first.callId(), again.callId());
    assertEquals(first.from().tag(), again.from().tag());
    assertEquals(1, again.vias().size());
    assertTrue(SessionTimer.raised(first, response(422, ""), via).isEmpty(), "no Min-SE: nothing to retry with");
    assertTrue(SessionTimer.raised(again, response(422, "Min-SE: 600\r\n"), via).isEmpty(),
        "a Min-SE no higher than what was asked: asking again would get the same");
  }

  /**
   * Section 10: Tandem refreshes at half the interval; a peer that should refresh and does not
   * has the session end at the interval less min(32 s, a third of it); a session Tandem
   * refreshes ends at the interval if no refresh succeeds.
   */
  @ParameterizedTest(name = "{0} s")
  @CsvSource({"1800, 900000, 1768000", "90, 45000, 60000", "3, 1500, 2000"})
  void refreshAndExpiryTimes(long interval, long refreshMillis, long peerExpiryMillis) {
    SessionTimerSettings settings = new SessionTimerSettings(true, Duration.ofSeconds(1800), Duration.ofSeconds(1),
        SessionTimerSettings.Refresh.AUTO);
    SessionTimer tandem = SessionTimer.asUas(invite("Session-Expires: " + interval + ";refresher=uas\r\n"), settings);
    assertEquals(Optional.of(Duration.ofMillis(refreshMillis)), tandem.refreshAfter());
    assertEquals(Duration.ofSeconds(interval), tandem.expireAfter());
    SessionTimer peer = SessionTimer.asUas(invite("Session-Expires: " + interval + ";refresher=uac\r\n"), settings);
    assertEquals(Optional.empty(), peer.refreshAfter());
    assertEquals(Duration.ofMillis(peerExpiryMillis), peer.expireAfter());
  }

  /** Section 7.4: UPDATE when the peer allows it (or the setting says so), else re-INVITE; 405/501 fall back. */
  @Test
  void refreshMethod() {
    SessionTimer allows = SessionTimer.asUas(invite("Allow: INVITE, ACK, BYE, UPDATE\r\n"), SETTINGS);
    assertEquals(Method.UPDATE, allows.refreshMethod());
    allows.updateRefused();
    assertEquals(Method.INVITE, allows.refreshMethod());
    assertEquals(Method.INVITE, SessionTimer.asUas(invite("Allow: INVITE, ACK, BYE\r\n"), SETTINGS).refreshMethod());
    assertEquals(Method.INVITE, SessionTimer.asUas(invite(""), SETTINGS).refreshMethod());
    SessionTimerSettings update = new SessionTimerSettings(true, Duration.ofSeconds(1800), Duration.ofSeconds(90),
        SessionTimerSettings.Refresh.UPDATE);
    assertEquals(Method.UPDATE, SessionTimer.asUas(invite(""), update).refreshMethod());
  }

  /** A refresh in the dialog: the peer may move the refresher; one that asks nothing changes nothing. */
  @Test
  void laterRequestsRenegotiate() {
    SessionTimer timer = SessionTimer.asUas(invite("Supported: timer\r\nSession-Expires: 600\r\n"), SETTINGS);
    assertFalse(timer.tandemRefreshes());
    timer.onRequest(invite("Supported: timer\r\nSession-Expires: 300;refresher=uas\r\n"));
    assertEquals(300, timer.interval());
    assertTrue(timer.tandemRefreshes());
    timer.onRequest(invite(""));
    assertEquals(300, timer.interval());
    assertTrue(timer.tandemRefreshes());
    SipRequest.Builder update = invite("").toBuilder();
    timer.request(update);
    assertEquals("300;refresher=uac", update.build().headers().first(HeaderName.SESSION_EXPIRES).orElseThrow(),
        "in Tandem's own request, Tandem is the uac");
  }

  /** Session-Expires and Min-SE belong to one leg: they are never copied to the other. */
  @Test
  void settingsAreChecked() {
    assertThrows(IllegalArgumentException.class, () -> new CallSettings(Duration.ofSeconds(8), Duration.ZERO,
        List.of(HeaderName.SESSION_EXPIRES)));
    assertThrows(IllegalArgumentException.class, () -> new CallSettings(Duration.ofSeconds(8), Duration.ZERO,
        List.of(HeaderName.MIN_SE)));
    assertThrows(IllegalArgumentException.class, () -> new SessionTimerSettings(true, Duration.ofSeconds(60),
        Duration.ofSeconds(90), SessionTimerSettings.Refresh.AUTO));
    assertThrows(IllegalArgumentException.class, () -> new SessionTimerSettings(true, Duration.ofSeconds(60),
        Duration.ZERO, SessionTimerSettings.Refresh.AUTO));
    assertEquals(SessionTimerSettings.DEFAULTS, CallSettings.fromConfig(ConfigFactory.load()).sessionTimer(),
        "reference.conf says what DEFAULTS says");
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> CallSettings.fromConfig(
        ConfigFactory.parseString("tandem.call.session-timer.refresh = options").withFallback(ConfigFactory.load())));
    assertTrue(bad.getMessage().contains("session-timer.refresh"), bad.getMessage());
  }
}
