package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.RoutingPolicy;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.TransactionKey;
import java.util.Optional;

/**
 * The leg-B side of one out-of-dialog non-INVITE request (MESSAGE, PUBLISH, an initial
 * SUBSCRIBE): a copy of it to each destination of the route in turn, moving on as a call's
 * {@link Hunt} does, until one gives a final that is not hunted on.
 */
final class RequestHunt {
  /** One leg-B copy of the request, toward one destination. */
  record Attempt(int number, Destination destination, SipRequest request, TransactionKey key) {}

  /** What a final from leg B means for leg A. */
  enum Verdict {
    /** Not the current attempt's: an abandoned destination answered late. */
    IGNORE,
    /** Hunted on (or a redirect followed): the next destination is to be tried. */
    NEXT,
    /** Leg A's answer: relay it. */
    RELAY
  }

  private final SipRequest aRequest;
  private final LegMessages messages;
  private final Hunt hunt;
  private final String user;
  /** Where a redirect may send the request ({@link Hunt#redirect}). */
  private final RoutingPolicy routing;
  private int attempts;
  private Attempt current;

  RequestHunt(SipRequest aRequest, RoutingDecision.Route route, LegMessages messages, RoutingPolicy routing) {
    this.aRequest = aRequest;
    this.routing = routing;
    this.messages = messages;
    this.user = LegMessages.dialledUser(aRequest);
    this.hunt = new Hunt(route, user);
  }

  /** The next destination's copy of the request, now the current attempt; empty when none is left. */
  Optional<Attempt> next() {
    Optional<Hunt.Target> target = hunt.next();
    if (target.isEmpty()) {
      current = null;
      return Optional.empty();
    }
    attempts++;
    Destination d = target.get().destination();
    SipRequest request = messages.legBRequest(aRequest, d, target.get().user(), attempts, messages.newTag());
    current = new Attempt(attempts, d, request, TransactionKey.client(request));
    return Optional.of(current);
  }

  /** The attempt waiting for its final, if any. */
  Optional<Attempt> current() {
    return Optional.ofNullable(current);
  }

  /** Whether {@code key} is the current attempt's client transaction. */
  boolean isCurrent(TransactionKey key) {
    return current != null && current.key().equals(key);
  }

  /** A final response of the transaction {@code key}; a 2xx is always relayed. */
  Verdict onFinal(TransactionKey key, SipResponse response) {
    if (!isCurrent(key)) {
      return Verdict.IGNORE;
    }
    int status = response.statusCode();
    if (status < 300) {
      return Verdict.RELAY;
    }
    HuntPolicy.Outcome outcome = hunt.onFinal(status);
    if (outcome == HuntPolicy.Outcome.HUNT) {
      return Verdict.NEXT;
    }
    if (outcome == HuntPolicy.Outcome.REDIRECT && hunt.redirect(response, current.destination(), user, routing, aRequest)) {
      return Verdict.NEXT;
    }
    return Verdict.RELAY;
  }

  /**
   * The current attempt failed without a response (timeout counts as 408, a transport error as
   * 503: RFC 3261 sections 16.7, 16.9); the next destination is to be tried.
   */
  void failed(int status) {
    current = null;
    hunt.failed(status);
  }

  /** The final leg A gets when every destination failed. */
  int best() {
    return hunt.best();
  }

  /** The statuses collected, for logs. */
  String finals() {
    return hunt.finals().toString();
  }
}
