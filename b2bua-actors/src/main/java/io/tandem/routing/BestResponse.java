package io.tandem.routing;

import java.util.List;
import java.util.Set;

/**
 * RFC 3261 section 16.7 step 6: the best of the final responses collected while hunting, the
 * one leg A is answered with when no destination answered the call.
 *
 * <p>A B2BUA that hunts through carriers is in the position of a proxy that forked in sequence,
 * so it chooses the way section 16.7 tells a proxy to.
 */
public final class BestResponse {
  /**
   * Statuses a caller can act on and retry with (credentials, another body, without an
   * extension, a longer number): section 16.7 step 6 asks to prefer them within a class.
   */
  private static final Set<Integer> HELPFUL = Set.of(401, 407, 415, 420, 484);

  private BestResponse() {}

  /**
   * The status to answer leg A with, from the finals in the order they arrived:
   *
   * <ul>
   *   <li>none (every destination timed out or failed in transport): 408 Request Timeout;
   *   <li>any 6xx: the first 6xx, since a global failure must reach the caller;
   *   <li>otherwise the lowest class (a 4xx before a 5xx), within it the first of 401, 407,
   *       415, 420 or 484, else the first of the class;
   *   <li>a chosen 503 becomes 500: a 503 upstream would tell the caller that Tandem itself is
   *       unavailable, and make it stop using Tandem.
   * </ul>
   *
   * @param finals the final statuses (200-699) received, in order
   * @throws IllegalArgumentException for a status that is not a final
   */
  public static int choose(List<Integer> finals) {
    if (finals.isEmpty()) {
      return 408;
    }
    Integer best = null;
    for (int status : finals) {
      if (status < 200 || status > 699) {
        throw new IllegalArgumentException("not a final status: " + status);
      }
      if (best == null || better(status, best)) {
        best = status;
      }
    }
    return best == 503 ? 500 : best;
  }

  /** Whether {@code status}, arriving later, beats {@code best}; earlier wins ties. */
  private static boolean better(int status, int best) {
    int cls = status / 100;
    int bestCls = best / 100;
    if (bestCls == 6) {
      return false;
    }
    if (cls == 6) {
      return true;
    }
    if (cls != bestCls) {
      return cls < bestCls;
    }
    return HELPFUL.contains(status) && !HELPFUL.contains(best);
  }
}
