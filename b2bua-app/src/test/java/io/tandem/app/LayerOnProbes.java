package io.tandem.app;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import io.tandem.transport.Peer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * A real transaction layer whose transport and core are probes, for tests of what answers
 * requests: a request goes in as the transport would hand it up, the core's {@link
 * TransactionEvent.RequestReceived} carries its server transaction, and what the test's subject
 * responds comes out on {@link #out} as {@link Egress.SendResponse}.
 */
public final class LayerOnProbes {
  public final TestProbe<Egress.Command> out;
  public final TestProbe<TransactionEvent> core;
  public final TransactionLayer layer;

  public LayerOnProbes(ActorTestKit kit, TimerSettings timers) {
    out = kit.createTestProbe();
    core = kit.createTestProbe();
    layer = new TransactionLayer(kit.system(), timers, out.ref(), core.ref());
  }

  /** {@code request} from {@code source} as the core gets it: a new server transaction. */
  public TransactionEvent.RequestReceived receive(SipRequest request, Peer source) {
    layer.receive(new Inbound(request, source));
    return core.expectMessageClass(TransactionEvent.RequestReceived.class);
  }

  /** The next response sent. */
  public SipResponse response() {
    return out.expectMessageClass(Egress.SendResponse.class).response();
  }
}
