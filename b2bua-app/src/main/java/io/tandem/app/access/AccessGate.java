package io.tandem.app.access;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.RetryAfter;
import io.tandem.sip.message.SipRequest;
import io.tandem.transaction.Responses;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Where {@link AccessControl} meets the traffic: between the transport and the transaction
 * layer, so that a refused request costs no transaction. Its answers (403, 503) are stateless
 * (RFC 3261 section 8.2: a UAS may answer without a transaction; a retransmission gets the same
 * answer again).
 */
public final class AccessGate {
  private final AccessControl access;

  public AccessGate(AccessControl access) {
    this.access = access;
  }

  /**
   * Whether {@code inbound} goes on to the transaction layer; if not, it has been answered (or
   * dropped) here. Responses, ACK, CANCEL and requests within a dialog always go on.
   */
  public boolean admit(Inbound inbound, ActorRef<Egress.Command> egress, ActorRef<Egress.SendFailed> ignore) {
    if (!access.active() || !(inbound.message() instanceof SipRequest request) || !isNew(request)) {
      return true;
    }
    switch (access.check(inbound.source().remote().getAddress(), System.nanoTime())) {
      case ADMIT:
        return true;
      case FORBID:
        egress.tell(new Egress.SendResponse(Responses.withToTag(request, 403), inbound.source(), ignore));
        return false;
      case THROTTLE:
        egress.tell(new Egress.SendResponse(Responses.builder(request, 503)
            .header(HeaderName.RETRY_AFTER, RetryAfter.of(access.retryAfter().toSeconds()))
            .build(), inbound.source(), ignore));
        return false;
      default:
        return false; // DROP
    }
  }

  /** A request that may start something: out of any dialog, and not an ACK or CANCEL. */
  private static boolean isNew(SipRequest request) {
    return request.toTag().isEmpty()
        && !Method.ACK.equals(request.method())
        && !Method.CANCEL.equals(request.method());
  }
}
