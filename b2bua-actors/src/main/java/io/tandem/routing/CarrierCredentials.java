package io.tandem.routing;

import java.util.Objects;

/**
 * What Tandem answers a carrier's Digest challenge with (RFC 3261 section 22.2): the account
 * the carrier gave it, and optionally the one realm it is for.
 *
 * @param username the user name
 * @param password the password; never printed
 * @param realm the only realm to answer, or null for whatever realm the carrier names
 */
public record CarrierCredentials(String username, String password, String realm) {

  public CarrierCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
  }

  /** Whether these credentials answer a challenge for {@code challengeRealm}. */
  public boolean answers(String challengeRealm) {
    return realm == null || realm.equals(challengeRealm);
  }

  @Override
  public String toString() {
    return "CarrierCredentials[username=" + username + ", realm=" + realm + "]";
  }
}
