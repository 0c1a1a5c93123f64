package io.tandem.app.cluster;

import io.tandem.app.cluster.proto.SipDelivery;
import io.tandem.call.CallKey;
import io.tandem.sip.codec.SipParser;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.Inbound;
import io.tandem.transport.Peer;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a message another node received enters this node's transaction layer, as if it had
 * arrived here: both the call entity of Cluster Sharding (one per call key, on the node that
 * owns the call) and the node's inbox for responses to its own OPTIONS probes and outbound
 * REGISTERs are this behaviour. It holds nothing: whatever the call has lives in the call's
 * actors and the transaction layer of this node.
 *
 * <pre>
 *   SipDelivery --parse, its peer here--> TransactionLayer.receive     counted: delivered
 *                (UDP: this node's listener; TCP: the connection, held by the node it arrived at)
 *               --no listener / no parse--> dropped, logged             counted: undeliverable
 *   (inbox only) no transaction of this node's for it --> ignored: another node's
 *   (entity only) restore_key, no octets --> the call manager: bring the call back</pre>
 */
final class DeliveryInbox {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryInbox.class);

  private DeliveryInbox() {}

  /**
   * @param ownTransactionsOnly the inbox: hand on only what matches a transaction of this node
   *     (the others were offered the same message)
   */
  static Behavior<SipDelivery> create(TransactionLayer layer, Function<SipDelivery, Optional<Peer>> peers,
      ThreadLocal<SipParser> parsers, ClusterCounters counters, boolean ownTransactionsOnly) {
    return create(layer, peers, parsers, counters, ownTransactionsOnly, asked -> {});
  }

  /**
   * @param restore asked to bring back a call ({@link SipDelivery#getRestoreKey}: the node
   *     that held it is gone), with its state as the asking node has it
   */
  static Behavior<SipDelivery> create(TransactionLayer layer, Function<SipDelivery, Optional<Peer>> peers,
      ThreadLocal<SipParser> parsers, ClusterCounters counters, boolean ownTransactionsOnly, Consumer<SipDelivery> restore) {
    return Behaviors.receiveMessage(delivery -> {
      if (!delivery.getRestoreKey().isEmpty()) {
        try {
          new CallKey(delivery.getRestoreKey()); // refuses a bad key
          restore.accept(delivery);
        } catch (IllegalArgumentException e) {
          LOG.warn("Another node asked to bring back a call of a bad key: {}", e.getMessage());
        }
        return Behaviors.same();
      }
      StringBuilder why = new StringBuilder();
      Optional<Inbound> inbound = Deliveries.toInbound(delivery, parsers.get(), peers, why);
      if (inbound.isPresent()) {
        if (!ownTransactionsOnly) {
          layer.receive(inbound.get());
        } else if (!layer.receiveIfMatched(inbound.get())) {
          return Behaviors.same(); // another node's transaction
        }
        counters.delivered.increment();
      } else {
        counters.undeliverable.increment();
        if (counters.undeliverable.sum() % 1000 == 1) {
          LOG.warn("A SIP message from another node could not be handled here: {}", why);
        }
      }
      return Behaviors.same();
    });
  }
}
