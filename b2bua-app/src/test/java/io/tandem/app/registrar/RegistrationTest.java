package io.tandem.app.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.Uri;
import io.tandem.sip.message.Via;
import io.tandem.transaction.Responses;
import io.tandem.transport.Peer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Section 10.3 decisions the end-to-end test does not reach: domains, the auth hook, bad values. */
class RegistrationTest {
  private static final Peer SOURCE = Peer.udp(new InetSocketAddress("192.0.2.1", 5060), null);
  private final MutableClock clock = new MutableClock();
  private final LocationService location = new LocationService(10, 10, clock);

  private static RegistrarSettings settings(Set<String> domains) {
    return new RegistrarSettings(true, domains, Duration.ofSeconds(60), Duration.ofSeconds(3600),
        Duration.ofSeconds(3600), 10, 10, Duration.ofSeconds(30), RegistrarSettings.SendCallsTo.AUTO);
  }

  private SipResponse answer(RegistrarSettings s, RegisterAuthorizer auth, String requestUri, String to,
      String... headers) {
    SipRequest.Builder b = SipRequest.builder(Method.REGISTER, Uri.parse(requestUri))
        .header(HeaderName.VIA, Via.of("UDP", "192.0.2.1", 5060, Via.MAGIC_COOKIE + "-reg1"))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(Uri.parse(to)).withTag("f1"))
        .header(HeaderName.TO, NameAddr.of(Uri.parse(to)))
        .header(HeaderName.CALL_ID, "reg-1@192.0.2.1")
        .header(HeaderName.CSEQ, new CSeq(1, Method.REGISTER));
    for (String h : headers) {
      int colon = h.indexOf(':');
      b.header(HeaderName.of(h.substring(0, colon)), h.substring(colon + 1).trim());
    }
    return new Registration(s, location, auth).answer(b.build(), SOURCE);
  }

  private SipResponse answer(String requestUri, String to, String... headers) {
    return answer(settings(Set.of("example.com")), RegisterAuthorizer.ACCEPT_ALL, requestUri, to, headers);
  }

  @Test
  void onlyTheConfiguredDomains() {
    String contact = "Contact: <sip:pbx@192.0.2.1>";
    assertEquals(200, answer("sip:EXAMPLE.com", "sip:pbx@example.com", contact).statusCode());
    assertEquals(403, answer("sip:other.org", "sip:pbx@other.org", contact).statusCode(), "step 1");
    assertEquals(404, answer("sip:example.com", "sip:pbx@other.org", contact).statusCode(), "step 5");
    assertEquals(200, answer(settings(Set.of()), RegisterAuthorizer.ACCEPT_ALL, "sip:192.0.2.9",
        "sip:other@anything.net", contact).statusCode(), "no domains: any");
  }

  @Test
  void anAorNeedsAUser() {
    assertEquals(404, answer("sip:example.com", "sip:example.com", "Contact: <sip:pbx@192.0.2.1>").statusCode());
    assertEquals(404, answer("sip:example.com", "tel:+442071234567", "Contact: <sip:pbx@192.0.2.1>").statusCode());
  }

  @Test
  void theAuthorizerAnswersFirstAndNothingIsBound() {
    RegisterAuthorizer challenge = (register, source) -> Optional.of(Responses.withToTag(register, 401));
    SipResponse r = answer(settings(Set.of()), challenge, "sip:example.com", "sip:pbx@example.com",
        "Contact: <sip:pbx@192.0.2.1>");
    assertEquals(401, r.statusCode());
    assertEquals(List.of(), location.bindings("pbx"));
  }

  @Test
  void aBadExpiresHeaderIs400AndTheParameterWinsOverTheHeaderUpToMaxExpires() {
    assertEquals(400, answer("sip:example.com", "sip:pbx@example.com", "Contact: <sip:pbx@192.0.2.1>",
        "Expires: soon").statusCode());
    SipResponse ok = answer("sip:example.com", "sip:pbx@example.com",
        "Contact: <sip:pbx@192.0.2.1>;expires=4294967295", "Expires: 100");
    assertEquals(200, ok.statusCode());
    assertEquals("3600", ok.contacts().get(0).params().get("expires").orElseThrow());
  }

  @Test
  void theOkListsEveryBindingWithItsRemainingExpiresAndADate() {
    answer("sip:example.com", "sip:pbx@example.com", "Contact: <sip:a@192.0.2.1>;expires=600");
    clock.advance(Duration.ofSeconds(100));
    SipResponse ok = answer("sip:example.com", "sip:pbx@example.com", "Contact: <sip:b@192.0.2.1>;q=0.1",
        "Expires: 120");
    assertEquals(List.of("<sip:a@192.0.2.1>;expires=500", "<sip:b@192.0.2.1>;q=0.1;expires=120"),
        ok.contacts().stream().map(NameAddr::toString).toList());
    assertEquals("Thu, 01 Jan 2026 00:01:40 GMT", ok.headers().first(HeaderName.DATE).orElseThrow());
    assertTrue(ok.toTag().isPresent());
  }

  @Test
  void minExpiresAboveAnHourDoesNotRefuseAnHour() {
    RegistrarSettings s = new RegistrarSettings(true, Set.of(), Duration.ofSeconds(7200), Duration.ofSeconds(7200),
        Duration.ofSeconds(7200), 10, 10, Duration.ofSeconds(30), RegistrarSettings.SendCallsTo.AUTO);
    assertEquals(200, answer(s, RegisterAuthorizer.ACCEPT_ALL, "sip:example.com", "sip:pbx@example.com",
        "Contact: <sip:a@192.0.2.1>", "Expires: 3600").statusCode(), "step 6: 423 only under an hour");
    assertEquals(423, answer(s, RegisterAuthorizer.ACCEPT_ALL, "sip:example.com", "sip:pbx@example.com",
        "Contact: <sip:a@192.0.2.1>", "Expires: 3599").statusCode());
  }
}
