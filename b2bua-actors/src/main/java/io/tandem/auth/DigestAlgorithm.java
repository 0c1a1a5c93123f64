package io.tandem.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The digest algorithms Tandem speaks (RFC 7616 section 3.3, RFC 8760 for SIP): MD5 and
 * SHA-256, each also in its "-sess" form, where H(A1) also covers the nonce and cnonce.
 */
public enum DigestAlgorithm {
  MD5("MD5", "MD5", false),
  MD5_SESS("MD5-sess", "MD5", true),
  SHA_256("SHA-256", "SHA-256", false),
  SHA_256_SESS("SHA-256-sess", "SHA-256", true);

  private final String token;
  private final String javaName;
  private final boolean session;

  DigestAlgorithm(String token, String javaName, boolean session) {
    this.token = token;
    this.javaName = javaName;
    this.session = session;
  }

  /** The name in the algorithm parameter, e.g. {@code SHA-256}. */
  public String token() {
    return token;
  }

  /** Whether this is a "-sess" variant (RFC 7616 section 3.4.2). */
  public boolean session() {
    return session;
  }

  /**
   * The algorithm a parameter names, compared case-insensitively; an absent parameter means
   * MD5 (RFC 7616 section 3.3).
   */
  public static Optional<DigestAlgorithm> fromToken(String token) {
    if (token == null) {
      return Optional.of(MD5);
    }
    for (DigestAlgorithm a : values()) {
      if (a.token.equalsIgnoreCase(token)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }

  /** H(data): the lower-case hex digest of the UTF-8 bytes of {@code data}. */
  public String hash(String data) {
    try {
      MessageDigest md = MessageDigest.getInstance(javaName);
      return HexFormat.of().formatHex(md.digest(data.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(javaName + " is required of every Java runtime", e);
    }
  }

  @Override
  public String toString() {
    return token;
  }
}
