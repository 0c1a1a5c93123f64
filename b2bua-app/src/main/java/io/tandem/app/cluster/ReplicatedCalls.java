package io.tandem.app.cluster;

import io.tandem.app.cluster.proto.CallValue;
import io.tandem.app.cluster.proto.SipDelivery;
import io.tandem.call.CallKey;
import io.tandem.call.CallState;
import io.tandem.call.CallStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Timer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's {@link CallStore}: each call's {@link CallState} in one of
 * {@code replication.maps} Pekko Distributed Data maps (an LWWMap by call key, {@link
 * CallValue}, the map picked by the key's hash), written to every node (WriteAll; to two while
 * one is unreachable) before the leg-B INVITE and leg A's 2xx go, removed on every node when
 * the call ends. Each value names its holder, the node whose call it is. Distributed Data serialises
 * whole maps to replicate them, so the maps are many and small: about one call each at the
 * cluster's busiest.
 *
 * <pre>
 *   answer  --save: Update WriteAll (WriteTo(2) with a node unreachable)--> kept --> leg A's 2xx
 *   a message for a call not held here --find: Get ReadMajority (else local)--> Call.restore
 *   a member removed, and every housekeeping interval: values whose holder is no member
 *       --SipDelivery(restore_key) by sharding--> the shard's owner brings the call back
 * </pre>
 */
final class ReplicatedCalls implements CallStore {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedCalls.class);
  /** How many keys found nowhere are remembered at most (replication.not-found-hold). */
  private static final int NOT_FOUND_KEPT = 10_000;
  /** What an ask waits beyond the replicator's own timeout, which answers first. */
  private static final Duration ASK_MARGIN = Duration.ofMillis(500);

  private final ActorSystem<?> system;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress self;
  /**
   * This node's unique address (address and incarnation): a node restarted on the same
   * address is another holder, so the calls of its earlier life are brought back elsewhere.
   */
  private final String holder;
  private final String selfAddress;
  private final List<Key<LWWMap<String, CallValue>>> keys;
  private final Duration writeTimeout;
  private final Duration readTimeout;
  /** Look-ups under way, at most {@code replication.max-lookups}. */
  private final AtomicInteger looking = new AtomicInteger();
  private final int maxLookups;
  /** Keys found nowhere, until when (nanoTime): asked again within it, nothing at once. */
  private final ConcurrentHashMap<String, Long> notFound = new ConcurrentHashMap<>();
  private final long notFoundNanos;
  private final Duration endedHold;
  private final Timer replication = Kamon.timer("tandem.cluster.replication-time",
      "a call's state written to the other nodes, before its leg-B INVITE or leg A's 2xx").withoutTags();
  private final Counter failures = Kamon.counter("tandem.cluster.replication-failures",
      "call states that did not reach the other nodes within replication.write-timeout").withoutTags();

  private ReplicatedCalls(ActorSystem<?> system, ClusterSettings settings) {
    this.system = system;
    this.replicator = DistributedData.get(system).replicator();
    this.self = DistributedData.get(system).selfUniqueAddress();
    this.holder = Cluster.get(system).selfMember().uniqueAddress().toString();
    this.selfAddress = Cluster.get(system).selfMember().address().toString();
    List<Key<LWWMap<String, CallValue>>> k = new ArrayList<>(settings.replicationMaps());
    for (int map = 0; map < settings.replicationMaps(); map++) {
      k.add(LWWMapKey.create("tandem-calls-" + map));
    }
    this.keys = List.copyOf(k);
    this.writeTimeout = settings.replicationWriteTimeout();
    this.readTimeout = settings.replicationReadTimeout();
    this.maxLookups = settings.replicationMaxLookups();
    this.notFoundNanos = settings.replicationNotFoundHold().toNanos();
    this.endedHold = settings.replicationEndedHold();
  }

  /**
   * The store of this node, and the sweep that brings back the calls of nodes that are gone
   * through {@code join}'s shard region.
   */
  static ReplicatedCalls start(ActorSystem<?> system, ClusterJoin join, ClusterSettings settings) {
    ReplicatedCalls calls = new ReplicatedCalls(system, settings);
    system.systemActorOf(calls.sweeper(join.region, settings.housekeepingInterval()), "call-recovery", Props.empty());
    return calls;
  }

  @Override
  public boolean replicates() {
    return true;
  }

  @Override
  public CompletionStage<Boolean> save(CallState state) {
    String id = state.key().value();
    CallValue value = CallValues.toProto(state, holder);
    Replicator.WriteConsistency consistency = writeConsistency();
    long started = System.nanoTime();
    return AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, CallValue>>>ask(replicator,
            replyTo -> new Replicator.Update<>(keyOf(id), LWWMap.empty(), consistency, replyTo,
                map -> map.put(self, id, value)),
            writeTimeout.plus(ASK_MARGIN), system.scheduler())
        .handle((response, error) -> {
          boolean kept = response instanceof Replicator.UpdateSuccess;
          if (kept) {
            replication.record(System.nanoTime() - started);
          } else {
            failures.increment();
            LOG.debug("call {}: state not on the other nodes within {}: {}", id, writeTimeout,
                error != null ? error.toString() : response);
          }
          return kept;
        });
  }

  /**
   * To every node (not awaited): the node the state was written to, whichever it was, drops it
   * at once, and cannot bring back a call that is over should this node go before gossip.
   */
  @Override
  public void remove(CallKey key) {
    String id = key.value();
    Replicator.WriteConsistency consistency = writeConsistency();
    replicator.tell(new Replicator.Update<>(keyOf(id), LWWMap.empty(), consistency,
        system.ignoreRef(), map -> map.remove(self, id)));
  }

  /**
   * What the maps have for {@code key}: at once nothing when {@code replication.max-lookups}
   * are under way, or the key was found nowhere within {@code replication.not-found-hold}.
   */
  @Override
  public CompletionStage<Optional<CallState>> find(CallKey key) {
    String id = key.value();
    Long until = notFound.get(id);
    if (until != null && until - System.nanoTime() > 0) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    if (looking.incrementAndGet() > maxLookups) {
      looking.decrementAndGet();
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return lookUp(id).whenComplete((state, error) -> {
      looking.decrementAndGet();
      if (state != null && state.isEmpty()) {
        if (notFound.size() >= NOT_FOUND_KEPT) {
          long now = System.nanoTime();
          notFound.values().removeIf(t -> t - now <= 0);
        }
        if (notFound.size() < NOT_FOUND_KEPT) {
          notFound.put(id, System.nanoTime() + notFoundNanos);
        }
      }
    });
  }

  @Override
  public Duration endedHold() {
    return endedHold;
  }

  @Override
  public CompletionStage<Optional<CallState>> load(CallKey key) {
    notFound.remove(key.value());
    return lookUp(key.value());
  }

  private CompletionStage<Optional<CallState>> lookUp(String id) {
    Key<LWWMap<String, CallValue>> k = keyOf(id);
    CompletionStage<Replicator.GetResponse<LWWMap<String, CallValue>>> asked = othersUp()
        ? get(k, new Replicator.ReadMajority(readTimeout), readTimeout)
            .thenCompose(r -> r instanceof Replicator.GetSuccess || r instanceof Replicator.NotFound
                ? CompletableFuture.completedFuture(r) : get(k, Replicator.readLocal(), readTimeout))
        : get(k, Replicator.readLocal(), readTimeout);
    return asked.handle((response, error) -> {
      if (!(response instanceof Replicator.GetSuccess<LWWMap<String, CallValue>> found)) {
        return Optional.<CallState>empty();
      }
      Optional<CallValue> value = found.get(k).get(id).map(Optional::of).getOrElse(Optional::empty);
      try {
        return value.map(CallValues::fromProto);
      } catch (IllegalArgumentException e) {
        LOG.warn("call {}: kept by another node, but unreadable here: {}", id, e.getMessage());
        return Optional.<CallState>empty();
      }
    });
  }

  private CompletionStage<Replicator.GetResponse<LWWMap<String, CallValue>>> get(Key<LWWMap<String, CallValue>> k,
      Replicator.ReadConsistency consistency, Duration timeout) {
    return AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<String, CallValue>>>ask(replicator,
        replyTo -> new Replicator.Get<>(k, consistency, replyTo), timeout.plus(ASK_MARGIN), system.scheduler());
  }

  /** The map of the call: by its key's hash, as Cluster Sharding's default extractor picks its shard. */
  private Key<LWWMap<String, CallValue>> keyOf(String id) {
    return keys.get(Math.abs(id.hashCode() % keys.size()));
  }

  /** Whether another node is Up and reachable: else a write to two nodes could only time out. */
  /**
   * To every other node while all are reachable, so that a call's states (ringing, then
   * answered) agree on every node that acknowledged them: with WriteTo(2) each write picks its
   * second node at random, the ringing state on one and the answered on another. With a node
   * unreachable, to two; alone, here only. (A write not acknowledged within write-timeout
   * still lands late: b2bua-bench/README.md, runs 4 and 5.)
   */
  private Replicator.WriteConsistency writeConsistency() {
    Others others = others();
    return others.reachable() == 0 ? Replicator.writeLocal()
        : others.reachable() == others.up() ? new Replicator.WriteAll(writeTimeout)
        : new Replicator.WriteTo(2, writeTimeout);
  }

  /** Whether another node is Up and reachable: else a read or write of others could only time out. */
  private boolean othersUp() {
    return others().reachable() > 0;
  }

  /** The other members Up, and how many of them are reachable. */
  private record Others(int up, int reachable) {}

  private Others others() {
    var state = Cluster.get(system).state();
    int up = 0;
    int reachable = 0;
    for (Member m : state.getMembers()) {
      if (m.status() == MemberStatus.up() && !m.address().toString().equals(selfAddress)) {
        up++;
        if (!state.getUnreachable().contains(m)) {
          reachable++;
        }
      }
    }
    return new Others(up, reachable);
  }

  // ---- bringing back the calls of nodes that are gone --------------------------------------

  private interface Sweep extends NoSerializationVerificationNeeded {}

  private enum Tick implements Sweep { INSTANCE }

  private record Removed(ClusterEvent.MemberRemoved removed) implements Sweep {}

  private record Read(Replicator.GetResponse<LWWMap<String, CallValue>> response) implements Sweep {}

  /**
   * Reads this node's replica of every shard's map, at each member removed and every
   * {@code interval}, and asks the owner of each call whose holder is no member to bring it
   * back (the owner does nothing for a call it holds).
   */
  private Behavior<Sweep> sweeper(ActorRef<ShardingEnvelope<SipDelivery>> region, Duration interval) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Cluster.get(system).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, Removed::new), ClusterEvent.MemberRemoved.class));
      timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
      ActorRef<Replicator.GetResponse<LWWMap<String, CallValue>>> reads = ctx.messageAdapter(
          (Class<Replicator.GetResponse<LWWMap<String, CallValue>>>) (Class<?>) Replicator.GetResponse.class, Read::new);
      return Behaviors.receive(Sweep.class)
          .onMessage(Removed.class, r -> {
            keys.forEach(k -> replicator.tell(new Replicator.Get<>(k, Replicator.readLocal(), reads)));
            return Behaviors.same();
          })
          .onMessageEquals(Tick.INSTANCE, () -> {
            keys.forEach(k -> replicator.tell(new Replicator.Get<>(k, Replicator.readLocal(), reads)));
            return Behaviors.same();
          })
          .onMessage(Read.class, r -> {
            if (r.response() instanceof Replicator.GetSuccess<LWWMap<String, CallValue>> found) {
              Set<String> members = new HashSet<>();
              Cluster.get(system).state().getMembers().forEach(m -> members.add(m.uniqueAddress().toString()));
              Map<String, CallValue> entries = found.get(found.key()).getEntries();
              entries.forEach((id, value) -> {
                if (!members.contains(value.getHolder())) {
                  region.tell(new ShardingEnvelope<>(id, SipDelivery.newBuilder().setRestoreKey(id).build()));
                }
              });
            }
            return Behaviors.same();
          })
          .build();
    }));
  }
}
