package io.tandem.app.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.auth.Cidr;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The allow list, the refusal mode and the per-source token bucket, on a clock the test moves. */
class AccessControlTest {
  private static final long SECOND = 1_000_000_000L;

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void anEmptyAllowListAdmitsEverySource() throws Exception {
    AccessControl access = new AccessControl(List.of(), false, 0, 20, 10);
    assertEquals(AccessControl.Verdict.ADMIT, access.check(ip("198.51.100.7"), 0));
  }

  @Test
  void sourcesOutsideAllowAreForbiddenOrDropped() throws Exception {
    List<Cidr> allow = List.of(Cidr.parse("192.0.2.0/24"), Cidr.parse("2001:db8::/32"));
    AccessControl reject = new AccessControl(allow, false, 0, 20, 10);
    assertEquals(AccessControl.Verdict.ADMIT, reject.check(ip("192.0.2.200"), 0));
    assertEquals(AccessControl.Verdict.ADMIT, reject.check(ip("2001:db8::5"), 0));
    assertEquals(AccessControl.Verdict.FORBID, reject.check(ip("192.0.3.1"), 0));
    assertEquals(1, reject.counters().forbidden());
    AccessControl drop = new AccessControl(allow, true, 0, 20, 10);
    assertEquals(AccessControl.Verdict.DROP, drop.check(ip("10.0.0.1"), 0));
    assertEquals(1, drop.counters().dropped());
  }

  @Test
  void eachSourceHasItsOwnBucket() throws Exception {
    AccessControl access = new AccessControl(List.of(), false, 2, 3, 10);
    InetAddress a = ip("192.0.2.1");
    for (int i = 0; i < 3; i++) {
      assertEquals(AccessControl.Verdict.ADMIT, access.check(a, 0), "the burst");
    }
    assertEquals(AccessControl.Verdict.THROTTLE, access.check(a, 0));
    assertEquals(AccessControl.Verdict.ADMIT, access.check(ip("192.0.2.2"), 0), "another source is not held back");
    assertEquals(AccessControl.Verdict.ADMIT, access.check(a, SECOND / 2), "one token back after 0.5 s at 2/s");
    assertEquals(AccessControl.Verdict.THROTTLE, access.check(a, SECOND / 2));
    assertEquals(2, access.counters().throttled());
    assertEquals(1, access.retryAfter().getSeconds());
  }

  @Test
  void trackedSourcesAreBounded() throws Exception {
    AccessControl access = new AccessControl(List.of(), false, 1, 1, 2);
    for (int i = 1; i <= 5; i++) {
      access.check(ip("192.0.2." + i), 0);
    }
    assertEquals(2, access.trackedSources());
  }

  @Test
  void settingsAreCheckedWithTheirKey() {
    var base = ConfigFactory.defaultReference();
    assertTrue(AccessControl.fromConfig(base).counters() != null);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AccessControl.fromConfig(
        ConfigFactory.parseString("tandem.access.refuse = ignore").withFallback(base)));
    assertTrue(e.getMessage().startsWith("tandem.access.refuse"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> AccessControl.fromConfig(
        ConfigFactory.parseString("tandem.access.allow = [\"300.1.1.1\"]").withFallback(base)));
    assertTrue(e.getMessage().startsWith("tandem.access.allow"), e.getMessage());
  }
}
