package io.tandem.sip.message;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Fresh identifiers for what Tandem generates: tags now, branches and Call-IDs with calls. */
public final class Identifiers {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final HexFormat HEX = HexFormat.of();

  private Identifiers() {}

  /**
   * A fresh From or To tag (RFC 3261 section 19.3: globally unique and cryptographically random
   * with at least 32 bits of randomness; 64 here), as 16 hex digits.
   */
  public static String newTag() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return HEX.formatHex(b);
  }
}
