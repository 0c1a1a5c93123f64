package io.tandem.call;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The settings of the out-of-dialog relays ({@code tandem.relay} in reference.conf): MESSAGE and
 * PUBLISH ({@link MessageRelay}) and SUBSCRIBE ({@link Subscription}).
 *
 * @param attemptTimeout a leg-B request with no final response within this fails over to the
 *     next destination (a non-INVITE has no provisional to wait for; Timer F's 64*T1 would
 *     outlast leg A's own transaction)
 * @param defaultExpires the duration of a subscription whose SUBSCRIBE and 2xx name no Expires
 * @param subscriptionGrace a subscription neither refreshed nor terminated is forgotten this long
 *     after its expiry
 */
public record RelaySettings(Duration attemptTimeout, Duration defaultExpires, Duration subscriptionGrace) {
  /** The reference.conf defaults. */
  public static final RelaySettings DEFAULTS =
      new RelaySettings(Duration.ofSeconds(4), Duration.ofSeconds(3600), Duration.ofSeconds(32));

  public RelaySettings {
    if (attemptTimeout.isNegative() || attemptTimeout.isZero()) {
      throw new IllegalArgumentException("tandem.relay.attempt-timeout must be positive, is " + attemptTimeout);
    }
    if (defaultExpires.isNegative()) {
      throw new IllegalArgumentException("tandem.relay.default-expires must not be negative, is " + defaultExpires);
    }
    if (subscriptionGrace.isNegative()) {
      throw new IllegalArgumentException(
          "tandem.relay.subscription-grace must not be negative, is " + subscriptionGrace);
    }
  }

  /** Reads {@code tandem.relay}. */
  public static RelaySettings fromConfig(Config config) {
    Config c = config.getConfig("tandem.relay");
    return new RelaySettings(
        c.getDuration("attempt-timeout"), c.getDuration("default-expires"), c.getDuration("subscription-grace"));
  }
}
