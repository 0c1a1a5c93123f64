package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
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
}
