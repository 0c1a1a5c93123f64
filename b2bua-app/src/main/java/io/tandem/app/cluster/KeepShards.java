package io.tandem.app.cluster;

import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/**
 * Where a new shard of calls goes: the node with the fewest; and a shard never moves while
 * its node is up. Pekko's default strategy moves shards to a node that joins, but a call's
 * actors and transactions stay on the node that started them: a moved shard would hand the
 * rest of its calls' messages to a node that knows nothing of them. (A shard of a node that
 * is gone is allocated again, to the living: its calls are lost until calls are replicated.)
 */
final class KeepShards extends ShardCoordinator.AbstractShardAllocationStrategy {
  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
      Map<ActorRef, IndexedSeq<String>> current) {
    ActorRef least = requester;
    int fewest = Integer.MAX_VALUE;
    for (Map.Entry<ActorRef, IndexedSeq<String>> e : current.entrySet()) {
      int shards = e.getValue().size();
      if (shards < fewest || shards == fewest && e.getKey().path().address().toString()
          .compareTo(least.path().address().toString()) < 0) {
        least = e.getKey();
        fewest = shards;
      }
    }
    return Future.successful(least);
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> inProgress) {
    return Future.successful(Set.of());
  }
}
