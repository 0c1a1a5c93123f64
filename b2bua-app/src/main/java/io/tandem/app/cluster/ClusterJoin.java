package io.tandem.app.cluster;

import io.tandem.app.cluster.proto.SipDelivery;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A node's way into the cluster, before it takes any SIP: it waits until it is Up and its
 * shard region of calls is registered with the coordinator, so that the listeners it binds
 * next (with SO_REUSEPORT the kernel gives it peers at once) never hold a message in a region
 * that cannot yet place it. A node that cannot join within the timeout does not start.
 *
 * <pre>
 *   await MemberUp --> init the region (entities wait for attach) --> await registered
 *   ... the server binds its listeners, builds its layers ... --> ClusterNode.start: attach
 * </pre>
 *
 * <p>Shards can be allocated to this node as soon as its region is registered, before the node
 * is attached: a call entity started then holds its messages, trying again every 100 ms, until
 * the node's transaction layer is there.
 */
public final class ClusterJoin {
  private static final Duration RETRY = Duration.ofMillis(100);
  private static final Duration POLL = Duration.ofMillis(200);

  final ActorRef<ShardingEnvelope<SipDelivery>> region;
  /** The call entity's behaviour once the node is attached (ClusterNode.start); null before. */
  private final AtomicReference<Behavior<SipDelivery>> attached = new AtomicReference<>();

  private ClusterJoin(ActorSystem<?> system) {
    this.region = ClusterSharding.get(system).init(
        Entity.of(ClusterNode.CALLS, entity -> entity()).withAllocationStrategy(new KeepShards()));
  }

  /**
   * Waits for this node to be Up in its cluster and its region of calls registered.
   *
   * @throws IllegalStateException if that takes longer than {@code timeout}
   */
  public static ClusterJoin await(ActorSystem<?> system, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    CompletableFuture<Void> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> up.complete(null));
    try {
      up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("not Up in the cluster within " + timeout
          + " (tandem.cluster.join-timeout): is a seed node of tandem.cluster.seed-nodes running and reachable?");
    }
    ClusterJoin join = new ClusterJoin(system);
    Address self = Cluster.get(system).selfMember().address();
    while (!join.registered(system, self)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Up in the cluster, but its shard region of calls was not registered within "
            + timeout + " (tandem.cluster.join-timeout)");
      }
      Thread.sleep(POLL.toMillis());
    }
    return join;
  }

  /** Hands the call entities this node's behaviour: they take the messages they held. */
  void attach(Behavior<SipDelivery> entity) {
    attached.set(entity);
  }

  private boolean registered(ActorSystem<?> system, Address self) {
    try {
      ShardRegion.ClusterShardingStats stats = AskPattern.<GetClusterShardingStats, ShardRegion.ClusterShardingStats>ask(
              ClusterSharding.get(system).shardState().narrow(),
              replyTo -> new GetClusterShardingStats(ClusterNode.CALLS, Duration.ofSeconds(2), replyTo),
              Duration.ofSeconds(3), system.scheduler())
          .toCompletableFuture().get(4, TimeUnit.SECONDS);
      return stats.getRegions().containsKey(self);
    } catch (Exception e) { // no coordinator yet, or it did not answer in time: ask again
      return false;
    }
  }

  private Behavior<SipDelivery> entity() {
    Behavior<SipDelivery> now = attached.get();
    if (now != null) {
      return now;
    }
    return Behaviors.setup(ctx -> Behaviors.receiveMessage(delivery -> {
      Behavior<SipDelivery> ready = attached.get();
      if (ready != null) {
        ctx.getSelf().tell(delivery); // behind what is queued already: order may shift, once, in this window
        return ready;
      }
      ctx.scheduleOnce(RETRY, ctx.getSelf(), delivery);
      return Behaviors.same();
    }));
  }
}
