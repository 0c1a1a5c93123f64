package io.tandem.call;

import org.slf4j.Logger;

/**
 * What one {@link Call} tells its {@link CallObserver} (metrics, call detail records): each
 * step once, in order. An observer that fails is logged, never the call's problem.
 */
final class Observing {
  private final CallKey key;
  private final CallObserver observer;
  private final Logger log;
  private boolean ringObserved;
  private boolean endObserved;

  Observing(CallKey key, CallObserver observer, Logger log) {
    this.key = key;
    this.observer = observer;
    this.log = log;
  }

  void observe(CallObserver.Event event) {
    try {
      observer.on(event);
    } catch (RuntimeException e) {
      log.warn("call {}: the call observer failed on {}", key, event, e); // never the call's problem
    }
  }

  void attemptEnded(Attempt attempt, int status, String failure) {
    if (!attempt.observedEnd) {
      attempt.observedEnd = true;
      observe(new CallObserver.AttemptEnded(key, attempt.number, attempt.destination.carrier(), status, failure));
    }
  }

  void ringing(int status) {
    if (!ringObserved) {
      ringObserved = true;
      observe(new CallObserver.Ringing(key, status));
    }
  }

  void ended(int status, CallObserver.Party by, String reason) {
    if (!endObserved) {
      endObserved = true;
      observe(new CallObserver.Ended(key, status, by, reason));
    }
  }
}
