package io.tandem.registration;

import io.tandem.routing.CarrierCredentials;
import io.tandem.transport.Peer;
import java.time.Duration;
import java.util.Objects;

/**
 * One outbound registration: to which carrier, as whom, for how long.
 *
 * @param name the carrier's name, for logs
 * @param registrar where REGISTER goes
 * @param domain the host of the Request-URI and of the address of record
 *     ({@code sip:USER@DOMAIN})
 * @param user the user part of the address of record and of Tandem's Contact
 * @param expires the binding lifetime asked for (a 423 raises it to the registrar's Min-Expires)
 * @param retryMin the wait before the first retry after a failure; it doubles with each failure
 * @param retryMax the longest wait between retries
 * @param credentials the carrier's account for its Digest challenges, or null
 */
public record RegistrationSettings(String name, Peer registrar, String domain, String user, Duration expires,
    Duration retryMin, Duration retryMax, CarrierCredentials credentials) {
  public RegistrationSettings {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(registrar, "registrar");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(user, "user");
    if (expires.getSeconds() < 1) {
      throw new IllegalArgumentException("registration " + name + ": expires must be at least 1s, is " + expires);
    }
    if (retryMin.isNegative() || retryMin.isZero() || retryMax.compareTo(retryMin) < 0) {
      throw new IllegalArgumentException("registration " + name + ": need 0 < retry-min <= retry-max, have "
          + retryMin + " and " + retryMax);
    }
  }
}
