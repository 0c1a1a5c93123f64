package io.tandem.app;

import io.tandem.call.CallManager;
import io.tandem.sip.message.SipRequest;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** What the end-to-end tests ask a running server: its ports, and whether anything is left. */
final class ServerProbes {
  private static final Duration ASK = Duration.ofSeconds(5);

  private ServerProbes() {}

  /** The port of the server's first listener of {@code protocol}. */
  static int port(Server server, TransportProtocol protocol) {
    return server.listening().stream()
        .filter(p -> p.protocol() == protocol)
        .map(ListenPoint::address)
        .findFirst()
        .orElseThrow()
        .getPort();
  }

  /** How many Call actors are alive. */
  static int calls(Server server) throws Exception {
    return AskPattern.<CallManager.Command, Integer>ask(
            server.calls(), CallManager.GetCallCount::new, ASK, server.system().scheduler())
        .toCompletableFuture().get();
  }

  /** How many subscriptions (SUBSCRIBE dialog pairs) are alive. */
  static int subscriptions(Server server) throws Exception {
    return AskPattern.<CallManager.Command, Integer>ask(
            server.calls(), CallManager.GetSubscriptionCount::new, ASK, server.system().scheduler())
        .toCompletableFuture().get();
  }

  /** Waits until no subscription is alive; fails after {@code within} saying how many are left. */
  static void awaitNoSubscription(Server server, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    int left;
    while ((left = subscriptions(server)) > 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(left + " subscriptions still alive after " + within);
      }
      Thread.sleep(50);
    }
  }

  /** How many transactions are alive: actors and lingering records. */
  static TransactionLayer.TransactionCount transactions(Server server) {
    return server.transactions().counts();
  }

  /**
   * Sends {@code request} in a client transaction of {@code server}'s layer, whose events go
   * to {@code user}; its owner is an actor made for it, as a call is for its own.
   */
  static void send(Server server, SipRequest request, Peer destination, ActorRef<TransactionEvent> user) {
    server.system().systemActorOf(Behaviors.<Void>setup(owner -> {
      server.transactions().send(owner, request, destination, user);
      return Behaviors.empty();
    }), "test-owner-" + OWNERS.incrementAndGet(), Props.empty());
  }

  private static final AtomicInteger OWNERS = new AtomicInteger();

  /** How many Call and leg actors are alive. */
  static CallManager.ActorCount actors(Server server) throws Exception {
    return AskPattern.<CallManager.Command, CallManager.ActorCount>ask(
            server.calls(), CallManager.GetActorCount::new, ASK, server.system().scheduler())
        .toCompletableFuture().get();
  }

  /**
   * Waits until no Call, no leg and no transaction is alive (no transaction actor and no
   * lingering record); fails after {@code within} saying what is left.
   */
  static void awaitIdle(Server server, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      CallManager.ActorCount actors = actors(server);
      TransactionLayer.TransactionCount transactions = transactions(server);
      if (actors.calls() == 0 && actors.legs() == 0 && transactions.total() == 0) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(actors + " and " + transactions + " still alive after " + within);
      }
      Thread.sleep(100);
    }
  }
}
