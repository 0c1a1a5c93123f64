package io.tandem.app.auth;

import io.tandem.auth.DigestChallenge;
import io.tandem.auth.DigestServer;
import io.tandem.auth.InboundAuth;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.Responses;
import io.tandem.transport.Peer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's {@link InboundAuth}: callers of a route with {@code authenticate = true}, unless
 * they come from a trusted source, answer a Digest challenge before their call starts (RFC 3261
 * section 22.3 for 407 Proxy-Authenticate, the default, as a B2BUA that relays calls stands
 * where a proxy would; 22.2 for 401 WWW-Authenticate).
 *
 * <pre>
 *   INVITE without credentials, or for another realm, or a nonce not issued here -> 407/401
 *   right digest, nonce expired or its nc already seen                            -> 407/401 stale=true
 *   wrong password, unknown user, no qop=auth                                     -> 403
 *   malformed credentials, digest-uri not the Request-URI                         -> 400
 *   right digest                                                                  -> the call starts
 * </pre>
 *
 * <p>Wrong credentials get 403, not another challenge: RFC 3261 section 21.4.4 makes 403 the
 * answer "authorization will not help" with, and a challenge would invite the client to try
 * the same password again (RFC 7616 section 3.3 keeps stale=true for the case where it would
 * help). Each challenge lists every configured algorithm, preferred first (RFC 8760 section
 * 2.4), all with one nonce.
 */
public final class DigestInboundAuth implements InboundAuth {
  private static final Logger LOG = LoggerFactory.getLogger(DigestInboundAuth.class);

  private final DigestServer server;
  private final boolean proxy;
  private final Map<String, String> users;
  private final List<Cidr> trusted;
  private final Predicate<SipRequest> required;

  /**
   * @param settings {@code tandem.auth}
   * @param required whether an INVITE's route authenticates its callers
   */
  public DigestInboundAuth(AuthSettings settings, Predicate<SipRequest> required) {
    this.server = new DigestServer(settings.realm(), settings.algorithms(), settings.nonceTtl(),
        settings.maxTrackedNonces(), java.time.Clock.systemUTC());
    this.proxy = settings.challengeStatus() == 407;
    this.users = Map.copyOf(settings.users());
    this.trusted = List.copyOf(settings.trustedSources());
    this.required = required;
  }

  @Override
  public Decision check(SipRequest invite, Peer source) {
    if (!required.test(invite) || trusted.stream().anyMatch(n -> n.contains(source.remote().getAddress()))) {
      return Accept.INSTANCE;
    }
    DigestServer.Verdict verdict = server.check(invite, proxy, name -> Optional.ofNullable(users.get(name)));
    if (verdict instanceof DigestServer.Verdict.Accepted) {
      return Accept.INSTANCE;
    }
    LOG.debug("INVITE {} from {}: {}", invite.callId(), source, verdict);
    if (verdict instanceof DigestServer.Verdict.Challenge) {
      return new Respond(challenge(invite, false));
    }
    if (verdict instanceof DigestServer.Verdict.Stale) {
      return new Respond(challenge(invite, true));
    }
    if (verdict instanceof DigestServer.Verdict.Forbidden f) {
      LOG.info("INVITE {} from {} refused: {}", invite.callId(), source, f.reason());
      return new Respond(Responses.withToTag(invite, 403));
    }
    LOG.info("INVITE {} from {}: bad credentials: {}", invite.callId(), source,
        ((DigestServer.Verdict.BadRequest) verdict).reason());
    return new Respond(Responses.builder(invite, 400).status(400, "Bad Credentials").build());
  }

  /** 407 (or 401) with one challenge per algorithm, and a To tag (section 8.2.6.2). */
  private SipResponse challenge(SipRequest invite, boolean stale) {
    int status = proxy ? 407 : 401;
    HeaderName header = proxy ? HeaderName.PROXY_AUTHENTICATE : HeaderName.WWW_AUTHENTICATE;
    SipResponse.Builder b = Responses.builder(invite, status);
    for (DigestChallenge c : server.challenges(stale)) {
      b.header(header, c.render());
    }
    return b.build();
  }
}
