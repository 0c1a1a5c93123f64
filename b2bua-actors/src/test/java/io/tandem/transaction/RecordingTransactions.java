package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
import io.tandem.transport.Peer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Client transactions for tests of their users: each request sent is told to a probe as
 * {@link SendRequest}, with the ref its events go to, and no transaction runs; the test plays
 * the transaction by telling {@code replyTo} the events it wants.
 */
public final class RecordingTransactions implements ClientTransactions {
  /** A request a user sent. */
  public record SendRequest(SipRequest request, Peer destination, ActorRef<TransactionEvent> replyTo) {}

  private final ActorRef<SendRequest> probe;

  public RecordingTransactions(ActorRef<SendRequest> probe) {
    this.probe = probe;
  }

  @Override
  public void send(ActorContext<?> owner, SipRequest request, Peer destination, ActorRef<TransactionEvent> user) {
    probe.tell(new SendRequest(request, destination, user));
  }
}
