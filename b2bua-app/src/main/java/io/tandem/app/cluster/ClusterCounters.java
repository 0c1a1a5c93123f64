package io.tandem.app.cluster;

import java.util.concurrent.atomic.LongAdder;

/** What this node's cluster ingress did with the SIP messages it received and was handed. */
public final class ClusterCounters {
  /** Received here, handled here (a transaction of this node, or traffic for no call). */
  final LongAdder local = new LongAdder();
  /** Received here, sent to the owner of its call (which may be this node). */
  final LongAdder toOwner = new LongAdder();
  /** Received here, a response to another node's probe or REGISTER: offered to the others. */
  final LongAdder toOtherNodes = new LongAdder();
  /** Handed to this node by the cluster and given to its transaction layer. */
  final LongAdder delivered = new LongAdder();
  /** Written by this node over a TCP connection it holds, for another node's call. */
  final LongAdder written = new LongAdder();
  /** Handed to this node by the cluster and dropped (logged): see {@link DeliveryInbox}. */
  final LongAdder undeliverable = new LongAdder();

  public long local() {
    return local.sum();
  }

  public long toOwner() {
    return toOwner.sum();
  }

  public long toOtherNodes() {
    return toOtherNodes.sum();
  }

  public long delivered() {
    return delivered.sum();
  }

  public long written() {
    return written.sum();
  }

  public long undeliverable() {
    return undeliverable.sum();
  }
}
