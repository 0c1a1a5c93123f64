package io.tandem.routing;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Which final responses from a carrier make the call hunt to the next destination (DESIGN
 * section 5: failover), per route.
 *
 * <p>A 6xx is a global failure: the called party has definitive information that the call
 * fails everywhere (RFC 3261 section 21.6), so it never hunts and is relayed to leg A, as a
 * proxy stops forking on one (RFC 3261 section 16.7 step 5). A transport failure, Timer B and
 * the like are not responses: the Call hunts on those without asking.
 *
 * @param huntOn final statuses (300-699) that move the call to the next destination
 * @param followRedirects whether a 301 or 302 not in {@code huntOn} sends the call to the
 *     Contacts it names that routing allows (the Call tries them, counting against
 *     {@code maxRedirects}); any other 3xx (300, 305, 380) is the caller's, relayed
 * @param maxRedirects the most 3xx responses one call follows, so that two carriers that
 *     redirect to each other cannot loop the call
 * @param provisionalTimeout a destination with no provisional response within this is left
 *     for the next one; null: the call layer's {@code tandem.call.provisional-timeout}
 * @param ringTimeout a destination that rings (18x) this long without answering is cancelled
 *     and the next one tried; null: it rings until the caller gives up
 * @param relayAs final statuses relayed to the caller as another (e.g. a carrier's 503 as
 *     480), when the hunt ends on them
 * @param redirectAnyHost whether a redirect may send the call to a host that is none of the
 *     configured carriers (its Contact's IP address); false: only to a carrier, or where the
 *     routes send the Contact's user
 */
public record HuntPolicy(Set<Integer> huntOn, boolean followRedirects, int maxRedirects,
    Duration provisionalTimeout, Duration ringTimeout, Map<Integer, Integer> relayAs, boolean redirectAnyHost) {

  /** Hunt on 408, 486, 500, 503 and 504; follow up to 3 redirects. */
  public static final HuntPolicy DEFAULTS = new HuntPolicy(Set.of(408, 486, 500, 503, 504), true, 3);

  /** A policy with the call layer's timeouts and every final relayed as it is. */
  public HuntPolicy(Set<Integer> huntOn, boolean followRedirects, int maxRedirects) {
    this(huntOn, followRedirects, maxRedirects, null, null, Map.of());
  }

  /** A policy whose redirects go only where routing allows. */
  public HuntPolicy(Set<Integer> huntOn, boolean followRedirects, int maxRedirects,
      Duration provisionalTimeout, Duration ringTimeout, Map<Integer, Integer> relayAs) {
    this(huntOn, followRedirects, maxRedirects, provisionalTimeout, ringTimeout, relayAs, false);
  }

  /** The status the caller gets for a final {@code status} that ends the hunt. */
  public int relayed(int status) {
    return relayAs.getOrDefault(status, status);
  }

  /** What the Call does with one final response from leg B. */
  public enum Outcome {
    /** Release this destination and try the next one. */
    HUNT,
    /** Try the Contacts of this 3xx (RFC 3261 section 8.1.3.4), within maxRedirects. */
    REDIRECT,
    /** End the hunt: relay this response (or the best so far, see {@link BestResponse}). */
    STOP
  }

  public HuntPolicy {
    huntOn = Set.copyOf(huntOn);
    relayAs = Map.copyOf(relayAs);
    relayAs.forEach((from, to) -> {
      if (from < 300 || from > 699 || to < 300 || to > 699) {
        throw new IllegalArgumentException("a relayed final maps a 300-699 status to another, not " + from + " to " + to);
      }
    });
    for (Duration d : new Duration[] {provisionalTimeout, ringTimeout}) {
      if (d != null && (d.isNegative() || d.isZero())) {
        throw new IllegalArgumentException("a hunt timeout must be positive, not " + d);
      }
    }
    for (int status : huntOn) {
      if (status < 300 || status > 699) {
        throw new IllegalArgumentException("hunt-on code " + status + " is not a 300-699 final");
      }
    }
    if (maxRedirects < 0) {
      throw new IllegalArgumentException("max-redirects must not be negative: " + maxRedirects);
    }
  }

  /**
   * What to do with a final response of {@code status} from the current destination: a 6xx
   * stops (always); a status in {@code huntOn} hunts; a 301 or 302 redirects when
   * {@code followRedirects}; anything else (2xx, other 3xx, 4xx, 5xx) stops.
   */
  public Outcome onFinal(int status) {
    if (status >= 600) {
      return Outcome.STOP;
    }
    if (huntOn.contains(status)) {
      return Outcome.HUNT;
    }
    if ((status == 301 || status == 302) && followRedirects) {
      return Outcome.REDIRECT; // 300 leaves the choice to the caller; 305 and 380 are no new address for the call
    }
    return Outcome.STOP;
  }
}
