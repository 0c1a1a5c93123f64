package io.tandem.app.ua;

import java.time.Duration;

/**
 * How a {@link SipUa} acting as a carrier answers each new INVITE (set with
 * {@link SipUa#onInvite}). Responses in a script come from {@link IncomingCall}'s own methods,
 * so a test can also drive a call by hand with {@link #manual()}.
 *
 * <p>Whatever the script, JAIN-SIP's INVITE server transaction sends 100 Trying by itself if
 * nothing else went out within 200 ms (RFC 3261 section 17.2.1), except under {@link #silent()},
 * where the request never reaches a transaction.
 */
public sealed interface Script {

  /** 180 Ringing at once, then after {@code ringFor} 200 OK with {@code sdpAnswer} (may be null). */
  static Script answer(Duration ringFor, String sdpAnswer) {
    return new Answer(ringFor, sdpAnswer);
  }

  /** A final {@code status} (4xx-6xx) at once, nothing before it. */
  static Script reject(int status) {
    return new RingThenReject(null, status);
  }

  /** 180 Ringing at once, then after {@code ringFor} the final {@code status}. */
  static Script ringThenReject(Duration ringFor, int status) {
    return new RingThenReject(ringFor, status);
  }

  /** 180 Ringing and nothing more, until the caller cancels. */
  static Script ringForever() {
    return new RingForever();
  }

  /** 302 Moved Temporarily with {@code Contact: <contactUri>}. */
  static Script redirect(String contactUri) {
    return new Redirect(contactUri);
  }

  /**
   * A dead carrier: every request of the call (INVITE, its retransmissions, CANCEL, ACK) is
   * dropped before JAIN-SIP's transaction layer, so nothing at all is sent back. The INVITE is
   * still recorded on the wire and offered by {@link SipUa#awaitIncoming}.
   */
  static Script silent() {
    return new Silent();
  }

  /**
   * A carrier that asks for Digest credentials: an INVITE without right ones (user
   * {@code user}, password {@code password}, realm {@code realm}) gets {@code status} (401 with
   * WWW-Authenticate or 407 with Proxy-Authenticate, {@code algorithm}, qop=auth, a fresh
   * nonce); one with right ones rings and is answered with {@code sdpAnswer}.
   */
  static Script challenge(int status, String realm, String algorithm, String user, String password, String sdpAnswer) {
    return new Challenge(status, realm, algorithm, user, password, sdpAnswer);
  }

  /** Like {@link #challenge} with credentials nobody has: every INVITE is challenged. */
  static Script challengeAlways(int status, String realm) {
    return new Challenge(status, realm, "MD5", "nobody", null, null);
  }

  /** See {@link #challenge}; {@code password} null: nothing passes. */
  record Challenge(int status, String realm, String algorithm, String user, String password, String sdpAnswer)
      implements Script {}

  /** Nothing automatic: the test answers with {@link IncomingCall#ring()}, {@code answer}... */
  static Script manual() {
    return new Manual();
  }

  /** See {@link #answer}. */
  record Answer(Duration ringFor, String sdpAnswer) implements Script {}

  /** See {@link #reject} ({@code ringFor} null: no 180) and {@link #ringThenReject}. */
  record RingThenReject(Duration ringFor, int status) implements Script {}

  /** See {@link #ringForever}. */
  record RingForever() implements Script {}

  /** See {@link #redirect}. */
  record Redirect(String contactUri) implements Script {}

  /** See {@link #silent}. */
  record Silent() implements Script {}

  /** See {@link #manual}. */
  record Manual() implements Script {}
}
