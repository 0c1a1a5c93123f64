package io.tandem.app.registrar;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.tandem.sip.syntax.Ascii;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code tandem.registrar} (see reference.conf): whether Tandem answers REGISTER, for which
 * domains, the expiry bounds of RFC 3261 section 10.3 and the location service's limits.
 *
 * @param enabled whether REGISTER is served (otherwise 405, and no route may use
 *     {@code registered})
 * @param domains the domains accepted in the Request-URI and the To header, lower case; empty
 *     for any
 * @param minExpires shorter non-zero requests get 423 Interval Too Brief
 * @param maxExpires longer requests are shortened to it
 * @param defaultExpires the expiry when the request gives none
 * @param maxAors the most addresses-of-record with bindings
 * @param maxBindingsPerAor the most Contacts bound to one address-of-record
 * @param sweepInterval how often lapsed bindings are dropped
 * @param sendCallsTo where a call to a binding is sent
 */
public record RegistrarSettings(
    boolean enabled,
    Set<String> domains,
    Duration minExpires,
    Duration maxExpires,
    Duration defaultExpires,
    int maxAors,
    int maxBindingsPerAor,
    Duration sweepInterval,
    SendCallsTo sendCallsTo) {

  private static final String PATH = "tandem.registrar";

  /** Where a call to a registered Contact goes (the Request-URI is the Contact either way). */
  public enum SendCallsTo {
    /** The Contact's address when its host is an IP literal equal to the REGISTER's source IP,
     *  else the source: a Contact naming another address is taken to be behind NAT. */
    AUTO,
    /** The Contact's address when its host is an IP literal, else the source. */
    CONTACT,
    /** Always the REGISTER's source address and transport (over TCP, its connection). */
    SOURCE
  }

  public RegistrarSettings {
    domains = Set.copyOf(domains);
    if (minExpires.isNegative() || maxExpires.compareTo(minExpires) < 0) {
      throw new IllegalArgumentException(PATH + ": need 0 <= min-expires <= max-expires, not "
          + minExpires + " and " + maxExpires);
    }
    if (defaultExpires.compareTo(minExpires) < 0 || defaultExpires.compareTo(maxExpires) > 0) {
      throw new IllegalArgumentException(PATH + ".default-expires " + defaultExpires
          + " is not between min-expires and max-expires");
    }
    if (maxAors < 1 || maxBindingsPerAor < 1) {
      throw new IllegalArgumentException(PATH + ": max-aors and max-bindings-per-aor must be positive");
    }
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException(PATH + ".sweep-interval must be positive");
    }
  }

  /**
   * Reads {@code tandem.registrar}.
   *
   * @throws IllegalArgumentException naming the key, for a missing or bad value
   */
  public static RegistrarSettings fromConfig(Config config) {
    try {
      Config c = config.getConfig(PATH);
      String sendTo = c.getString("send-calls-to").trim();
      SendCallsTo policy;
      try {
        policy = SendCallsTo.valueOf(sendTo.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(PATH + ".send-calls-to: '" + sendTo
            + "' is not auto, contact or source");
      }
      List<String> domains = c.getStringList("domains");
      return new RegistrarSettings(
          c.getBoolean("enabled"),
          domains.stream().map(d -> Ascii.lower(d.trim())).collect(Collectors.toSet()),
          c.getDuration("min-expires"),
          c.getDuration("max-expires"),
          c.getDuration("default-expires"),
          c.getInt("max-aors"),
          c.getInt("max-bindings-per-aor"),
          c.getDuration("sweep-interval"),
          policy);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Whether {@code host} is a domain this registrar serves. */
  public boolean serves(String host) {
    return domains.isEmpty() || domains.contains(Ascii.lower(host));
  }
}
