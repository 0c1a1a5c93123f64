package io.tandem.auth;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The client side of Digest (RFC 3261 section 22.2 and 22.3, RFC 7616 section 3.4): answers a
 * challenge with credentials for a request. One instance per user of it (a Call); not
 * thread-safe.
 *
 * <p>The cnonce is 128 random bits from {@link SecureRandom}; the nonce count starts at 1 for
 * each nonce and goes up by one with each request answered with it (RFC 7616 section 3.4), so
 * a server that tracks counts accepts every request once. A challenge without qop (RFC 2069)
 * is answered in the legacy form, without cnonce and nc.
 */
public final class DigestClient {
  /** How many nonces' counts are kept: a call meets one or two. */
  private static final int MAX_NONCES = 16;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, Integer> counts = new LinkedHashMap<>(MAX_NONCES, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > MAX_NONCES;
    }
  };

  /**
   * The credentials answering {@code challenge} for a request {@code method} to {@code uri} (the
   * Request-URI as it is sent); empty when the challenge offers qop but not qop=auth (only
   * auth-int, which Tandem does not do).
   */
  public Optional<DigestCredentials> answer(DigestChallenge challenge, String method, String uri,
      String username, String password) {
    DigestAlgorithm algorithm = challenge.algorithm();
    if (challenge.qop().isEmpty()) {
      if (algorithm.session()) {
        return Optional.empty(); // -sess needs a cnonce, which only comes with qop
      }
      String response = Digest.response(algorithm, username, challenge.realm(), password, method, uri,
          challenge.nonce(), null, null, null);
      return Optional.of(new DigestCredentials(username, challenge.realm(), challenge.nonce(), uri, response,
          algorithm, null, challenge.opaque(), null, null));
    }
    if (!challenge.offersAuth()) {
      return Optional.empty();
    }
    String cnonce = cnonce();
    String nc = String.format("%08x", counts.merge(challenge.nonce(), 1, Integer::sum));
    String response = Digest.response(algorithm, username, challenge.realm(), password, method, uri,
        challenge.nonce(), nc, cnonce, "auth");
    return Optional.of(new DigestCredentials(username, challenge.realm(), challenge.nonce(), uri, response,
        algorithm, cnonce, challenge.opaque(), "auth", nc));
  }

  private static String cnonce() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
