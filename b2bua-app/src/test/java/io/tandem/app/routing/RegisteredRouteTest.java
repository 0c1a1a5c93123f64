package io.tandem.app.routing;

import static io.tandem.app.routing.RoutingFixtures.CARRIERS;
import static io.tandem.app.routing.RoutingFixtures.invite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.routing.Destination;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.SipUri;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Routes with {@code registered = true}: the user's Contacts, then the route's carriers, or 480. */
class RegisteredRouteTest {
  private static final Destination PBX_DESK = contact("sip:desk@192.0.2.50:5062");
  private static final Destination PBX_MAIN = contact("sip:main@192.0.2.51");
  private static final RegisteredContacts BOUND =
      user -> Map.of("pbx", List.of(PBX_DESK, PBX_MAIN)).getOrDefault(user, List.of());

  private static Destination contact(String uri) {
    SipUri u = SipUri.parse(uri);
    return new Destination("registered:pbx", TransportProtocol.UDP,
        new InetSocketAddress(u.host(), u.portOrDefault()), u);
  }

  private static ConfigRoutingPolicy policy(RegisteredContacts contacts, String... routes) {
    return ConfigRoutingPolicy.fromConfig(ConfigFactory.parseString(
            CARRIERS + "tandem.routing.routes = [" + String.join(",\n", routes) + "]")
        .withFallback(ConfigFactory.defaultReference()), contacts);
  }

  @Test
  void theUsersContactsInTheirOrderAreTheDestinations() {
    ConfigRoutingPolicy p = policy(BOUND, "{ name = customers, registered = true }");
    RoutingDecision.Route r = assertInstanceOf(RoutingDecision.Route.class, p.route(invite("sip:pbx@192.0.2.2")));
    assertEquals("customers", r.name());
    assertEquals(List.of(PBX_DESK, PBX_MAIN), r.destinations());
  }

  @Test
  void noBindingIs480() {
    ConfigRoutingPolicy p = policy(BOUND, "{ name = customers, registered = true }");
    assertEquals(new RoutingDecision.Reject(480, "Temporarily Unavailable"), p.route(invite("sip:nobody@192.0.2.2")));
    assertEquals(new RoutingDecision.Reject(480, "Temporarily Unavailable"), p.route(invite("sip:192.0.2.2")),
        "a Request-URI without a user names no AOR");
  }

  @Test
  void theRoutesCarriersComeAfterTheContactsAndServeWhenNoneIsBound() {
    ConfigRoutingPolicy p = policy(BOUND, "{ name = pbx, match-user-prefix = pbx, registered = true,"
        + " carriers = [lab], hunt-on = [486, 480] }");
    RoutingDecision.Route r = assertInstanceOf(RoutingDecision.Route.class, p.route(invite("sip:pbx@192.0.2.2")));
    assertEquals(List.of("registered:pbx", "registered:pbx", "lab"),
        r.destinations().stream().map(Destination::carrier).toList());
    assertEquals(java.util.Set.of(486, 480), r.hunt().huntOn());
    RoutingDecision.Route fallback =
        assertInstanceOf(RoutingDecision.Route.class, p.route(invite("sip:pbx-night@192.0.2.2")));
    assertEquals(List.of("lab"), fallback.destinations().stream().map(Destination::carrier).toList());
  }

  @Test
  void aRegisteredRouteWithTheRegistrarOffStopsTheStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> policy(null, "{ name = lab, carriers = [lab] }", "{ name = customers, registered = true }"));
    assertTrue(e.getMessage().startsWith("tandem.routing.routes[1].registered"), e.getMessage());
    assertTrue(e.getMessage().contains("tandem.registrar.enabled"), e.getMessage());
  }

  @Test
  void aRouteWithoutRegisteredStillNeedsACarrier() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> policy(BOUND, "{ name = customers, registered = false }"));
    assertTrue(e.getMessage().startsWith("tandem.routing.routes[0].carriers"), e.getMessage());
  }
}
