package io.tandem.routing;

import static io.tandem.routing.HuntPolicy.Outcome.HUNT;
import static io.tandem.routing.HuntPolicy.Outcome.REDIRECT;
import static io.tandem.routing.HuntPolicy.Outcome.STOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** HuntPolicy.onFinal: which carrier answers move the call on (DESIGN section 5). */
class HuntPolicyTest {
  private static final HuntPolicy D = HuntPolicy.DEFAULTS;

  @Test
  void defaultsHuntOnBusyUnavailableAndTimeouts() {
    for (int status : new int[] {408, 486, 500, 503, 504}) {
      assertEquals(HUNT, D.onFinal(status), "status " + status);
    }
    assertEquals(Set.of(408, 486, 500, 503, 504), D.huntOn());
    assertEquals(3, D.maxRedirects());
  }

  @Test
  void otherFailuresStop() {
    assertEquals(STOP, D.onFinal(404));
    assertEquals(STOP, D.onFinal(480));
    assertEquals(STOP, D.onFinal(487));
    assertEquals(STOP, D.onFinal(200), "answered");
  }

  @Test
  void globalFailuresAlwaysStop() {
    assertEquals(STOP, D.onFinal(603));
    assertEquals(STOP, D.onFinal(600));
    assertEquals(STOP, new HuntPolicy(Set.of(603), true, 3).onFinal(603),
        "a 6xx never hunts, even when listed (RFC 3261 section 16.7 step 5)");
  }

  @Test
  void redirectIsFollowedOnlyWhenAsked() {
    assertEquals(REDIRECT, D.onFinal(302));
    assertEquals(REDIRECT, D.onFinal(301));
    assertEquals(STOP, new HuntPolicy(D.huntOn(), false, 3).onFinal(302));
    assertEquals(HUNT, new HuntPolicy(Set.of(302), true, 3).onFinal(302),
        "a listed 3xx hunts instead of redirecting");
  }

  @Test
  void customHuntOnReplacesTheDefaults() {
    HuntPolicy onlyBusy = new HuntPolicy(Set.of(486, 480), true, 3);
    assertEquals(HUNT, onlyBusy.onFinal(480));
    assertEquals(STOP, onlyBusy.onFinal(503));
    assertEquals(STOP, onlyBusy.onFinal(408));
  }

  @Test
  void badValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new HuntPolicy(Set.of(180), true, 3));
    assertThrows(IllegalArgumentException.class, () -> new HuntPolicy(Set.of(700), true, 3));
    assertThrows(IllegalArgumentException.class, () -> new HuntPolicy(Set.of(), true, -1));
  }
}
