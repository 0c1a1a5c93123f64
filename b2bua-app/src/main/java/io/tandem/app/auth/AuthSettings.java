package io.tandem.app.auth;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.tandem.auth.DigestAlgorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code tandem.auth}, read and checked: how callers are challenged on the routes that
 * authenticate them (see reference.conf). Every error names its key.
 *
 * @param realm the realm of the challenges
 * @param challengeStatus 407 (Proxy-Authenticate) or 401 (WWW-Authenticate)
 * @param algorithms offered in this order
 * @param nonceTtl how long a nonce is good
 * @param maxTrackedNonces most nonces whose count is remembered
 * @param users user name to password
 * @param trustedSources networks whose calls are never challenged
 */
public record AuthSettings(String realm, int challengeStatus, List<DigestAlgorithm> algorithms, Duration nonceTtl,
    int maxTrackedNonces, Map<String, String> users, List<Cidr> trustedSources) {
  private static final String PATH = "tandem.auth";

  /** Reads {@code tandem.auth} from {@code config}. */
  public static AuthSettings fromConfig(Config config) {
    Config c = get(PATH, () -> config.getConfig(PATH));
    String realm = get(PATH + ".realm", () -> c.getString("realm"));
    if (realm.isEmpty()) {
      throw new IllegalArgumentException(PATH + ".realm must not be empty");
    }
    int status = get(PATH + ".challenge-status", () -> c.getInt("challenge-status"));
    if (status != 401 && status != 407) {
      throw new IllegalArgumentException(PATH + ".challenge-status: 407 or 401, not " + status);
    }
    List<DigestAlgorithm> algorithms = new ArrayList<>();
    for (String name : get(PATH + ".algorithms", () -> c.getStringList("algorithms"))) {
      DigestAlgorithm a = DigestAlgorithm.fromToken(name).filter(x -> !x.session()).orElseThrow(() ->
          new IllegalArgumentException(PATH + ".algorithms: unknown algorithm '" + name + "' (SHA-256 or MD5)"));
      if (algorithms.contains(a)) {
        throw new IllegalArgumentException(PATH + ".algorithms: '" + name + "' twice");
      }
      algorithms.add(a);
    }
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException(PATH + ".algorithms must name at least one algorithm");
    }
    Duration ttl = get(PATH + ".nonce-ttl", () -> c.getDuration("nonce-ttl"));
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException(PATH + ".nonce-ttl must be positive: " + ttl);
    }
    int maxNonces = get(PATH + ".max-tracked-nonces", () -> c.getInt("max-tracked-nonces"));
    if (maxNonces < 1) {
      throw new IllegalArgumentException(PATH + ".max-tracked-nonces must be at least 1: " + maxNonces);
    }
    Map<String, String> users = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : get(PATH + ".users", () -> c.getObject("users")).entrySet()) {
      if (e.getValue().valueType() != ConfigValueType.STRING) {
        throw new IllegalArgumentException(PATH + ".users." + e.getKey() + ": the password must be a string");
      }
      users.put(e.getKey(), (String) e.getValue().unwrapped());
    }
    List<Cidr> trusted = new ArrayList<>();
    for (String cidr : get(PATH + ".trusted-sources", () -> c.getStringList("trusted-sources"))) {
      try {
        trusted.add(Cidr.parse(cidr));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(PATH + ".trusted-sources: " + e.getMessage(), e);
      }
    }
    return new AuthSettings(realm, status, algorithms, ttl, maxNonces, users, trusted);
  }

  @Override
  public String toString() {
    return "AuthSettings[realm=" + realm + ", challenge-status=" + challengeStatus + ", algorithms=" + algorithms
        + ", nonce-ttl=" + nonceTtl + ", max-tracked-nonces=" + maxTrackedNonces + ", users=" + users.keySet()
        + ", trusted-sources=" + trustedSources.size() + "]";
  }

  private static <T> T get(String key, Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }
}
