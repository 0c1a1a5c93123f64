package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.access.AccessControl;
import io.tandem.app.auth.AuthSettings;
import io.tandem.app.registrar.RegistrarSettings;
import io.tandem.app.routing.ConfigRoutingPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Uri;
import io.tandem.sip.message.Via;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The example configurations in conf/examples load as the server loads a file and give the
 * behaviour their comments promise. (Parsed only: their addresses are not loopback.)
 */
class ExampleConfigurationsTest {
  private static SipRequest invite(String requestUri) {
    return SipRequest.builder(Method.INVITE, Uri.parse(requestUri))
        .header(HeaderName.VIA, Via.of("UDP", "203.0.113.5", 5060, Via.MAGIC_COOKIE + "-x1"))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(SipUri.parse("sip:100@203.0.113.5")).withTag("f1"))
        .header(HeaderName.TO, NameAddr.of(Uri.parse(requestUri)))
        .header(HeaderName.CALL_ID, "example-1@203.0.113.5")
        .header(HeaderName.CSEQ, new CSeq(1, Method.INVITE))
        .build();
  }

  @Test
  void registeringPbx() {
    Settings settings = Settings.load(Path.of("../conf/examples/registering-pbx.conf"));
    RegistrarSettings registrar = RegistrarSettings.fromConfig(settings.config());
    assertTrue(registrar.enabled());
    assertTrue(settings.config().getBoolean("tandem.registrar.authenticate"));
    assertEquals("change-me", AuthSettings.fromConfig(settings.config()).users().get("acme-pbx"));
    assertTrue(AccessControl.fromConfig(settings.config()).active());
    // No PBX registered: its numbers get 480, others go out to the carrier.
    ConfigRoutingPolicy routing = ConfigRoutingPolicy.fromConfig(settings.config(), user -> List.of());
    assertEquals(1, routing.probes().size(), "the carrier is health-checked");
    RoutingDecision acme = routing.route(invite("sip:+442079460150@tandem.example"));
    assertEquals(480, assertInstanceOf(RoutingDecision.Reject.class, acme).status());
    RoutingDecision out = routing.route(invite("sip:+15551234567@tandem.example"));
    assertEquals("out", assertInstanceOf(RoutingDecision.Route.class, out).name());
  }

  @Test
  void twoCarriersWithFailover() {
    Settings settings = Settings.load(Path.of("../conf/examples/two-carriers-failover.conf"));
    RoutingDecision uk = ConfigRoutingPolicy.fromConfig(settings.config()).route(invite("sip:02079460000@tandem.example"));
    RoutingDecision.Route route = assertInstanceOf(RoutingDecision.Route.class, uk);
    assertEquals("+442079460000", route.rewrite().dial());
    assertEquals(2, route.destinations().size());
  }
}
