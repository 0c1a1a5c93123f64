package io.tandem.auth;

import io.tandem.sip.message.AuthHeader;
import io.tandem.sip.message.HeaderResult;
import io.tandem.sip.message.HeaderType;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server side of Digest (RFC 3261 section 22, RFC 7616, RFC 8760): issues challenges and
 * checks the credentials that answer them. Thread-safe.
 *
 * <p>Nonces are stateless until used: {@code base64url(issued-millis | 8 random bytes |
 * HMAC-SHA-256(key, both)[0..16])}, with a key drawn per process, so a nonce proves it was
 * issued here and when. It expires {@code nonceTtl} after issue: a right digest on an expired
 * nonce gets {@link Verdict.Stale} (challenge again with stale=true, RFC 7616 section 3.3).
 * Each nonce's last nonce count is kept from its first use to its expiry in a bounded
 * {@link NonceTable}, so a replayed request (nc not above the last) is refused.
 *
 * <p>Only qop=auth is offered and accepted: without qop a request has no count and could be
 * replayed for the nonce's lifetime.
 */
public final class DigestServer {
  /** What to do with a request after looking at its credentials. */
  public sealed interface Verdict {
    /** The credentials are right: {@code username} is who sent it. */
    record Accepted(String username) implements Verdict {}

    /** No credentials for this realm, or not usable here: challenge (stale=false). */
    record Challenge(String reason) implements Verdict {}

    /** The digest is right but the nonce is used up or expired: challenge with stale=true. */
    record Stale(String reason) implements Verdict {}

    /** The credentials are for this realm and wrong (unknown user, wrong password): 403. */
    record Forbidden(String reason) implements Verdict {}

    /** The credentials are malformed or do not match the request: 400. */
    record BadRequest(String reason) implements Verdict {}
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final int NONCE_BYTES = 32;
  private static final int MAC_BYTES = 16;

  private final String realm;
  private final List<DigestAlgorithm> algorithms;
  private final Duration nonceTtl;
  private final Clock clock;
  private final SecretKeySpec key;
  private final NonceTable table;

  /**
   * @param realm the realm of every challenge
   * @param algorithms offered in this order, one challenge each (RFC 8760 section 2.4: the
   *     preferred one, SHA-256, first)
   * @param nonceTtl how long a nonce is good after issue
   * @param maxTrackedNonces most nonces whose count is kept at once
   */
  public DigestServer(String realm, List<DigestAlgorithm> algorithms, Duration nonceTtl, int maxTrackedNonces,
      Clock clock) {
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("at least one algorithm must be offered");
    }
    if (nonceTtl.isNegative() || nonceTtl.isZero()) {
      throw new IllegalArgumentException("nonce-ttl must be positive: " + nonceTtl);
    }
    this.realm = realm;
    this.algorithms = List.copyOf(algorithms);
    this.nonceTtl = nonceTtl;
    this.clock = clock;
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    this.key = new SecretKeySpec(secret, "HmacSHA256");
    this.table = new NonceTable(maxTrackedNonces, nonceTtl.toMillis());
  }

  public String realm() {
    return realm;
  }

  /** One challenge per offered algorithm, in order, all with one fresh nonce. */
  public List<DigestChallenge> challenges(boolean stale) {
    String nonce = newNonce();
    return algorithms.stream()
        .map(a -> new DigestChallenge(realm, nonce, null, a, List.of("auth"), stale))
        .toList();
  }

  /**
   * The verdict on {@code request}'s credentials for this realm, in Proxy-Authorization when
   * {@code proxy}, else in Authorization.
   *
   * @param passwords the password of a user name, empty for an unknown user
   */
  public Verdict check(SipRequest request, boolean proxy, Function<String, Optional<String>> passwords) {
    HeaderType<AuthHeader> type = proxy ? SipHeaders.PROXY_AUTHORIZATION : SipHeaders.AUTHORIZATION;
    HeaderResult<List<AuthHeader>> fields = request.headerValues(type);
    if (fields instanceof HeaderResult.Invalid<List<AuthHeader>> invalid) {
      return new Verdict.BadRequest("invalid " + type + ": " + invalid.reason());
    }
    for (AuthHeader field : fields.value()) {
      if (!field.isDigest() || !field.param("realm").map(realm::equals).orElse(false)) {
        continue; // another scheme, or for another realm (RFC 3261 section 22.3: other proxies')
      }
      DigestParse<DigestCredentials> read = DigestCredentials.parse(field);
      if (read instanceof DigestParse.Invalid<DigestCredentials> bad) {
        return new Verdict.BadRequest(bad.reason());
      }
      return verify(((DigestParse.Ok<DigestCredentials>) read).value(), request.method().name(),
          request.requestUriText(), passwords);
    }
    return new Verdict.Challenge("no credentials for realm " + realm);
  }

  /** The verdict on {@code credentials} presented with a request {@code method} to {@code requestUri}. */
  public Verdict verify(DigestCredentials credentials, String method, String requestUri,
      Function<String, Optional<String>> passwords) {
    if (!realm.equals(credentials.realm())) {
      return new Verdict.Challenge("credentials for realm " + credentials.realm());
    }
    if (!algorithms.contains(credentials.algorithm())) {
      return new Verdict.Challenge("algorithm " + credentials.algorithm() + " not offered");
    }
    long issued = issuedAt(credentials.nonce());
    if (issued < 0) {
      return new Verdict.Challenge("nonce not issued here");
    }
    if (!requestUri.equals(credentials.uri())) {
      // RFC 7616 section 3.4.6: the digest-uri must be the request's target.
      return new Verdict.BadRequest("uri " + credentials.uri() + " is not the Request-URI");
    }
    if (!"auth".equals(credentials.qop())) {
      return new Verdict.Forbidden("qop=auth required, got " + credentials.qop());
    }
    Optional<String> password = passwords.apply(credentials.username());
    if (password.isEmpty()) {
      return new Verdict.Forbidden("unknown user " + credentials.username());
    }
    String expected = Digest.response(credentials.algorithm(), credentials.username(), realm, password.get(),
        method, credentials.uri(), credentials.nonce(), credentials.nc(), credentials.cnonce(), "auth");
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        credentials.response().getBytes(StandardCharsets.US_ASCII))) {
      return new Verdict.Forbidden("wrong digest for user " + credentials.username());
    }
    long now = clock.millis();
    if (now - issued > nonceTtl.toMillis()) {
      return new Verdict.Stale("nonce expired");
    }
    synchronized (table) {
      table.purge(now);
      if (!table.advance(credentials.nonce(), issued, credentials.nonceCount(), now)) {
        return new Verdict.Stale("nonce count " + credentials.nc() + " already seen");
      }
    }
    return new Verdict.Accepted(credentials.username());
  }

  /** Nonces whose count is tracked now (for tests and metrics). */
  public int trackedNonces() {
    synchronized (table) {
      return table.size();
    }
  }

  private String newNonce() {
    ByteBuffer b = ByteBuffer.allocate(NONCE_BYTES);
    b.putLong(clock.millis());
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    b.put(random);
    b.put(mac(b.array(), 16), 0, MAC_BYTES);
    return ENCODER.encodeToString(b.array());
  }

  /** When {@code nonce} was issued here, or -1 if it was not (bad form or MAC). */
  private long issuedAt(String nonce) {
    byte[] raw;
    try {
      raw = DECODER.decode(nonce);
    } catch (IllegalArgumentException e) {
      return -1;
    }
    if (raw.length != NONCE_BYTES) {
      return -1;
    }
    byte[] mac = Arrays.copyOf(mac(raw, 16), MAC_BYTES);
    if (!MessageDigest.isEqual(mac, Arrays.copyOfRange(raw, 16, NONCE_BYTES))) {
      return -1;
    }
    return ByteBuffer.wrap(raw).getLong();
  }

  private byte[] mac(byte[] data, int length) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(data, 0, length);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every Java runtime", e);
    }
  }
}
