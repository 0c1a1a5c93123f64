package io.tandem.app.cluster;

import io.tandem.app.cluster.proto.CallReplication;
import io.tandem.app.cluster.proto.CallValue;
import io.tandem.call.CallKey;
import io.tandem.call.CallState;
import io.tandem.call.CallStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Timer;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's {@link CallStore}: each call's {@link CallState} ({@link CallValue}) written
 * straight to the {@link CallReplica} of every other node, and awaited from those Up and
 * reachable, before the leg-B INVITE, leg A's 2xx and leg B's ACK go; dropped on every node
 * when the call ends. Each value names its holder, the node whose call it is. Every node thus has, besides
 * its own calls, a copy of every other node's: a node that must bring a call back finds it in
 * its own memory.
 *
 * <pre>
 *   save:    own[key] = state --CallReplication(keep, seq, ack_to)--> every other replica
 *            --kept(seq) from each reachable one, or replication.write-timeout--> INVITE / 2xx
 *   remove:  own - key       --CallReplication(forget)--> every other replica
 *   find:    copies[key] (the call's shard is here now: its holder is leaving, or gone)
 *   adopted: a call brought back here is this node's now: written again naming it the holder
 * </pre>
 *
 * <p>Distributed Data, which an earlier version used, serialises and gossips a whole map per
 * change: it cost 15-18 times a single node's CPU per call (b2bua-bench/README.md); a direct
 * write is one small message per other node and one acknowledgement back.
 */
final class ReplicatedCalls implements CallStore {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedCalls.class);

  /** A call of this node's, as last written to the others. */
  record Own(long seq, CallValue value) {}

  /** Another node's call, as it last wrote it here. */
  record Copy(String holder, long seq, CallValue value) {}

  /** A write awaiting the kept of each node in {@code awaited}. */
  private static final class Pending {
    final long started = System.nanoTime();
    final CompletableFuture<Boolean> done = new CompletableFuture<>();
    final Set<Address> awaited;
    volatile Cancellable timeout;

    Pending(Set<Address> awaited) {
      this.awaited = awaited;
    }
  }

  private final ActorSystem<?> system;
  /** This node's unique address (address and incarnation): a node restarted on the same address is another holder. */
  final String holder;
  final Address selfAddress;
  private final Duration writeTimeout;
  private final Duration endedHold;
  private final int resyncBatch;
  final Map<String, Own> own = new ConcurrentHashMap<>();
  final Map<String, Copy> copies = new ConcurrentHashMap<>();
  private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  /** The other nodes' replicas, as the receptionist lists them. */
  volatile Map<Address, ActorRef<CallReplication>> peers = Map.of();
  /** This node's replica, in Pekko's serialization format: where the others send their kept. */
  private volatile String ackTo = "";
  private final Timer replication = Kamon.timer("tandem.cluster.replication-time",
      "a call's state written to the other nodes, before its leg-B INVITE, leg A's 2xx or leg B's ACK").withoutTags();
  private final Counter failures = Kamon.counter("tandem.cluster.replication-failures",
      "call states that did not reach the other nodes within replication.write-timeout").withoutTags();

  private ReplicatedCalls(ActorSystem<?> system, ClusterSettings settings) {
    this.system = system;
    this.holder = Cluster.get(system).selfMember().uniqueAddress().toString();
    this.selfAddress = Cluster.get(system).selfMember().address();
    this.writeTimeout = settings.replicationWriteTimeout();
    this.endedHold = settings.replicationEndedHold();
    this.resyncBatch = settings.replicationResyncBatch();
  }

  /**
   * The store of this node and its replica, which keeps the other nodes' calls and brings back
   * those of nodes that are gone through {@code join}'s shard region.
   */
  static ReplicatedCalls start(ActorSystem<?> system, ClusterJoin join, ClusterSettings settings) {
    ReplicatedCalls calls = new ReplicatedCalls(system, settings);
    ActorRef<CallReplication> replica = system.systemActorOf(
        CallReplica.create(calls, join.region, settings.housekeepingInterval(), settings.replicationResyncBatch(),
            settings.replicationBringBackInterval()), "call-replica", Props.empty());
    calls.ackTo = ActorRefResolver.get(system).toSerializationFormat(replica);
    return calls;
  }

  @Override
  public boolean replicates() {
    return true;
  }

  @Override
  public CompletionStage<Boolean> save(CallState state) {
    String key = state.key().value();
    CallValue value = CallValues.toProto(state, holder);
    long n = seq.incrementAndGet();
    own.put(key, new Own(n, value));
    copies.remove(key); // held here now: no longer another node's
    Set<Address> awaited = reachablePeers();
    if (awaited.isEmpty()) {
      tellAll(CallReplication.newBuilder().setKeep(value).setSeq(n).build());
      return CompletableFuture.completedFuture(true);
    }
    Pending p = new Pending(awaited);
    pending.put(n, p);
    tellAll(CallReplication.newBuilder().setKeep(value).setSeq(n).setAckTo(ackTo).build());
    scheduleTimeout(n, p, key);
    return p.done;
  }

  /** Write {@code n} (of call {@code key}) is done without the nodes still awaited after the write timeout. */
  private void scheduleTimeout(long n, Pending p, String key) {
    p.timeout = system.scheduler().scheduleOnce(writeTimeout, () -> {
      if (pending.remove(n, p)) {
        failures.increment();
        LOG.debug("call {}: state not kept by {} within {}", key, p.awaited, writeTimeout);
        p.done.complete(false);
      }
    }, system.executionContext());
  }

  /**
   * Every call of this node's to {@code peer}, a replica at {@code address} that appeared (a
   * node that joined, or came back): {@code replication.resync-batch} at a time, the last of
   * each awaited (Artery keeps the order of one connection) before the next batch goes, so that
   * many calls do not overflow the outbound queue, which drops what does not fit. A batch
   * not acknowledged within the write timeout is followed by the next all the same: a slow
   * replica gets one batch per timeout. It stops when the peer is no longer the one listed
   * there (gone, or replaced by its next incarnation, which gets its own).
   */
  void resync(ActorRef<CallReplication> peer, Address address) {
    resyncFrom(peer, address, List.copyOf(own.entrySet()), 0);
  }

  private void resyncFrom(ActorRef<CallReplication> peer, Address address, List<Map.Entry<String, Own>> calls,
      int from) {
    if (from >= calls.size() || !peer.equals(peers.get(address))) {
      return;
    }
    int to = Math.min(from + resyncBatch, calls.size());
    Map.Entry<String, Own> last = null;
    for (int i = from; i < to; i++) {
      Map.Entry<String, Own> call = calls.get(i);
      if (own.get(call.getKey()) != call.getValue()) {
        continue; // ended, or written again since (to this peer too)
      }
      if (last != null) {
        peer.tell(CallReplication.newBuilder().setKeep(last.getValue().value()).setSeq(last.getValue().seq()).build());
      }
      last = call;
    }
    if (last == null) {
      resyncFrom(peer, address, calls, to);
      return;
    }
    long n = last.getValue().seq();
    Pending mine = new Pending(new HashSet<>(Set.of(address)));
    Pending had = pending.putIfAbsent(n, mine); // the call's own write, still awaited: it ends this batch
    peer.tell(CallReplication.newBuilder().setKeep(last.getValue().value()).setSeq(n).setAckTo(ackTo).build());
    (had != null ? had : mine).done.thenRun(() -> resyncFrom(peer, address, calls, to));
    if (had == null) {
      scheduleTimeout(n, mine, last.getKey());
    }
  }

  /** Node {@code node} kept write {@code n}: once every node awaited has, the write is done. */
  void kept(long n, Address node) {
    Pending p = pending.get(n);
    if (p == null) {
      return;
    }
    boolean all;
    synchronized (p) {
      p.awaited.remove(node);
      all = p.awaited.isEmpty();
    }
    if (all && pending.remove(n) != null) {
      Cancellable timeout = p.timeout;
      if (timeout != null) {
        timeout.cancel();
      }
      replication.record(System.nanoTime() - p.started);
      p.done.complete(true);
    }
  }

  /**
   * Another node's copy of a call whose holder is gone, sent with its request to bring the
   * call back here: kept unless this node has a newer copy of the same holder's, or holds the
   * call itself (a copy lost on its way here, a replica that joined late).
   */
  void offered(CallValue value, long n) {
    String key = value.getKey();
    if (own.containsKey(key)) {
      return;
    }
    copies.merge(key, new Copy(value.getHolder(), n, value), (had, offer) ->
        had.holder().equals(offer.holder()) && had.seq() >= offer.seq() ? had : offer);
  }

  /** To every other node (not awaited): none of them can bring back a call that is over. */
  @Override
  public void remove(CallKey key) {
    own.remove(key.value());
    copies.remove(key.value());
    tellAll(CallReplication.newBuilder().setForget(key.value()).build());
  }

  /** A call brought back here: written again, naming this node its holder (the call does not wait for it). */
  @Override
  public void adopted(CallState state) {
    save(state);
  }

  /**
   * The copy of {@code key}, if this node has one. Its holder may still be a member: a node
   * that leaves hands its shards over while it is Up (Cluster Sharding stops before the node
   * leaves), and the calls' messages reach their new owner from then on.
   */
  @Override
  public CompletionStage<Optional<CallState>> find(CallKey key) {
    Copy copy = copies.get(key.value());
    if (copy == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    try {
      return CompletableFuture.completedFuture(Optional.of(CallValues.fromProto(copy.value())));
    } catch (IllegalArgumentException e) {
      LOG.warn("call {}: kept by another node, but unreadable here: {}", key, e.getMessage());
      return CompletableFuture.completedFuture(Optional.empty());
    }
  }

  @Override
  public boolean keepsOthers(CallKey key) {
    return copies.containsKey(key.value());
  }

  /**
   * The other nodes' calls as this node's copies have them, for GET /calls: key, leg-A
   * Call-ID, answered or ringing, carrier, when it started, and the node holding it.
   */
  List<Map<String, Object>> copiesListed() {
    List<Map<String, Object>> listed = new ArrayList<>();
    copies.forEach((key, copy) -> {
      CallValue v = copy.value();
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("key", key);
      c.put("callId", v.getACallId());
      c.put("state", v.hasRinging() ? "ringing" : "answered");
      c.put("carrier", v.getCarrier());
      c.put("startedAt", Instant.ofEpochMilli(v.getStartedAtMs()).toString());
      c.put("node", addressOf(copy.holder()));
      listed.add(c);
    });
    return listed;
  }

  /** The address part of a unique address ("UniqueAddress(pekko://tandem@host:port,uid)"). */
  static String addressOf(String uniqueAddress) {
    int open = uniqueAddress.indexOf('(');
    int comma = uniqueAddress.lastIndexOf(',');
    return open >= 0 && comma > open ? uniqueAddress.substring(open + 1, comma) : uniqueAddress;
  }

  @Override
  public Duration endedHold() {
    return endedHold;
  }

  /** The unique addresses of the members that hold their calls (not down, not exiting). */
  Set<String> liveHolders() {
    Set<String> live = new HashSet<>();
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (m.status() != MemberStatus.down() && m.status() != MemberStatus.exiting()) {
        live.add(m.uniqueAddress().toString());
      }
    }
    return live;
  }

  private void tellAll(CallReplication message) {
    peers.values().forEach(peer -> peer.tell(message));
  }

  /** The other nodes with a replica that are Up and reachable: those a write waits for. */
  private Set<Address> reachablePeers() {
    Map<Address, ActorRef<CallReplication>> known = peers;
    if (known.isEmpty()) {
      return Set.of();
    }
    var state = Cluster.get(system).state();
    Set<Address> reachable = new HashSet<>(4);
    for (Member m : state.getMembers()) {
      if (m.status() == MemberStatus.up() && known.containsKey(m.address()) && !state.getUnreachable().contains(m)) {
        reachable.add(m.address());
      }
    }
    return reachable;
  }
}
