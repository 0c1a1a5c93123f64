package io.tandem.app.cluster;

import io.tandem.app.cluster.proto.SipDelivery;
import io.tandem.app.cluster.proto.SipSend;
import io.tandem.app.cluster.proto.Transport;
import io.tandem.app.registrar.LocationService;
import io.tandem.call.CallKey;
import io.tandem.call.CallStore;
import io.tandem.routing.CallLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.Inbound;
import io.tandem.transport.Peer;
import io.tandem.transport.RemoteConnections;
import io.tandem.transport.SipTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * This node as one of a cluster: the ingress that decides, for each message the transport
 * received, whether this node handles it or the node that owns its call does
 * ({@link SipRoute}), the call entities of Cluster Sharding, and the inbox other nodes offer
 * responses to this node's own probes and REGISTERs.
 *
 * <pre>
 *   transport --Inbound--> accept: a transaction of this node's?         -> TransactionLayer
 *                                  SipRoute Local                        -> TransactionLayer
 *                                  SipRoute ToCall(key) --ShardingEnvelope--> owner's DeliveryInbox
 *                                  SipRoute OtherNodes  --SipDelivery--> every other node's inbox
 *   owner's egress --over a TCP connection this node holds--> SipSend --> this node's
 *                                                                ConnectionOutbox --> egress
 * </pre>
 *
 * <p>A TCP connection belongs to the node that holds it: a delivery names its connection and
 * this node's {@link ConnectionOutbox}, and the owner adopts the connection
 * ({@link RemoteConnections}) so that what its call sends over it comes back here to be
 * written.
 */
public final class ClusterNode {
  /** The call entities: one per call key, on the node that owns the call's shard. */
  static final EntityTypeKey<SipDelivery> CALLS = EntityTypeKey.create(SipDelivery.class, "call");
  /** Each node's inbox, found through the receptionist. */
  static final ServiceKey<SipDelivery> INBOX = ServiceKey.create(SipDelivery.class, "tandem-sip-inbox");

  private final ActorSystem<?> system;
  /** How often adopted connections and lapsed replicated bindings are cleared away. */
  private final Duration housekeeping;
  private final TransactionLayer layer;
  private final SipTransport transport;
  /** This node's outbox in Pekko's serialization format: the holder of its TCP connections. */
  private final String holder;
  private final ConcurrentHashMap<String, ActorRef<SipSend>> holders = new ConcurrentHashMap<>();
  private final ActorRef<ShardingEnvelope<SipDelivery>> region;
  private final ActorRef<SipDelivery> inbox;
  private final ClusterCounters counters = new ClusterCounters();
  private volatile Set<ActorRef<SipDelivery>> otherInboxes = Set.of();
  /** What each node publishes it holds, once {@link #shareLimits} runs; null before. */
  private volatile ReplicatedLoad loads;
  /** The calls' store ({@link #callStore}), or another (a test's). */
  private final CallStore store;

  private ClusterNode(ActorSystem<?> system, ClusterJoin join, TransactionLayer layer, SipTransport transport,
      ThreadLocal<SipParser> parsers, Duration tcpIdleTimeout, Duration housekeeping, Consumer<CallKey> restore,
      CallStore store) {
    this.system = system;
    this.store = store;
    this.housekeeping = housekeeping;
    this.layer = layer;
    this.transport = transport;
    ActorRef<SipSend> outbox = system.systemActorOf(ConnectionOutbox.create(transport.egress(), parsers, counters),
        "sip-outbox", Props.empty());
    this.holder = ActorRefResolver.get(system).toSerializationFormat(outbox);
    Function<SipDelivery, Optional<Peer>> peers = this::peerOf;
    this.region = join.region;
    join.attach(DeliveryInbox.create(layer, peers, parsers, counters, false, asked -> {
      if (asked.hasRestoreState() && store instanceof ReplicatedCalls calls) {
        calls.offered(asked.getRestoreState(), asked.getRestoreSeq());
      }
      restore.accept(new CallKey(asked.getRestoreKey()));
    }));
    this.inbox = system.systemActorOf(DeliveryInbox.create(layer, peers, parsers, counters, true),
        "sip-inbox", Props.empty());
    system.scheduler().scheduleWithFixedDelay(housekeeping, housekeeping,
        () -> transport.remoteConnections().expireIdle(tcpIdleTimeout), system.executionContext());
    system.receptionist().tell(Receptionist.register(INBOX, inbox));
    ActorRef<Receptionist.Listing> listings = system.systemActorOf(
        Behaviors.receiveMessage((Receptionist.Listing listing) -> {
          otherInboxes = listing.getServiceInstances(INBOX).stream()
              .filter(ref -> !ref.equals(inbox))
              .collect(Collectors.toUnmodifiableSet());
          return Behaviors.same();
        }),
        "sip-inbox-listing", Props.empty());
    system.receptionist().tell(Receptionist.subscribe(INBOX, listings));
  }

  /**
   * Joins this node's SIP handling to the cluster its actor system is a member of, once
   * {@link ClusterJoin#await} found it Up.
   *
   * @param transport this node's listeners (where a handed-over message is taken to arrive),
   *     egress and connections
   * @param parsers a parser per thread, with this node's limits
   * @param tcpIdleTimeout how long another node's connection is remembered unused
   * @param housekeeping how often what is stale is cleared (tandem.cluster.housekeeping-interval)
   * @param restore brings back a call of this node's shards whose node is gone ({@link ReplicatedCalls})
   * @param store the calls' store, as {@link #callStore} made it
   */
  public static ClusterNode start(ActorSystem<?> system, ClusterJoin join, TransactionLayer layer,
      SipTransport transport, Supplier<SipParser> parsers, Duration tcpIdleTimeout, Duration housekeeping,
      Consumer<CallKey> restore, CallStore store) {
    return new ClusterNode(system, join, layer, transport, ThreadLocal.withInitial(parsers), tcpIdleTimeout,
        housekeeping, restore, store);
  }

  /**
   * The store that writes this node's calls to the other nodes, keeps theirs, and brings back
   * those of nodes that are gone; to be given to the call manager before {@link #start}.
   */
  public static CallStore callStore(ActorSystem<?> system, ClusterJoin join, ClusterSettings settings) {
    return ReplicatedCalls.start(system, join, settings);
  }

  /**
   * Where a delivery came from, as this node names it: for UDP, this node's listener; for TCP,
   * the connection itself if this node holds it, else the connection adopted from its holder.
   */
  private Optional<Peer> peerOf(SipDelivery delivery) {
    if (delivery.getTransport() != Transport.TRANSPORT_TCP) {
      return Deliveries.udpPeer(delivery, transport.listening());
    }
    Peer atHolder = Deliveries.atHolder(delivery);
    String from = delivery.getHolder();
    if (from.equals(holder)) {
      return Optional.of(atHolder);
    }
    ActorRef<SipSend> node = holders.computeIfAbsent(from, f -> ActorRefResolver.get(system).resolveActorRef(f));
    return Optional.of(transport.remoteConnections().adopt(from, atHolder,
        (message, over) -> node.tell(Deliveries.send(message, over))));
  }

  /** A message the transport received: called from the ingress streams, several at once. */
  public void accept(Inbound inbound) {
    if (layer.receiveIfMatched(inbound)) {
      counters.local.increment();
      return;
    }
    SipRoute route = SipRoute.of(inbound.message());
    if (route instanceof SipRoute.ToCall toCall) {
      counters.toOwner.increment();
      region.tell(new ShardingEnvelope<>(toCall.key().value(), Deliveries.of(inbound, holder)));
    } else if (route instanceof SipRoute.OtherNodes && !otherInboxes.isEmpty()) {
      counters.toOtherNodes.increment();
      SipDelivery delivery = Deliveries.of(inbound, holder);
      otherInboxes.forEach(other -> other.tell(delivery));
    } else {
      counters.local.increment();
      layer.receive(inbound);
    }
  }

  /**
   * The registrar's bindings on every node: what a REGISTER changes here is replicated, what
   * one changes elsewhere is applied to {@code location} ({@link ReplicatedBindings}).
   */
  public void replicate(LocationService location) {
    system.systemActorOf(ReplicatedBindings.create(location, housekeeping), "registrar-bindings", Props.empty());
  }

  /**
   * The call limits as the cluster's: the other nodes' calls and legs (published every
   * {@code publishInterval}) count against {@code limits}, and a carrier's rate is shared out.
   */
  public void shareLimits(CallLimits limits, Duration publishInterval) {
    ReplicatedLoad shared = new ReplicatedLoad();
    system.systemActorOf(shared.create(limits, publishInterval), "call-load", Props.empty());
    limits.shareWith(shared);
    loads = shared;
  }

  private CallLimits.Elsewhere elsewhere() {
    ReplicatedLoad published = loads;
    return published == null ? CallLimits.ALONE : published;
  }

  /** The calls' store this node writes its calls to and keeps the others' in (what {@link #callStore} made). */
  public CallStore store() {
    return store;
  }

  /** The calls the other nodes hold, as they last published them (what counts against max-calls). */
  public int callsElsewhere() {
    return elsewhere().calls();
  }

  public ClusterCounters counters() {
    return counters;
  }

  /** The calls the other nodes hold, as this node's copies of them have them (GET /calls). */
  public List<Map<String, Object>> callsOfOtherNodes() {
    return store instanceof ReplicatedCalls calls ? calls.copiesListed() : List.of();
  }

  /**
   * The calls' replication as this node has it: its own calls written to the others, the
   * copies it keeps of theirs, and how many other nodes' replicas it writes to.
   */
  public Map<String, Integer> replication() {
    if (!(store instanceof ReplicatedCalls calls)) {
      return Map.of();
    }
    Map<String, Integer> r = new LinkedHashMap<>();
    r.put("callsWritten", calls.own.size());
    r.put("copiesOfOtherNodes", calls.copies.size());
    r.put("replicas", calls.peers.size());
    return r;
  }

  /** How many members this node sees in each state (Up, Joining, Leaving, ...), and unreachable. */
  public Map<String, Long> membersByStatus() {
    var state = Cluster.get(system).state();
    Map<String, Long> byStatus = new java.util.TreeMap<>();
    for (Member m : state.getMembers()) {
      byStatus.merge(m.status().toString(), 1L, Long::sum);
    }
    byStatus.put("unreachable", (long) state.getUnreachable().size());
    return byStatus;
  }

  /** How many shards of calls this node holds now. */
  public CompletionStage<Integer> localShards(Duration timeout) {
    return AskPattern.<GetShardRegionState, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState().narrow(),
            replyTo -> new GetShardRegionState(CALLS, replyTo), timeout, system.scheduler())
        .thenApply(state -> state.getShards().size());
  }

  /** This node's cluster address. */
  public String self() {
    return Cluster.get(system).selfMember().address().toString();
  }

  /** This node's view of the cluster, for the admin API: members and the shards of calls. */
  public CompletionStage<Map<String, Object>> describe(Duration timeout) {
    Cluster cluster = Cluster.get(system);
    var state = cluster.state();
    Set<Member> unreachable = new java.util.HashSet<>();
    state.getUnreachable().forEach(unreachable::add);
    return AskPattern.<GetClusterShardingStats, ShardRegion.ClusterShardingStats>ask(
            ClusterSharding.get(system).shardState().narrow(),
            replyTo -> new GetClusterShardingStats(CALLS, timeout, replyTo), timeout, system.scheduler())
        .handle((stats, error) -> {
          Map<Address, ShardRegion.ShardRegionStats> regions = stats == null ? Map.of() : stats.getRegions();
          List<Object> members = new ArrayList<>();
          for (Member m : state.getMembers()) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("address", m.address().toString());
            member.put("status", m.status().toString());
            member.put("reachable", !unreachable.contains(m));
            ShardRegion.ShardRegionStats region = regions.get(m.address());
            member.put("shards", region == null ? null : region.getStats().size());
            ReplicatedLoad published = loads;
            member.put("calls", published == null ? null : published.callsOf(m.address().toString()));
            member.put("callEntities", region == null ? null
                : region.getStats().values().stream().mapToInt(n -> ((Number) n).intValue()).sum());
            members.add(member);
          }
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("self", cluster.selfMember().address().toString());
          body.put("leader", state.getLeader() == null ? null : state.getLeader().toString());
          body.put("members", members);
          body.put("shardStats", error == null ? "complete" : "unavailable: " + error.getMessage());
          Map<String, Object> sip = new LinkedHashMap<>();
          sip.put("handledHere", counters.local());
          sip.put("toCallOwner", counters.toOwner());
          sip.put("toOtherNodes", counters.toOtherNodes());
          sip.put("deliveredFromCluster", counters.delivered());
          sip.put("writtenForOtherNodes", counters.written());
          sip.put("undeliverable", counters.undeliverable());
          sip.put("otherNodesConnections", transport.remoteConnections().size());
          body.put("sip", sip);
          CallLimits.Elsewhere load = elsewhere();
          body.put("limits", Map.of("callsElsewhere", load.calls(), "nodesSharingRates", load.nodes()));
          body.put("replication", replication());
          return body;
        });
  }
}
