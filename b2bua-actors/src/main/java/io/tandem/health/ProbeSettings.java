package io.tandem.health;

import io.tandem.transport.Peer;
import java.time.Duration;
import java.util.Objects;

/**
 * One carrier's OPTIONS probe.
 *
 * @param carrier the carrier's name
 * @param destination where the OPTIONS go
 * @param interval the wait between the end of one probe and the next
 * @param timeout a probe unanswered this long counts as a failure
 * @param downAfter failures in a row that take the carrier out of the hunt
 * @param upAfter answers in a row that bring it back
 */
public record ProbeSettings(String carrier, Peer destination, Duration interval, Duration timeout, int downAfter,
    int upAfter) {
  public ProbeSettings {
    Objects.requireNonNull(carrier, "carrier");
    Objects.requireNonNull(destination, "destination");
    if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("carrier " + carrier + ": health interval and timeout must be positive");
    }
    if (downAfter < 1 || upAfter < 1) {
      throw new IllegalArgumentException("carrier " + carrier + ": health down-after and up-after must be at least 1");
    }
  }
}
