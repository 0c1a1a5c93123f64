package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
import io.tandem.transport.Inbound;
import io.tandem.transport.Peer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/** How a user of the transaction layer sends requests: {@link TransactionLayer#send}. */
@FunctionalInterface
public interface ClientTransactions {
  /**
   * Sends {@code request} to {@code destination} in a new client transaction whose events go to
   * {@code user}; the transaction is an actor, a child of {@code owner}, while it has work. An
   * ACK is not a transaction: it goes straight to the transport.
   */
  void send(ActorContext<?> owner, SipRequest request, Peer destination, ActorRef<TransactionEvent> user);

  /**
   * The dialog sent {@code ack} to {@code destination} for the 2xx of the INVITE whose client
   * transaction is {@code invite}: until Timer M, a retransmission of that 2xx gets the ACK
   * again from the transaction's record, whether the dialog is still there or not (RFC 6026
   * section 8.4; RFC 3261 section 13.2.2.4).
   */
  default void acked(TransactionKey invite, SipRequest ack, Peer destination) {}

  /**
   * A client transaction for {@code invite}, which another node that is gone sent to
   * {@code destination} (a ringing call brought back): it takes the responses to it, and
   * sends it again only if none comes within two T2s ({@link ClientInviteTransaction#adopt}).
   * Without that, the INVITE goes again at once.
   */
  default void adoptClientInvite(ActorContext<?> owner, SipRequest invite, Peer destination,
      ActorRef<TransactionEvent> user) {
    send(owner, invite, destination, user);
  }

  /**
   * Gives {@code inbound} to the transaction it matches, if one does (false: none, nothing
   * done): a response that reached a leg as a stray before the leg's adopted transaction
   * existed (it waited while its call was brought back) is the transaction's after all.
   */
  default boolean receiveIfMatched(Inbound inbound) {
    return false;
  }

  /**
   * Section 9.2 for a CANCEL that came up to the call layer unmatched
   * ({@link TransactionLayer#sendUnmatchedCancelsToCore}), tried again now: 200 and the
   * INVITE's user told if it matches a pending INVITE server transaction (one adopted
   * meanwhile), else 481.
   */
  default void matchCancel(SipRequest cancel, ServerTransaction cancelTx) {
    cancelTx.respond(Responses.withToTag(cancel, 481));
  }

  /**
   * A server transaction for {@code invite}, received at another node that is gone, as if it
   * had arrived here from {@code source} and been answered with a provisional: its CANCEL and
   * retransmissions find it, and its user answers it (a ringing call brought back).
   */
  default ServerTransaction adoptInvite(SipRequest invite, Peer source) {
    throw new UnsupportedOperationException("this layer adopts no INVITE");
  }
}
