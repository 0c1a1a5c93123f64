package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.StatusCode;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the {@link TransactionLayer}'s index holds for one client transaction: its actor while
 * it has work, then a compact record that answers what may still come until its RFC timer
 * (D, K, M) expires it.
 */
sealed interface ClientEntry {
  /** A response matched to this transaction (section 17.1.3). */
  void onResponse(TransactionKey key, SipResponse response, TransactionLayer layer);

  /** Retransmitting, or waiting for a final: the actor does the work. */
  record Live(ActorRef<ClientTransaction.Command> transaction) implements ClientEntry {
    @Override
    public void onResponse(TransactionKey key, SipResponse response, TransactionLayer layer) {
      transaction.tell(new ClientTransaction.ResponseArrived(response));
    }
  }

  /**
   * An INVITE that got a 2xx, in the Accepted state of RFC 6026 section 8.4 until Timer M: a
   * 2xx goes up to the user, whose dialog ACKs it; once the dialog has given its ACK ({@code
   * ack}, for the 2xx with the To tag {@code ackedTag}), a retransmission of that 2xx gets it
   * again from here, and only another fork's 2xx goes up. Any other response is discarded.
   */
  record InviteAccepted(ActorRef<TransactionEvent> user, SipRequest ack, String ackedTag, Peer ackTo)
      implements ClientEntry {
    InviteAccepted(ActorRef<TransactionEvent> user) {
      this(user, null, null, null);
    }

    @Override
    public void onResponse(TransactionKey key, SipResponse response, TransactionLayer layer) {
      if (response.statusClass() != StatusCode.StatusClass.SUCCESS) {
        return;
      }
      if (ack != null && ackedTag.equals(response.toTag().orElse(""))) {
        layer.egress().tell(new Egress.SendRequest(ack, ackTo, layer.ignore()));
      } else {
        user.tell(new TransactionEvent.ResponseReceived(key, response));
      }
    }
  }

  /**
   * An INVITE that got a 300-699 final, Completed until Timer D (section 17.1.1.2): a
   * retransmitted final means the ACK was lost, so it is sent again; the user already has the
   * response.
   */
  record InviteCompleted(SipRequest ack, Peer destination) implements ClientEntry {
    @Override
    public void onResponse(TransactionKey key, SipResponse response, TransactionLayer layer) {
      if (response.statusCode() >= 300) {
        layer.egress().tell(new Egress.SendRequest(ack, destination, layer.ignore()));
      }
    }
  }

  /** A non-INVITE with its final, Completed until Timer K: retransmissions are absorbed (17.1.2.2). */
  enum NonInviteCompleted implements ClientEntry {
    INSTANCE;

    @Override
    public void onResponse(TransactionKey key, SipResponse response, TransactionLayer layer) {
      // absorbed
    }
  }
}
