package io.tandem.app.routing;

import static io.tandem.app.routing.RoutingFixtures.invite;
import static io.tandem.app.routing.RoutingFixtures.policy;
import static io.tandem.app.routing.RoutingFixtures.withRoutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ConfigRoutingPolicy.route: which route an INVITE takes, by its Request-URI user. */
class RouteMatchingTest {
  private static final String UK =
      "{ name = uk, match-user-prefix = \"44\", carriers = [lab, backup] }";
  private static final String US =
      "{ name = us, match-user-regex = \"\\\\+?1[0-9]{10}\", carriers = [backup] }";
  private static final String ANY = "{ name = any, carriers = [v6] }";

  private static String routeName(ConfigRoutingPolicy policy, String requestUri) {
    RoutingDecision d = policy.route(invite(requestUri));
    return d instanceof RoutingDecision.Route ? ((RoutingDecision.Route) d).name() : d.toString();
  }

  @Test
  void noRoutesByDefaultRejects404() {
    assertEquals(new RoutingDecision.Reject(404, "No Route"),
        policy("").route(invite("sip:442071234567@192.0.2.2")));
  }

  @Test
  void prefixMatchesTheStartOfTheUser() {
    ConfigRoutingPolicy p = withRoutes(UK);
    RoutingDecision.Route r =
        assertInstanceOf(RoutingDecision.Route.class, p.route(invite("sip:442071234567@192.0.2.2")));
    assertEquals("uk", r.name());
    assertEquals(List.of(
        new Destination("lab", TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5070)),
        new Destination("backup", TransportProtocol.UDP, new InetSocketAddress("127.0.0.1", 5080))),
        r.destinations(), "in the configured order; port and transport as configured or default");
    assertEquals(HuntPolicy.DEFAULTS, r.hunt());
    assertEquals("404 No Route", reject(p, "sip:3312345678@192.0.2.2"));
    assertEquals("404 No Route", reject(p, "sip:0044207@192.0.2.2"), "a prefix, not a substring");
  }

  @Test
  void regexMustMatchTheWholeUser() {
    ConfigRoutingPolicy p = withRoutes(US);
    assertEquals("us", routeName(p, "sip:+12125550100@192.0.2.2"));
    assertEquals("us", routeName(p, "sip:12125550100@192.0.2.2"));
    assertEquals("404 No Route", reject(p, "sip:121255501009@192.0.2.2"), "one digit too many");
    assertEquals("404 No Route", reject(p, "sip:x12125550100@192.0.2.2"));
  }

  @Test
  void telUriNumberMatchesWithoutVisualSeparators() {
    ConfigRoutingPolicy p = withRoutes(UK, US);
    assertEquals("us", routeName(p, "tel:+1-212-555-0100"));
    assertEquals("uk", routeName(p, "tel:44.20.7123.4567;phone-context=example.com"));
  }

  @Test
  void escapedSipUserIsMatchedDecoded() {
    assertEquals("us", routeName(withRoutes(US), "sip:%2B12125550100@192.0.2.2"));
  }

  @Test
  void firstMatchWins() {
    ConfigRoutingPolicy p = withRoutes(
        "{ name = uk-london, match-user-prefix = \"4420\", carriers = [lab] }", UK, ANY);
    assertEquals("uk-london", routeName(p, "sip:442071234567@192.0.2.2"));
    assertEquals("uk", routeName(p, "sip:441611234567@192.0.2.2"));
    assertEquals("any", routeName(p, "sip:3312345678@192.0.2.2"));
    assertEquals("uk-london", routeName(withRoutes(
        "{ name = uk-london, match-user-prefix = \"4420\", carriers = [lab] }", ANY, UK),
        "sip:442071234567@192.0.2.2"), "an earlier specific route beats a later catch-all");
    assertEquals("any", routeName(withRoutes(ANY, UK), "sip:442071234567@192.0.2.2"),
        "an earlier catch-all shadows what follows");
  }

  @Test
  void requestUriWithoutUserMatchesOnlyACatchAll() {
    assertEquals("404 No Route", reject(withRoutes(UK, US), "sip:192.0.2.2"));
    assertEquals("any", routeName(withRoutes(UK, ANY), "sip:192.0.2.2"));
  }

  @Test
  void perRouteHuntSettingsOverrideTheDefaults() {
    RoutingDecision.Route r = assertInstanceOf(RoutingDecision.Route.class, withRoutes(
        "{ name = strict, carriers = [lab, backup], hunt-on = [486], follow-redirects = false,"
            + " max-redirects = 0 }").route(invite("sip:1@192.0.2.2")));
    assertEquals(new HuntPolicy(java.util.Set.of(486), false, 0), r.hunt());
    assertEquals(HuntPolicy.Outcome.STOP, r.hunt().onFinal(503), "503 not listed: stop");
    assertEquals(HuntPolicy.Outcome.HUNT, r.hunt().onFinal(486));
    assertEquals(HuntPolicy.Outcome.STOP, r.hunt().onFinal(302));
  }

  private static String reject(ConfigRoutingPolicy p, String requestUri) {
    RoutingDecision.Reject r = assertInstanceOf(RoutingDecision.Reject.class, p.route(invite(requestUri)));
    return r.status() + " " + r.reason();
  }
}
