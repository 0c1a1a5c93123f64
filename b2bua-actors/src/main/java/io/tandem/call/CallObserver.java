package io.tandem.call;

import java.util.Objects;

/**
 * What a node's calls tell the outside about themselves, for metrics and call detail records:
 * one {@link Event} at each step a call takes. Called from the {@link Call} actors, many at a
 * time, so an implementation is thread-safe and never blocks (it hands work to a thread of its
 * own when it has slow work to do); the events of one call arrive in order, one at a time.
 * Events carry no time: the observer stamps them when it gets them, which is when they happened.
 */
@FunctionalInterface
public interface CallObserver {
  /** Observes nothing. */
  CallObserver NONE = event -> {};

  void on(Event event);

  /** Both observers, {@code first} first. */
  static CallObserver both(CallObserver first, CallObserver second) {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(second, "second");
    if (first == NONE) {
      return second;
    }
    return second == NONE ? first : event -> {
      first.on(event);
      second.on(event);
    };
  }

  /** Who ended a call. */
  enum Party {
    CALLER, CALLEE, TANDEM;

    /** The party as CDRs and metric tags name it: {@code caller}, {@code callee}, {@code tandem}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One step of one call. */
  sealed interface Event {
    CallKey key();
  }

  /**
   * Leg A's INVITE arrived: its Call-ID, where it came from, and the From and dialled users as
   * the caller wrote them.
   */
  record Started(CallKey key, String callId, String source, String fromUser, String toUser) implements Event {}

  /** Routing chose {@code route} (not sent for a call routing refused: its {@link Ended} says so). */
  record Routed(CallKey key, String route) implements Event {}

  /**
   * Leg-B INVITE number {@code attempt} went to {@code carrier}: its Call-ID, and the From and
   * dialled users as leg B got them.
   */
  record AttemptStarted(CallKey key, int attempt, String carrier, String callId, String fromUser, String toUser)
      implements Event {}

  /**
   * An attempt is over: its final status, or the status its failure counts as (408 for a
   * timeout, 503 for a transport failure) with {@code failure} naming it ({@code timeout},
   * {@code no-provisional}, {@code transport}); {@code failure} is null for a final received.
   * Sent once per attempt.
   */
  record AttemptEnded(CallKey key, int attempt, String carrier, int status, String failure) implements Event {}

  /** The first provisional above 100 went to leg A. */
  record Ringing(CallKey key, int status) implements Event {}

  /** {@code carrier} answered and leg A got the 2xx. */
  record Answered(CallKey key, String carrier) implements Event {}

  /**
   * The call is over (sent once): the final leg A got (200 for an answered call), who ended it
   * and why ({@code bye}, {@code cancel}, {@code rejected}, {@code max-duration},
   * {@code session-expired}, {@code no-ack}, ...).
   */
  record Ended(CallKey key, int status, Party by, String reason) implements Event {}

  /** One of the call's transactions timed out: RFC 3261 Timer {@code timer} (B, F or H) fired. */
  record TransactionTimedOut(CallKey key, char timer) implements Event {}

  /**
   * The call's actor stopped (after {@link Ended}, once every attempt had its final): nothing
   * more comes for this key.
   */
  record Closed(CallKey key) implements Event {}

  /**
   * The call was brought back on this node from {@code state} (the node that held it is gone):
   * in place of the steps before its answer, which that node observed. A call detail record
   * starts from it, with the instants it carries.
   */
  record Restored(CallKey key, CallState state) implements Event {}

  /** A REFER was accepted (202): the call is being transferred to {@code target}. */
  record ReferReceived(CallKey key, String target, boolean attended) implements Event {}

  /** The transfer the last REFER asked for succeeded (200) or failed with {@code status}. */
  record TransferEnded(CallKey key, boolean succeeded, int status) implements Event {}
}
