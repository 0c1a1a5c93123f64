package io.tandem.registration;

import io.tandem.auth.DigestChallenge;
import io.tandem.auth.DigestClient;
import io.tandem.auth.DigestCredentials;
import io.tandem.auth.DigestParse;
import io.tandem.routing.CarrierCredentials;
import io.tandem.sip.message.AuthHeader;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import java.util.List;
import java.util.Optional;

/**
 * A carrier's credentials answering its Digest challenge to Tandem's REGISTER: the first
 * challenge (the carrier's preferred algorithm, RFC 8760 section 2.4) for a realm the
 * credentials are for. One per registration (it keeps nonce counts); not thread-safe.
 */
final class DigestAnswerer implements ChallengeAnswerer {
  private final CarrierCredentials credentials;
  private final DigestClient client = new DigestClient();

  DigestAnswerer(CarrierCredentials credentials) {
    this.credentials = credentials;
  }

  @Override
  public Optional<Answer> answer(SipRequest request, SipResponse challenge) {
    boolean proxy = challenge.statusCode() == 407;
    List<AuthHeader> offered = challenge
        .headerValues(proxy ? SipHeaders.PROXY_AUTHENTICATE : SipHeaders.WWW_AUTHENTICATE)
        .toOptional().orElse(List.of());
    for (AuthHeader header : offered) {
      if (DigestChallenge.parse(header) instanceof DigestParse.Ok<DigestChallenge> ok
          && credentials.answers(ok.value().realm())) {
        Optional<DigestCredentials> answer = client.answer(ok.value(), request.method().name(),
            request.requestUriText(), credentials.username(), credentials.password());
        if (answer.isPresent()) {
          return Optional.of(new Answer(proxy ? HeaderName.PROXY_AUTHORIZATION : HeaderName.AUTHORIZATION,
              answer.get().render()));
        }
      }
    }
    return Optional.empty();
  }
}
