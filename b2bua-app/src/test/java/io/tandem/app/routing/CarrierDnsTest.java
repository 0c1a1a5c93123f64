package io.tandem.app.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.routing.Destination;
import io.tandem.routing.RoutingDecision;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Carriers named by DNS, against a DNS server on loopback: SRV first (lowest priority, then
 * highest weight), the target's A record; without SRV the name's A record at the configured port.
 */
class CarrierDnsTest {
  private static FakeDns dns;

  @BeforeAll
  static void start() throws Exception {
    dns = new FakeDns()
        .srv("_sip._udp.carrier.test",
            new FakeDns.Srv(20, 100, 5099, "backup.carrier.test"),
            new FakeDns.Srv(10, 10, 5071, "light.carrier.test"),
            new FakeDns.Srv(10, 90, 5070, "heavy.carrier.test"))
        .a("heavy.carrier.test", "127.0.0.7")
        .a("light.carrier.test", "127.0.0.8")
        .a("backup.carrier.test", "127.0.0.9")
        .a("plain.carrier.test", "127.0.0.6");
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  private static Destination carrier(String address) {
    ConfigRoutingPolicy p = RoutingFixtures.policy("tandem.dns.servers = [\"127.0.0.1:" + dns.port() + "\"]\n"
        + "tandem.routing.carriers.c { address = \"" + address + "\", port = 5080 }\n"
        + "tandem.routing.routes = [{ name = all, carriers = [c] }]");
    return ((RoutingDecision.Route) p.route(RoutingFixtures.invite("sip:bob@192.0.2.2"))).destinations().get(0);
  }

  @Test
  void srvTheLowestPriorityAndHighestWeightTarget() {
    assertEquals(new InetSocketAddress("127.0.0.7", 5070), carrier("carrier.test").address());
  }

  @Test
  void withoutSrvTheNamesOwnAddressAtThePort() {
    assertEquals(new InetSocketAddress("127.0.0.6", 5080), carrier("plain.carrier.test").address());
  }

  @Test
  void anUnknownNameStopsTheStartNamingTheCarrier() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> carrier("nowhere.carrier.test"));
    assertTrue(e.getMessage().startsWith("tandem.routing.carriers.c.address"), e.getMessage());
    assertTrue(e.getMessage().contains("nowhere.carrier.test"), e.getMessage());
  }

  @Test
  void somethingThatIsNeitherAnAddressNorANameIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> carrier("not a host!"));
    assertTrue(e.getMessage().contains("not an IP address or a host name"), e.getMessage());
  }
}
