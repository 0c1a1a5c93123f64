package io.tandem.app.auth;

import com.typesafe.config.Config;
import io.tandem.app.registrar.RegisterAuthorizer;
import io.tandem.auth.DigestCredentials;
import io.tandem.auth.DigestParse;
import io.tandem.auth.InboundAuth;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipUri;
import io.tandem.transaction.Responses;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The server's digest authentication, of calls and of REGISTER, as {@code tandem.auth} says. */
public final class ServerAuth {
  private static final Logger LOG = LoggerFactory.getLogger(ServerAuth.class);

  private ServerAuth() {}

  /**
   * Digest authentication of callers when a route asks for it ({@code authenticate = true}),
   * configured by {@code tandem.auth}; no route asking, no checks at all.
   */
  public static InboundAuth inbound(Config config, boolean anyRouteAuthenticates,
      Predicate<SipRequest> authenticates) {
    AuthSettings auth = AuthSettings.fromConfig(config);
    if (!anyRouteAuthenticates) {
      return InboundAuth.NONE;
    }
    if (auth.users().isEmpty() && auth.trustedSources().isEmpty()) {
      throw new IllegalArgumentException("a route has authenticate = true, but tandem.auth has no users"
          + " and no trusted-sources: every call on it would be refused");
    }
    LOG.info("Digest authentication on routes with authenticate = true: {}", auth);
    return new DigestInboundAuth(auth, authenticates);
  }

  /**
   * Digest authentication of REGISTER ({@code tandem.registrar.authenticate}) with the
   * {@code tandem.auth} users: challenged with 401 (RFC 3261 section 22.1: a registrar uses
   * WWW-Authenticate), and an account registers its own address of record only (403 for
   * another user's: section 10.3 step 3). Trusted sources register unchallenged.
   */
  public static RegisterAuthorizer register(Config config) {
    if (!config.getBoolean("tandem.registrar.authenticate")) {
      return RegisterAuthorizer.ACCEPT_ALL;
    }
    AuthSettings auth = AuthSettings.fromConfig(config);
    if (auth.users().isEmpty() && auth.trustedSources().isEmpty()) {
      throw new IllegalArgumentException("tandem.registrar.authenticate = true, but tandem.auth has no users and"
          + " no trusted-sources: every REGISTER would be refused");
    }
    DigestInboundAuth digest = new DigestInboundAuth(new AuthSettings(auth.realm(), 401, auth.algorithms(),
        auth.nonceTtl(), auth.maxTrackedNonces(), auth.users(), auth.trustedSources()), register -> true);
    return (register, source) -> {
      if (digest.check(register, source) instanceof InboundAuth.Respond respond) {
        return Optional.of(respond.response());
      }
      Optional<String> account = register.header(SipHeaders.AUTHORIZATION).toOptional()
          .map(DigestCredentials::parse)
          .filter(p -> p instanceof DigestParse.Ok<DigestCredentials>)
          .map(p -> ((DigestParse.Ok<DigestCredentials>) p).value().username());
      String aor = register.to().uri() instanceof SipUri uri ? uri.user() : null;
      if (account.isPresent() && !account.get().equals(aor)) {
        return Optional.of(Responses.builder(register, 403).status(403, "Not Your Address Of Record").build());
      }
      return Optional.empty();
    };
  }
}
