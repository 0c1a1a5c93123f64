package io.tandem.call;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.MessageBuilder;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.Responses;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.TransactionUser;
import io.tandem.transport.Peer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.slf4j.Logger;

/**
 * The RFC 4028 session timers of a leg, run in its actor ({@link DialogLeg}): the refresh and
 * expiry timers, the refreshes Tandem sends and what their answers do, and the session headers
 * of what crosses into the leg. What the leg negotiated is its {@link SessionTimer}.
 *
 * <pre>
 *   leg answered or refreshed (2xx) -> arm: Refresh at N/2 where Tandem refreshes, Expiry
 *   Refresh due   -> UPDATE or re-INVITE on the leg (later if an offer is in progress there)
 *     2xx         -> ACK (re-INVITE), arm again
 *     408, 481    -> the call ends (section 10)
 *     405/501     -> an UPDATE becomes a re-INVITE
 *     other       -> tried again N/8 later
 *   Expiry        -> the call ends with BYE on both legs (section 10)
 * </pre>
 */
final class SessionTimers {
  /** Tandem's refresh of the leg whose dialog has {@code callId} is due (section 10). */
  record Refresh(String callId) implements Leg.Command {}

  /** No refresh came in time on the leg whose dialog has {@code callId} (section 10). */
  record Expiry(String callId) implements Leg.Command {}

  /** What the timers need of the leg they run in. */
  interface Legs {
    /** The dialog with {@code callId}, or null (not this one's, or it is ending). */
    Dialog leg(String callId);

    /** Puts the SDP a re-INVITE refresh of {@code leg} offers into {@code refresh}. */
    void offer(Dialog leg, MessageBuilder<?> refresh);

    /** An INVITE or UPDATE is waiting for its answer or ACK on {@code leg}. */
    boolean offerInProgress(Dialog leg);

    void send(SipRequest request, Peer destination);

    /** The session is over: the call ends with BYE on both legs. */
    void end();
  }

  /** A refresh Tandem sent on {@code leg}, and the ACK of its 2xx once it came (re-INVITE). */
  private record Sent(Dialog leg, SipRequest request, SipRequest ack) {}

  private final CallKey key;
  private final SessionTimerSettings settings;
  private final LegMessages messages;
  private final TimerScheduler<TransactionUser> timers;
  private final Logger log;
  private final Legs legs;
  private final Map<TransactionKey, Sent> sent = new HashMap<>();

  SessionTimers(CallKey key, SessionTimerSettings settings, LegMessages messages,
      TimerScheduler<TransactionUser> timers, Logger log, Legs legs) {
    this.key = key;
    this.settings = settings;
    this.messages = messages;
    this.timers = timers;
    this.log = log;
    this.legs = legs;
  }

  /** After {@code leg} was answered or refreshed: its expiry, and its refresh where Tandem refreshes. */
  void arm(Dialog leg) {
    SessionTimer session = leg.sessionTimer;
    if (session == null || legs.leg(leg.callId) != leg) {
      return;
    }
    // One timer at a time while nothing goes wrong: where Tandem refreshes, the expiry is armed
    // only when the refresh is due, for what is left of the interval (the same instant).
    Optional<Duration> refresh = session.refreshAfter();
    if (refresh.isPresent()) {
      timers.cancel(expiryKey(leg));
      session.expiryAfterRefresh = session.expireAfter().minus(refresh.get());
      timers.startSingleTimer(refreshKey(leg), new Refresh(leg.callId), refresh.get());
    } else {
      timers.cancel(refreshKey(leg));
      session.expiryAfterRefresh = null;
      timers.startSingleTimer(expiryKey(leg), new Expiry(leg.callId), session.expireAfter());
    }
  }

  /** The call ends: no more refreshes or expiries on {@code ended} (null entries are skipped). */
  void stop(Dialog... ended) {
    for (Dialog leg : ended) {
      if (leg != null) {
        timers.cancel(expiryKey(leg));
        if (leg.sessionTimer != null) {
          timers.cancel(refreshKey(leg));
        }
      }
    }
  }

  void onRefreshDue(Refresh due) {
    Dialog leg = legs.leg(due.callId());
    if (leg == null || leg.sessionTimer == null) {
      return;
    }
    if (leg.sessionTimer.expiryAfterRefresh != null) {
      timers.startSingleTimer(expiryKey(leg), new Expiry(leg.callId), leg.sessionTimer.expiryAfterRefresh);
      leg.sessionTimer.expiryAfterRefresh = null; // a refresh put off or refused leaves it running
    }
    if (legs.offerInProgress(leg)) {
      // One offer at a time (RFC 3261 section 14.1): the answer to the one in progress
      // refreshes the leg if it is a success; if not, Tandem tries again a little later.
      timers.startSingleTimer(refreshKey(leg), due, leg.sessionTimer.retryAfter());
      return;
    }
    sendRefresh(leg);
  }

  /**
   * Section 7.4: an UPDATE without a body, or a re-INVITE with the SDP Tandem sent on this leg
   * last (the other leg's peer's), unchanged, so that no media changes.
   */
  private void sendRefresh(Dialog leg) {
    Method method = leg.sessionTimer.refreshMethod();
    SipRequest.Builder b = leg.request(method, messages.via(leg.protocol()))
        .header(HeaderName.CONTACT, messages.contact(leg.protocol()));
    leg.sessionTimer.request(b);
    if (Method.INVITE.equals(method)) {
      legs.offer(leg, b);
    }
    SipRequest refresh = b.build();
    sent.values().removeIf(s -> s.leg() == leg && s.ack() != null); // the refresh before this one
    sent.put(TransactionKey.client(refresh), new Sent(leg, refresh, null));
    log.debug("call {}: session refresh {} on {}", key, method, leg.callId);
    legs.send(refresh, leg.destination());
  }

  /** The answer to one of Tandem's own refreshes; false if {@code txKey} is none of them. */
  boolean onResponse(TransactionKey txKey, SipResponse response) {
    Sent own = sent.get(txKey);
    if (own == null || response.statusCode() < 200) {
      return own != null;
    }
    Dialog leg = own.leg();
    if (response.statusCode() >= 300) {
      sent.remove(txKey);
      refused(leg, own.request().method(), response.statusCode());
      return true;
    }
    if (Method.INVITE.equals(own.request().method())) {
      if (own.ack() != null) {
        legs.send(own.ack(), leg.destination()); // a retransmitted 2xx: its ACK was lost
        return true;
      }
      SipRequest ack = leg.ack(own.request().cseq().sequence(), messages.via(leg.protocol())).build();
      sent.put(txKey, new Sent(leg, own.request(), ack));
      legs.send(ack, leg.destination());
    } else {
      sent.remove(txKey);
    }
    if (leg.sessionTimer != null) {
      leg.sessionTimer.onAnswer(response);
      arm(leg);
    }
    return true;
  }

  /** A refresh of Tandem's own timed out (408) or could not be sent (503); false if {@code txKey} is none. */
  boolean onFailure(TransactionKey txKey, int status) {
    Sent own = sent.remove(txKey);
    if (own != null) {
      refused(own.leg(), own.request().method(), status);
    }
    return own != null;
  }

  /**
   * The transaction {@code txKey} has done its work. A re-INVITE that was answered stays: its
   * 2xx may come again (RFC 6026 Accepted, until Timer M) and get its ACK again, until the
   * next refresh on its leg takes its place.
   */
  void onTerminated(TransactionKey txKey) {
    Sent own = sent.get(txKey);
    if (own != null && own.ack() == null) {
      sent.remove(txKey);
    }
  }

  /** A re-INVITE of Tandem's own on {@code leg} (any leg: null) is waiting for its answer. */
  boolean reInviteInProgress(Dialog leg) {
    return sent.values().stream().anyMatch(s -> s.ack() == null && Method.INVITE.equals(s.request().method())
        && (leg == null || s.leg() == leg));
  }

  /**
   * Tandem's refresh failed with {@code status}: a 408 (or no answer at all) or a 481 means the
   * peer or its dialog is gone, and the call ends (section 10); an UPDATE the peer does not do
   * becomes a re-INVITE; anything else is tried again later, until the expiry.
   */
  private void refused(Dialog leg, Method method, int status) {
    if (leg.sessionTimer == null || legs.leg(leg.callId) != leg) {
      return;
    }
    if (status == 408 || status == 481) {
      log.info("call {}: session refresh on {} answered {}, ending both legs", key, leg.callId, status);
      legs.end();
    } else if (Method.UPDATE.equals(method) && (status == 405 || status == 501)) {
      leg.sessionTimer.updateRefused();
      sendRefresh(leg);
    } else {
      timers.startSingleTimer(refreshKey(leg), new Refresh(leg.callId), leg.sessionTimer.retryAfter());
    }
  }

  void onExpiry(Expiry expiry) {
    Dialog leg = legs.leg(expiry.callId());
    if (leg != null && leg.sessionTimer != null) {
      log.info("call {}: no session refresh on {} within its {} s interval, ending both legs",
          key, leg.callId, leg.sessionTimer.interval());
      legs.end();
    }
  }

  // ---- what crosses between the legs --------------------------------------------------------

  /**
   * Section 9: the 422 (with Min-SE) for an INVITE or UPDATE asking for too short a session:
   * leg A's INVITE, answered with Tandem's {@code toTag}, or one in a dialog ({@code toTag} null).
   */
  Optional<SipResponse> tooBrief(SipRequest request, String toTag) {
    return tooBrief(request, toTag, settings);
  }

  /** {@link #tooBrief(SipRequest, String)} under {@code settings}. */
  static Optional<SipResponse> tooBrief(SipRequest request, String toTag, SessionTimerSettings settings) {
    OptionalLong minSe = SessionTimer.tooBrief(request, settings);
    if (minSe.isEmpty()) {
      return Optional.empty();
    }
    SipResponse.Builder b = toTag == null ? Responses.builder(request, 422)
        : SipResponse.builderFor(request, 422).set(HeaderName.TO, request.to().withTag(toTag));
    return Optional.of(b.header(HeaderName.MIN_SE, Long.toString(minSe.getAsLong())).build());
  }


  /** An INVITE or UPDATE Tandem relays onto {@code leg} says that leg's session, not the other's. */
  static SipRequest withSession(Dialog leg, SipRequest relayed) {
    if (leg.sessionTimer == null || !isRefresh(relayed.method())) {
      return relayed;
    }
    SipRequest.Builder b = relayed.toBuilder();
    leg.sessionTimer.request(b);
    return b.build();
  }

  /** A 2xx Tandem answers on {@code leg} says that leg's session (section 9). */
  static SipResponse withSession(Dialog leg, SipResponse ok) {
    if (leg.sessionTimer == null) {
      return ok;
    }
    SipResponse.Builder b = ok.toBuilder();
    leg.sessionTimer.answer(b);
    return b.build();
  }

  /**
   * The answer {@code to} gave a request from {@code from} that Tandem relayed, and the copy of
   * it Tandem answers {@code from} with: a 2xx to an INVITE or UPDATE refreshes both legs, the
   * one it answered as its 2xx grants ({@link #answeredByRelay}), the one it goes back to as its
   * request asked ({@link #grantedByRelay}), and the copy then says that leg's own session.
   */
  SipResponse refreshedByRelay(Dialog from, SipRequest original, Dialog to, SipResponse answer, SipResponse copy) {
    if (to != null && isRefresh(original.method())) {
      answeredByRelay(to, answer);
    }
    return from == null ? copy : grantedByRelay(from, original, copy);
  }

  /** A 2xx {@code to}'s peer gave an INVITE or UPDATE Tandem relayed into {@code to} refreshes it. */
  void answeredByRelay(Dialog to, SipResponse answer) {
    if (answer.statusCode() >= 200 && answer.statusCode() < 300 && to.sessionTimer != null) {
      to.sessionTimer.onAnswer(answer);
      arm(to);
    }
  }

  /**
   * The 2xx ({@code copy}) Tandem answers {@code original}, an INVITE or UPDATE {@code from}'s
   * peer sent, refreshes {@code from} as the request asked, and says so.
   */
  SipResponse grantedByRelay(Dialog from, SipRequest original, SipResponse copy) {
    int status = copy.statusCode();
    if (status < 200 || status >= 300 || !isRefresh(original.method()) || from.sessionTimer == null) {
      return copy;
    }
    from.sessionTimer.onRequest(original);
    arm(from);
    return withSession(from, copy);
  }

  /** The refresh timer's key: the leg's session timer itself (a key that costs nothing). */
  private static Object refreshKey(Dialog leg) {
    return leg.sessionTimer;
  }

  /** The expiry timer's key: the leg's dialog. */
  private static Object expiryKey(Dialog leg) {
    return leg;
  }

  static boolean isRefresh(Method method) {
    return Method.INVITE.equals(method) || Method.UPDATE.equals(method);
  }
}
