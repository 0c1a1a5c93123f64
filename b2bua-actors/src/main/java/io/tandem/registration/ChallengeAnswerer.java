package io.tandem.registration;

import io.tandem.routing.CarrierCredentials;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import java.util.Optional;

/**
 * Answers a 401/407 challenge (RFC 3261 section 22.2) to a request Tandem sent: the
 * Authorization or Proxy-Authorization header to send it again with, or nothing when there are
 * no credentials for that challenge.
 */
@FunctionalInterface
public interface ChallengeAnswerer {
  /** A header and its value. */
  record Answer(HeaderName header, String value) {}

  /** No credentials: every challenge stays unanswered. */
  ChallengeAnswerer NONE = (request, challenge) -> Optional.empty();

  Optional<Answer> answer(SipRequest request, SipResponse challenge);

  /** Digest answers (MD5, SHA-256) with {@code credentials}; {@link #NONE} for null. */
  static ChallengeAnswerer digest(CarrierCredentials credentials) {
    return credentials == null ? NONE : new DigestAnswerer(credentials);
  }
}
