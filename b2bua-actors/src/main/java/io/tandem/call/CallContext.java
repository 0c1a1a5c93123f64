package io.tandem.call;

import io.tandem.routing.CallLimits;
import io.tandem.routing.RoutingPolicy;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.ClientTransactions;
import io.tandem.transport.SentBy;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What every call of a node shares.
 *
 * @param transactions the transaction layer, through which calls send requests
 * @param routing where calls go
 * @param limits concurrent calls, in all and per carrier
 * @param settings the call layer's settings
 * @param timers the RFC 3261 timers (T1, T2 drive 2xx retransmission to leg A)
 * @param local Tandem's own address per transport and toward each peer's family, for Via and Contact
 * @param manager the node's call manager, through which one call finds another (attended
 *     transfer: the dialog a Replaces names)
 * @param observer told of each step of each call (metrics, call detail records)
 * @param legs counts the calls' leg actors
 * @param store where answered calls are kept for another node to bring back ({@link CallStore#NONE} alone)
 */
public record CallContext(
    ClientTransactions transactions,
    RoutingPolicy routing,
    CallLimits limits,
    CallSettings settings,
    TimerSettings timers,
    SentBy local,
    ActorRef<CallManager.Command> manager,
    CallObserver observer,
    LiveLegs legs,
    CallStore store) {

  /** A context whose calls are kept nowhere but in their actors. */
  public CallContext(ClientTransactions transactions, RoutingPolicy routing, CallLimits limits,
      CallSettings settings, TimerSettings timers, SentBy local,
      ActorRef<CallManager.Command> manager, CallObserver observer, LiveLegs legs) {
    this(transactions, routing, limits, settings, timers, local, manager, observer, legs, CallStore.NONE);
  }

  /** A context whose legs are counted by a counter of their own. */
  public CallContext(ClientTransactions transactions, RoutingPolicy routing, CallLimits limits,
      CallSettings settings, TimerSettings timers, SentBy local,
      ActorRef<CallManager.Command> manager, CallObserver observer) {
    this(transactions, routing, limits, settings, timers, local, manager, observer, new LiveLegs());
  }

  /** A context whose calls nobody observes. */
  public CallContext(ClientTransactions transactions, RoutingPolicy routing, CallLimits limits,
      CallSettings settings, TimerSettings timers, SentBy local,
      ActorRef<CallManager.Command> manager) {
    this(transactions, routing, limits, settings, timers, local, manager, CallObserver.NONE);
  }
}
