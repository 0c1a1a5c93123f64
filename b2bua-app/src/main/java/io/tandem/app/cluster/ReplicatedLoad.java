package io.tandem.app.cluster;

import io.tandem.app.cluster.proto.NodeLoad;
import io.tandem.routing.CallLimits;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The call limits as the cluster's ({@link CallLimits.Elsewhere}): every {@code interval} this
 * node publishes what it holds (calls, legs per limited carrier) when it changed, and keeps
 * what the other nodes last published; only members Up count, so a node gone stops counting
 * as soon as it is no longer a member.
 *
 * <pre>
 *   every interval: this node's counts changed? --Update put(self)--> gossip
 *                   members Up --> nodes(), and whose published counts count
 *   another node's counts --Changed--> calls(), onCarrier()
 * </pre>
 */
final class ReplicatedLoad implements CallLimits.Elsewhere {
  static final Key<LWWMap<String, NodeLoad>> KEY = LWWMapKey.create("tandem-call-load");

  /** Node-local: this actor's messages never cross nodes (its replicator's do, as Pekko's own). */
  interface Command extends NoSerializationVerificationNeeded {}

  private enum Tick implements Command { INSTANCE }

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, NodeLoad>> change) implements Command {}

  private record Written(Replicator.UpdateResponse<LWWMap<String, NodeLoad>> response) implements Command {}

  private volatile Map<String, NodeLoad> published = Map.of();
  private volatile Set<String> up = Set.of();
  private volatile String self = "";

  @Override
  public int calls() {
    int n = 0;
    for (Map.Entry<String, NodeLoad> e : published.entrySet()) {
      if (counts(e.getKey())) {
        n += e.getValue().getCalls();
      }
    }
    return n;
  }

  @Override
  public int onCarrier(String carrier) {
    int n = 0;
    for (Map.Entry<String, NodeLoad> e : published.entrySet()) {
      if (counts(e.getKey())) {
        n += e.getValue().getCarriersOrDefault(carrier, 0);
      }
    }
    return n;
  }

  /** The calls {@code node} (a cluster address) last published it holds; null if it published none. */
  Integer callsOf(String node) {
    NodeLoad load = published.get(node);
    return load == null ? null : load.getCalls();
  }

  @Override
  public int nodes() {
    return Math.max(1, up.size());
  }

  private boolean counts(String node) {
    return !node.equals(self) && up.contains(node);
  }

  /** The actor that publishes {@code limits}' counts and hears the others'. */
  Behavior<Command> create(CallLimits limits, Duration interval) {
    return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (ReplicatorMessageAdapter<Command, LWWMap<String, NodeLoad>> replicator) -> Behaviors.withTimers(timers -> {
          SelfUniqueAddress node = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
          Cluster cluster = Cluster.get(ctx.getSystem());
          self = cluster.selfMember().address().toString();
          replicator.subscribe(KEY, Changed::new);
          timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
          NodeLoad[] last = {null};
          return Behaviors.receive(Command.class)
              .onMessageEquals(Tick.INSTANCE, () -> {
                Set<String> members = new HashSet<>();
                for (Member m : cluster.state().getMembers()) {
                  if (m.status() == MemberStatus.up()) {
                    members.add(m.address().toString());
                  }
                }
                up = Set.copyOf(members);
                NodeLoad now = snapshot(limits);
                if (!now.equals(last[0])) {
                  last[0] = now;
                  replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(),
                      Replicator.writeLocal(), replyTo, map -> map.put(node, self, now)), Written::new);
                }
                return Behaviors.same();
              })
              .onMessage(Changed.class, c -> {
                if (c.change() instanceof Replicator.Changed<LWWMap<String, NodeLoad>> changed) {
                  published = Map.copyOf(changed.get(KEY).getEntries());
                }
                return Behaviors.same();
              })
              .onMessage(Written.class, w -> Behaviors.same()) // write-local: it cannot time out
              .build();
        })));
  }

  private static NodeLoad snapshot(CallLimits limits) {
    NodeLoad.Builder b = NodeLoad.newBuilder().setCalls(limits.activeCalls());
    limits.carrierLimits().forEach((carrier, max) -> {
      if (max > 0) {
        b.putCarriers(carrier, limits.activeOn(carrier));
      }
    });
    return b.build();
  }
}
