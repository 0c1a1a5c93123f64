package io.tandem.call;

import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.MessageBuilder;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SessionExpires;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.Via;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The RFC 4028 session timer of one leg of a call: the session interval Tandem and that leg's
 * peer agreed on, which of them refreshes, and what Tandem writes into the INVITEs, UPDATEs and
 * 2xx it sends on that leg. Each leg negotiates its own; nothing of one crosses to the other.
 *
 * <pre>
 *   Tandem as UAS (leg A, or a peer's re-INVITE/UPDATE): section 9
 *     Session-Expires below min-se        -> 422 with Min-SE
 *     refresher=uac | refresher=uas       -> as asked
 *     no refresher, Supported: timer      -> the peer (uac), 2xx with Require: timer
 *     no refresher, no Supported: timer   -> Tandem (uas)
 *   Tandem as UAC (leg B, or Tandem's own refresh): sections 7.1 to 7.3
 *     2xx with Session-Expires            -> its interval and refresher
 *     2xx without                         -> Tandem refreshes what it asked for
 *     422 with Min-SE                     -> the INVITE again, asking for that Min-SE
 * </pre>
 *
 * <p>It holds no timers itself: the {@link Call} arms them from {@link #refreshAfter()} (half
 * the interval, section 10) and {@link #expireAfter()} after every successful refresh.
 */
final class SessionTimer {
  private final SessionTimerSettings settings;
  /** The session interval, in seconds. */
  private long interval;
  private boolean tandemRefreshes;
  private boolean peerAllowsUpdate;
  /** The peer answered an UPDATE 405 or 501: refreshes are re-INVITEs from now on. */
  private boolean updateRefused;
  /**
   * Where Tandem refreshes: what is left of the interval when the refresh is due, for the
   * expiry armed then ({@link SessionTimers}); null once armed, or where the peer refreshes.
   */
  Duration expiryAfterRefresh;

  private SessionTimer(SessionTimerSettings settings, long interval) {
    this.settings = settings;
    this.interval = interval;
  }

  /** What this timer agreed, as a plain value ({@link LegState}). */
  LegState.Session state() {
    return new LegState.Session(interval, tandemRefreshes, peerAllowsUpdate, updateRefused);
  }

  /** The timer {@code state} keeps, on a leg brought back on another node. */
  static SessionTimer restore(LegState.Session state, SessionTimerSettings settings) {
    SessionTimer timer = new SessionTimer(settings, state.interval());
    timer.tandemRefreshes = state.tandemRefreshes();
    timer.peerAllowsUpdate = state.peerAllowsUpdate();
    timer.updateRefused = state.updateRefused();
    return timer;
  }

  // ---- Tandem as UAS ----------------------------------------------------------------------

  /**
   * Section 9: the Min-SE for a 422 when {@code request} asks for a session interval below
   * Tandem's min-se; empty when it asks for none or enough, or session timers are off.
   */
  static OptionalLong tooBrief(SipRequest request, SessionTimerSettings settings) {
    long min = settings.minSe().getSeconds();
    Optional<SessionExpires> asked = request.header(SipHeaders.SESSION_EXPIRES).toOptional();
    return settings.enabled() && asked.isPresent() && asked.get().seconds() < min
        ? OptionalLong.of(min)
        : OptionalLong.empty();
  }

  /** The timer of a leg where Tandem answered the INVITE (leg A); null if timers are off. */
  static SessionTimer asUas(SipRequest invite, SessionTimerSettings settings) {
    if (!settings.enabled()) {
      return null;
    }
    SessionTimer timer = new SessionTimer(settings, 0);
    timer.peerAllowsUpdate = allowsUpdate(invite);
    timer.onRequest(invite);
    return timer;
  }

  /**
   * Section 9: an INVITE or UPDATE from the peer, about to be answered 2xx. Its Session-Expires
   * is granted up to Tandem's session-expires, never below its Min-SE or Tandem's min-se; the
   * refresher is the one it names, else the peer if it supports timers, else Tandem. A refresh
   * that asks for nothing leaves the session as it was.
   */
  void onRequest(SipRequest request) {
    Optional<SessionExpires> asked = request.header(SipHeaders.SESSION_EXPIRES).toOptional();
    if (asked.isEmpty() && interval > 0) {
      return;
    }
    long floor = Math.max(settings.minSe().getSeconds(), request.header(SipHeaders.MIN_SE).orElse(0L));
    long wanted = asked.map(SessionExpires::seconds).orElse(settings.sessionExpires().getSeconds());
    interval = Math.max(floor, Math.min(wanted, settings.sessionExpires().getSeconds()));
    Optional<String> refresher = asked.flatMap(SessionExpires::refresher);
    tandemRefreshes = refresher.map("uas"::equals).orElse(!supportsTimer(request));
  }

  /** Section 9: the 2xx Tandem answers on this leg says the interval and who refreshes. */
  void answer(MessageBuilder<?> ok) {
    ok.header(HeaderName.SESSION_EXPIRES, interval + ";refresher=" + (tandemRefreshes ? "uas" : "uac"));
    if (!tandemRefreshes) {
      ok.header(HeaderName.REQUIRE, "timer"); // the peer must refresh: it has to know it
    }
  }

  // ---- Tandem as UAC ----------------------------------------------------------------------

  /**
   * Section 7.1: a leg's first INVITE says Tandem supports timers, the interval it wants and
   * the least it accepts, and leaves the refresher to the answerer.
   */
  static void offer(MessageBuilder<?> invite, SessionTimerSettings settings) {
    if (settings.enabled()) {
      invite.header(HeaderName.SUPPORTED, "timer")
          .header(HeaderName.SESSION_EXPIRES, Long.toString(settings.sessionExpires().getSeconds()))
          .header(HeaderName.MIN_SE, Long.toString(settings.minSe().getSeconds()));
    }
  }

  /**
   * Section 7.3: the INVITE that got {@code tooBrief} (422), sent again asking for its Min-SE:
   * CSeq one more, a new branch, the rest unchanged. Empty when the 422 names no Min-SE above
   * what was asked (nothing to retry with).
   */
  static Optional<SipRequest> raised(SipRequest invite, SipResponse tooBrief, Via via) {
    Optional<Long> minSe = tooBrief.header(SipHeaders.MIN_SE).toOptional();
    long asked = invite.header(SipHeaders.SESSION_EXPIRES).map(SessionExpires::seconds).orElse(0L);
    if (minSe.isEmpty() || minSe.get() <= asked) {
      return Optional.empty();
    }
    return Optional.of(invite.toBuilder()
        .set(HeaderName.VIA, via)
        .set(HeaderName.CSEQ, new CSeq(invite.cseq().sequence() + 1, Method.INVITE))
        .set(HeaderName.SESSION_EXPIRES, minSe.get().toString())
        .set(HeaderName.MIN_SE, minSe.get().toString())
        .build());
  }

  /** The timer of a leg Tandem called (leg B), from its INVITE and the 2xx; null if timers are off. */
  static SessionTimer asUac(SipRequest invite, SipResponse ok, SessionTimerSettings settings) {
    if (!settings.enabled()) {
      return null;
    }
    long asked = invite.header(SipHeaders.SESSION_EXPIRES).map(SessionExpires::seconds)
        .orElse(settings.sessionExpires().getSeconds());
    SessionTimer timer = new SessionTimer(settings, asked);
    timer.peerAllowsUpdate = allowsUpdate(ok);
    timer.onAnswer(ok);
    return timer;
  }

  /**
   * Section 7.2: the 2xx to an INVITE or UPDATE Tandem sent on this leg. Its Session-Expires
   * sets the interval and refresher (refresher=uac is Tandem). Without one the peer runs no
   * timer of its own; Tandem keeps the interval and refreshes itself, so that a peer that has
   * gone away is still found out.
   */
  void onAnswer(SipResponse ok) {
    Optional<SessionExpires> granted = ok.header(SipHeaders.SESSION_EXPIRES).toOptional();
    if (granted.isPresent() && granted.get().seconds() > 0) {
      interval = granted.get().seconds();
      tandemRefreshes = !granted.get().refresher().map("uas"::equals).orElse(false);
    } else {
      tandemRefreshes = true;
    }
  }

  /**
   * Section 7.4: what an INVITE or UPDATE Tandem sends in the dialog (its own refresh, or one
   * relayed from the other leg) says about this leg's session.
   */
  void request(MessageBuilder<?> request) {
    request.header(HeaderName.SUPPORTED, "timer")
        .header(HeaderName.SESSION_EXPIRES, interval + ";refresher=" + (tandemRefreshes ? "uac" : "uas"))
        .header(HeaderName.MIN_SE, Long.toString(Math.min(interval, settings.minSe().getSeconds())));
  }

  // ---- refreshing -------------------------------------------------------------------------

  /** The method of Tandem's refreshes (section 7.4): UPDATE, or re-INVITE where UPDATE will not do. */
  Method refreshMethod() {
    boolean update = switch (settings.refresh()) {
      case UPDATE -> true;
      case INVITE -> false;
      case AUTO -> peerAllowsUpdate;
    };
    return update && !updateRefused ? Method.UPDATE : Method.INVITE;
  }

  /** The peer does not do UPDATE after all (405, 501): the next refresh is a re-INVITE. */
  void updateRefused() {
    updateRefused = true;
  }

  /** Section 10: Tandem refreshes at half the interval when it is the refresher. */
  Optional<Duration> refreshAfter() {
    return tandemRefreshes ? Optional.of(Duration.ofMillis(interval * 500)) : Optional.empty();
  }

  /**
   * Section 10: with no refresh, the session is over (and Tandem sends BYE): where the peer
   * refreshes, at the interval less the smaller of 32 s and a third of it; where Tandem does,
   * a refresh that times out or gets 408/481 ends the call sooner, and one that keeps failing
   * otherwise ends it at the interval itself.
   */
  Duration expireAfter() {
    long millis = interval * 1000;
    return Duration.ofMillis(tandemRefreshes ? millis : millis - Math.min(32_000, millis / 3));
  }

  /** How long Tandem waits to try a refresh again that could not go (an offer in progress, 491). */
  Duration retryAfter() {
    return Duration.ofMillis(interval * 1000 / 8);
  }

  long interval() {
    return interval;
  }

  boolean tandemRefreshes() {
    return tandemRefreshes;
  }

  private static boolean supportsTimer(SipRequest request) {
    return request.headerValues(SipHeaders.SUPPORTED).toOptional().orElse(List.of()).contains("timer")
        || request.headerValues(SipHeaders.REQUIRE).toOptional().orElse(List.of()).contains("timer");
  }

  private static boolean allowsUpdate(SipMessage message) {
    return message.headerValues(SipHeaders.ALLOW).toOptional().orElse(List.of()).contains(Method.UPDATE);
  }
}
