package io.tandem.call;

import io.tandem.auth.DigestChallenge;
import io.tandem.auth.DigestClient;
import io.tandem.auth.DigestCredentials;
import io.tandem.auth.DigestParse;
import io.tandem.routing.CarrierCredentials;
import io.tandem.sip.message.AuthHeader;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.HeaderType;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.Via;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Tandem as the UAC that a carrier challenges on leg B (RFC 3261 sections 22.2 and 22.3): the
 * INVITE again with Authorization (for a 401) or Proxy-Authorization (for a 407), answering
 * each Digest challenge of a realm the carrier's credentials are for, in the order the carrier
 * lists them (RFC 8760 section 2.4: the preferred algorithm first; the first one Tandem can
 * answer per realm wins).
 *
 * <p>The new INVITE is the same request in a new transaction, as section 22.2 asks: the same
 * Call-ID, From (with its tag), To and body, CSeq + 1, a new Via branch. An attempt answers one
 * challenge per realm: a carrier that challenges a realm again refused the credentials.
 */
final class CarrierAuth {
  private final DigestClient client = new DigestClient();
  private final CarrierCredentials credentials;
  /** The realms whose challenge this attempt answered: a second one for a realm fails it. */
  private Set<String> answeredRealms = Set.of();

  /** Answers challenges with {@code credentials} (null: the carrier has none, nothing is answered). */
  CarrierAuth(CarrierCredentials credentials) {
    this.credentials = credentials;
  }

  /** Whether {@code status} is a challenge (401 Unauthorized, 407 Proxy Authentication Required). */
  static boolean isChallenge(int status) {
    return status == 401 || status == 407;
  }

  /**
   * {@code invite} again with credentials for {@code challenge}, with {@code via} on top; empty
   * when the destination has no credentials, none of the challenges is for a realm they
   * answer, or each such realm was answered already by this attempt.
   */
  Optional<SipRequest> answer(SipRequest invite, SipResponse challenge, Via via) {
    if (credentials == null) {
      return Optional.empty();
    }
    boolean proxy = challenge.statusCode() == 407;
    HeaderType<AuthHeader> type = proxy ? SipHeaders.PROXY_AUTHENTICATE : SipHeaders.WWW_AUTHENTICATE;
    HeaderName answerHeader = proxy ? HeaderName.PROXY_AUTHORIZATION : HeaderName.AUTHORIZATION;
    List<String> answered = new ArrayList<>();
    SipRequest.Builder retry = invite.toBuilder();
    for (AuthHeader header : challenge.headerValues(type).toOptional().orElse(List.of())) {
      DigestParse<DigestChallenge> read = DigestChallenge.parse(header);
      if (!(read instanceof DigestParse.Ok<DigestChallenge> ok)) {
        continue; // another scheme, or a Digest challenge Tandem cannot read
      }
      DigestChallenge c = ok.value();
      if (!credentials.answers(c.realm()) || answered.contains(c.realm()) || answeredRealms.contains(c.realm())) {
        continue;
      }
      Optional<DigestCredentials> answer = client.answer(c, Method.INVITE.name(), invite.requestUriText(),
          credentials.username(), credentials.password());
      if (answer.isPresent()) {
        retry.header(answerHeader, answer.get().render());
        answered.add(c.realm());
      }
    }
    if (answered.isEmpty()) {
      return Optional.empty();
    }
    Set<String> realms = new HashSet<>(answeredRealms);
    realms.addAll(answered);
    answeredRealms = Set.copyOf(realms);
    return Optional.of(retry
        .set(HeaderName.VIA, via)
        .set(HeaderName.CSEQ, new CSeq(invite.cseq().sequence() + 1, Method.INVITE))
        .build());
  }
}
