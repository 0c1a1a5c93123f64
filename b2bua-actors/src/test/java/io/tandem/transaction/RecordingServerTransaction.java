package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Peer;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A server transaction for tests of its users: every response the user gives it is told to a
 * probe as {@link Respond}, and nothing is sent. The RFC machines themselves are tested through
 * the {@link TransactionLayer}.
 */
public final class RecordingServerTransaction extends ServerTransaction {
  /** A response the user gave the transaction. */
  public record Respond(SipResponse response) {}

  private final ActorRef<Respond> probe;

  private RecordingServerTransaction(TransactionKey key, Peer source, ActorRef<Respond> probe) {
    super(key, source, null, null);
    this.probe = probe;
  }

  /** The transaction of {@code request} from {@code source}, answering into {@code probe}. */
  public static ServerTransaction of(SipRequest request, Peer source, ActorRef<Respond> probe) {
    return new RecordingServerTransaction(TransactionKey.server(request), source, probe);
  }

  @Override
  public void respond(SipResponse response) {
    probe.tell(new Respond(response));
  }

  @Override
  void start() {}

  @Override
  void onRequest(SipRequest request) {}

  @Override
  boolean terminate() {
    return true;
  }
}
