package io.tandem.app.cluster;

import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Where a new shard of calls goes: the node Up with the fewest (a node leaving, joining or
 * unreachable gets none while another will do); and a shard never moves while its node is up.
 * Pekko's default strategy moves shards to a node that joins, but a call's actors and
 * transactions stay on the node that started them: a moved shard would hand the rest of its
 * calls' messages to a node that knows nothing of them. (A shard of a node that is gone is
 * allocated again, to the living, which bring its calls back from their copies: ReplicatedCalls.)
 */
final class KeepShards extends ShardCoordinator.AbstractShardAllocationStrategy
    implements ShardCoordinator.ActorSystemDependentAllocationStrategy {
  private volatile Cluster cluster;

  @Override
  public void start(ActorSystem system) {
    cluster = Cluster.get(system);
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
      Map<ActorRef, IndexedSeq<String>> current) {
    ActorRef least = null;
    int fewest = Integer.MAX_VALUE;
    for (Map.Entry<ActorRef, IndexedSeq<String>> e : current.entrySet()) {
      int shards = e.getValue().size();
      if (usable(e.getKey()) && (shards < fewest || shards == fewest && address(e.getKey()).toString()
          .compareTo(address(least).toString()) < 0)) {
        least = e.getKey();
        fewest = shards;
      }
    }
    return Future.successful(least != null ? least : requester);
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> inProgress) {
    return Future.successful(Set.of());
  }

  /** Whether the region's node is Up and reachable (every region, before {@link #start}). */
  private boolean usable(ActorRef region) {
    Cluster c = cluster;
    if (c == null) {
      return true;
    }
    Address at = address(region);
    var state = c.state();
    for (Member m : state.getUnreachable()) {
      if (m.address().equals(at)) {
        return false;
      }
    }
    for (Member m : state.getMembers()) {
      if (m.address().equals(at)) {
        return m.status() == MemberStatus.up();
      }
    }
    return false;
  }

  /** The region's node: its own address for a remote region, this node's for the local one. */
  private Address address(ActorRef region) {
    Address a = region.path().address();
    Cluster c = cluster;
    return a.hasLocalScope() && c != null ? c.selfAddress() : a;
  }
}
