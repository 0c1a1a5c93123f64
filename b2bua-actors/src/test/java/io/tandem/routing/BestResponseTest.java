package io.tandem.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** BestResponse.choose: RFC 3261 section 16.7 step 6, one case per rule. */
class BestResponseTest {
  private static int choose(Integer... finals) {
    return BestResponse.choose(List.of(finals));
  }

  @Test
  void noFinalAtAllIs408() {
    assertEquals(408, choose());
  }

  @Test
  void anyGlobalFailureWinsAndTheFirstOne() {
    assertEquals(603, choose(486, 603, 401));
    assertEquals(600, choose(503, 600, 603));
  }

  @Test
  void lowestClassWins() {
    assertEquals(486, choose(486, 503));
    assertEquals(486, choose(503, 486));
    assertEquals(404, choose(500, 404, 504));
  }

  @Test
  void helpfulStatusIsPreferredWithinTheClass() {
    assertEquals(401, choose(486, 401));
    assertEquals(407, choose(404, 407, 401), "the first of the helpful ones");
    assertEquals(484, choose(480, 484));
    assertEquals(486, choose(486, 480), "else the first");
  }

  @Test
  void a503IsNeverForwardedAsIs() {
    assertEquals(500, choose(503));
    assertEquals(500, choose(503, 503));
    assertEquals(500, choose(500, 503));
    assertEquals(504, choose(504, 503), "first of the class");
  }

  @Test
  void nonFinalIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> choose(180));
  }
}
