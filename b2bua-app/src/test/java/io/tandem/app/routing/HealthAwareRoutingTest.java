package io.tandem.app.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.health.CarrierHealth;
import io.tandem.routing.Destination;
import io.tandem.routing.RoutingDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Routing less the carriers their probes found down, and the health block's settings. */
class HealthAwareRoutingTest {
  private static final ConfigRoutingPolicy POLICY = RoutingFixtures.withRoutes(
      "{ name = all, carriers = [lab, backup, v6] }");

  private static List<String> carriers(RoutingDecision d) {
    return ((RoutingDecision.Route) d).destinations().stream().map(Destination::carrier).toList();
  }

  @Test
  void everyCarrierUpLeavesTheRouteAsItIs() {
    CarrierHealth health = new CarrierHealth();
    health.set("lab", true);
    RoutingDecision plain = POLICY.route(RoutingFixtures.invite("sip:bob@192.0.2.2"));
    RoutingDecision routed = new HealthAwareRouting(POLICY, health).route(RoutingFixtures.invite("sip:bob@192.0.2.2"));
    assertEquals(carriers(plain), carriers(routed));
  }

  @Test
  void aCarrierThatIsDownLeavesTheHuntInOrder() {
    CarrierHealth health = new CarrierHealth();
    health.set("backup", false);
    RoutingDecision d = new HealthAwareRouting(POLICY, health).route(RoutingFixtures.invite("sip:bob@192.0.2.2"));
    assertEquals(List.of("lab", "v6"), carriers(d));
    assertEquals("all", ((RoutingDecision.Route) d).name());
  }

  @Test
  void everyCarrierDownIs503() {
    CarrierHealth health = new CarrierHealth();
    List.of("lab", "backup", "v6").forEach(c -> health.set(c, false));
    assertSame(HealthAwareRouting.ALL_DOWN,
        new HealthAwareRouting(POLICY, health).route(RoutingFixtures.invite("sip:bob@192.0.2.2")));
  }

  @Test
  void healthSettingsAreCheckedWithTheirKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoutingFixtures.policy(
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", health { interval = 0s } }"));
    assertTrue(e.getMessage().startsWith("tandem.routing.carriers.lab.health"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> RoutingFixtures.policy(
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", health { every = 1s } }"));
    assertTrue(e.getMessage().contains("unknown key 'every'"), e.getMessage());
    assertEquals(1, RoutingFixtures.policy(
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", health {} }").probes().size());
  }

  @Test
  void maxCpsLimitsNewLegsPerSecond() {
    ConfigRoutingPolicy p = RoutingFixtures.policy(
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", max-cps = 1 }");
    assertTrue(p.limits().tryAcquireCarrier("lab"));
    assertTrue(!p.limits().tryAcquireCarrier("lab"), "a second leg within the second");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RoutingFixtures.policy(
        "tandem.routing.carriers.lab { address = \"127.0.0.1\", max-cps = -1 }"));
    assertTrue(e.getMessage().startsWith("tandem.routing.carriers.lab.max-cps"), e.getMessage());
  }
}
