package io.tandem.app.routing;

import static io.tandem.app.routing.RoutingFixtures.CARRIERS;
import static io.tandem.app.routing.RoutingFixtures.policy;
import static io.tandem.app.routing.RoutingFixtures.withRoutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.routing.CallLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Reading tandem.routing: the defaults, and each error naming its key and value. */
class RoutingConfigTest {
  @Test
  void referenceDefaults() {
    ConfigRoutingPolicy p = policy("");
    assertEquals(Duration.ofSeconds(5), p.retryAfter());
    for (int i = 0; i < 10_000; i++) {
      assertTrue(p.limits().tryAcquireCall());
    }
    assertFalse(p.limits().tryAcquireCall(), "max-calls = 10000");
  }

  @Test
  void carrierMaxCallsBecomesItsLimit() {
    CallLimits limits = withRoutes().limits();
    assertTrue(limits.tryAcquireCarrier("v6"));
    assertTrue(limits.tryAcquireCarrier("v6"));
    assertFalse(limits.tryAcquireCarrier("v6"), "v6 has max-calls = 2");
  }

  @Test
  void unknownCarrier() {
    refused("tandem.routing.routes[1].carriers", "nowhere",
        CARRIERS + "tandem.routing.routes = [{ name = a, carriers = [lab] },"
            + " { name = b, carriers = [lab, nowhere] }]");
  }

  @Test
  void badTransport() {
    refused("tandem.routing.carriers.lab.transport", "sctp",
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", transport = sctp }");
  }

  @Test
  void hostNameIsNotAnAddress() {
    refused("tandem.routing.carriers.lab.address", "carrier.example",
        "tandem.routing.carriers.lab { address = \"carrier.example\" }");
    refused("tandem.routing.carriers.lab.address", "300.1.1.1",
        "tandem.routing.carriers.lab { address = \"300.1.1.1\" }");
  }

  @Test
  void missingAddressAndBadPort() {
    refused("tandem.routing.carriers.lab.address", "address",
        "tandem.routing.carriers.lab { port = 5070 }");
    refused("tandem.routing.carriers.lab.port", "70000",
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", port = 70000 }");
  }

  @Test
  void misspelledKey() {
    refused("tandem.routing.carriers.lab", "adress",
        "tandem.routing.carriers.lab { adress = \"127.0.0.1\" }");
    refused("tandem.routing.routes[0]", "match-prefix",
        CARRIERS + "tandem.routing.routes = [{ name = a, match-prefix = \"44\", carriers = [lab] }]");
  }

  @Test
  void bothMatchKeys() {
    refused("tandem.routing.routes[0]", "^44",
        CARRIERS + "tandem.routing.routes = [{ name = a, match-user-prefix = \"44\","
            + " match-user-regex = \"^44\", carriers = [lab] }]");
  }

  @Test
  void invalidRegex() {
    refused("tandem.routing.routes[0].match-user-regex", "[0-9",
        CARRIERS + "tandem.routing.routes = [{ name = a, match-user-regex = \"[0-9\","
            + " carriers = [lab] }]");
  }

  @Test
  void huntCodeOutsideTheFinals() {
    refused("tandem.routing.routes[0].hunt-on", "200",
        CARRIERS + "tandem.routing.routes = [{ name = a, carriers = [lab], hunt-on = [486, 200] }]");
    refused("tandem.routing.routes[0].hunt-on", "700",
        CARRIERS + "tandem.routing.routes = [{ name = a, carriers = [lab], hunt-on = [700] }]");
  }

  @Test
  void huntOnA6xxIsRefusedBecauseItNeverHunts() {
    refused("tandem.routing.routes[0].hunt-on", "603",
        CARRIERS + "tandem.routing.routes = [{ name = a, carriers = [lab], hunt-on = [603] }]");
  }

  @Test
  void routeWithoutNameOrCarriers() {
    refused("tandem.routing.routes[0].name", "name",
        CARRIERS + "tandem.routing.routes = [{ carriers = [lab] }]");
    refused("tandem.routing.routes[0].carriers", "at least one",
        CARRIERS + "tandem.routing.routes = [{ name = a, carriers = [] }]");
  }

  @Test
  void negativeLimits() {
    refused("tandem.routing.max-calls", "-1", "tandem.routing.max-calls = -1");
    refused("tandem.routing.carriers.lab.max-calls", "-5",
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", max-calls = -5 }");
    refused("tandem.routing.routes[0].max-redirects", "-1",
        CARRIERS + "tandem.routing.routes = [{ name = a, carriers = [lab], max-redirects = -1 }]");
  }

  /** Reading {@code overrides} fails with a message naming {@code key} and {@code value}. */
  @Test
  void carrierCredentialsReachTheDestinationAndRoutesSayWhetherTheyAuthenticate() {
    ConfigRoutingPolicy p = policy("tandem.routing.carriers.paid { address = \"192.0.2.7\", username = tandem,"
        + " password = \"s3cret\", realm = \"sip.paid.example\" }\n"
        + "tandem.routing.routes = [{ name = sec, match-user-prefix = \"1\", carriers = [paid], authenticate = true },"
        + " { name = open, carriers = [paid] }]");
    io.tandem.routing.RoutingDecision.Route route =
        (io.tandem.routing.RoutingDecision.Route) p.route(RoutingFixtures.invite("sip:123@192.0.2.2"));
    io.tandem.routing.CarrierCredentials c = route.destinations().get(0).credentials();
    assertEquals("tandem", c.username());
    assertEquals("s3cret", c.password());
    assertTrue(c.answers("sip.paid.example"));
    assertFalse(c.answers("other"));
    assertFalse(c.toString().contains("s3cret"), "the password is never printed");
    assertTrue(p.authenticates(RoutingFixtures.invite("sip:123@192.0.2.2")));
    assertFalse(p.authenticates(RoutingFixtures.invite("sip:999@192.0.2.2")), "authenticate defaults to false");
    assertTrue(p.anyAuthenticates());
    io.tandem.routing.RoutingDecision.Route plain = (io.tandem.routing.RoutingDecision.Route)
        withRoutes("{ name = a, carriers = [lab] }").route(RoutingFixtures.invite("sip:1@x"));
    assertEquals(null, plain.destinations().get(0).credentials(), "no username: no credentials");
  }

  @Test
  void usernameWithoutPasswordOrRealmAlone() {
    refused("tandem.routing.carriers.lab", "username and password",
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", username = x }");
    refused("tandem.routing.carriers.lab.realm", "without username",
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", realm = r }");
  }

  /** A route's accept-body-types are media types; one that is not is refused, naming it. */
  @Test
  void acceptBodyTypesOfARoute() {
    refused("tandem.routing.routes[0].accept-body-types", "isup",
        CARRIERS + "tandem.routing.routes = [{ name = a, carriers = [lab], accept-body-types = [isup] }]");
    var route = (io.tandem.routing.RoutingDecision.Route) policy(CARRIERS + "tandem.routing.routes = [{ name = a,"
        + " carriers = [lab], accept-body-types = [\"Application/X-Ocean\"] }]").route(
            RoutingFixtures.invite("sip:bob@192.0.2.2"));
    assertEquals(java.util.List.of("application/x-ocean"), route.bodyTypes());
  }

  private static void refused(String key, String value, String overrides) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> policy(overrides));
    assertTrue(e.getMessage().startsWith(key), e.getMessage());
    assertTrue(e.getMessage().contains(value), e.getMessage());
  }
}
