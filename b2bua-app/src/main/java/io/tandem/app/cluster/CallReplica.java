package io.tandem.app.cluster;

import io.tandem.app.cluster.proto.CallReplication;
import io.tandem.app.cluster.proto.SipDelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's replica of the other nodes' calls ({@link ReplicatedCalls}): it keeps what they
 * write, acknowledges it, and brings back the calls of a node that is gone.
 *
 * <pre>
 *   keep(state, seq, ack_to) --> copies[key] (unless a newer one of its holder is there) --> kept(seq)
 *   forget(key)              --> copies - key
 *   kept(seq, node)          --> the write of this node's that awaited it
 *   a replica appears        --> this node's own calls written to it (a node that joined, or came back),
 *                                replication.resync-batch at a time, each batch acknowledged
 *   a member removed, and every housekeeping interval:
 *       copies whose holder is gone --SipDelivery(restore_key, restore_state) by sharding--> the shard's owner
 *       (replication.resync-batch of them every replication.bring-back-interval),
 *       brings the call back (and writes it again as its own); this node's keys to every other
 *       replica (digest), which drops a copy of this node's that two digests in a row leave out
 * </pre>
 */
final class CallReplica {
  /** Every node's replica, found through the receptionist. */
  static final ServiceKey<CallReplication> KEY = ServiceKey.create(CallReplication.class, "tandem-call-replica");

  /** How many sweeps a copy of a gone holder's call is offered to its owner before it is dropped. */
  static final int MAX_SWEEPS = 4;
  /**
   * The most keys in one part of a digest: about 19 bytes each, 4,096 make about 80 KB, well
   * under Artery's maximum-frame-size (256 KiB), past which it drops a message.
   */
  static final int DIGEST_PART_KEYS = 4096;
  private static final Logger LOG = LoggerFactory.getLogger(CallReplica.class);

  private CallReplica() {}

  private interface Local extends NoSerializationVerificationNeeded {}

  private enum Tick implements Local { INSTANCE }

  /** The next batch of the calls to bring back. */
  private enum Drain implements Local { INSTANCE }

  private record Removed(ClusterEvent.MemberRemoved removed) implements Local {}

  private record Listed(Receptionist.Listing listing) implements Local {}

  /**
   * @param interval how often it sweeps its copies and sends its digest (housekeeping-interval)
   * @param batch how many calls it asks to be brought back at once (replication.resync-batch)
   * @param pause the time between two such batches (replication.bring-back-interval)
   */
  static Behavior<CallReplication> create(ReplicatedCalls calls, ActorRef<ShardingEnvelope<SipDelivery>> region,
      Duration interval, int batch, Duration pause) {
    return Behaviors.<Object>setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<CallReplication> self = ctx.getSelf().narrow();
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, self));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(KEY,
          ctx.messageAdapter(Receptionist.Listing.class, Listed::new)));
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
          ctx.messageAdapter(ClusterEvent.MemberRemoved.class, Removed::new), ClusterEvent.MemberRemoved.class));
      timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
      Map<String, ActorRef<CallReplication>> acks = new HashMap<>();
      Map<String, Set<String>> missing = new HashMap<>();
      Map<String, Integer> swept = new HashMap<>();
      Map<String, DigestParts> digests = new HashMap<>();
      Set<String> queued = new LinkedHashSet<>();
      Runnable drain = () -> {
        if (drain(calls, region, queued, batch)) {
          timers.startSingleTimer(Drain.INSTANCE, pause);
        }
      };
      Runnable sweep = () -> {
        sweep(calls, queued, swept);
        if (!timers.isTimerActive(Drain.INSTANCE)) {
          drain.run(); // else the batches under way take the new ones too
        }
      };
      String node = calls.selfAddress.toString();
      return Behaviors.receive(Object.class)
          .onMessage(CallReplication.class, m -> {
            onReplication(ctx, calls, acks, missing, digests, node, m);
            return Behaviors.same();
          })
          .onMessage(Listed.class, l -> {
            onListing(calls, self, l.listing());
            return Behaviors.same();
          })
          .onMessage(Removed.class, r -> {
            sweep.run();
            return Behaviors.same();
          })
          .onMessageEquals(Tick.INSTANCE, () -> {
            sweep.run();
            sendDigest(calls, node);
            return Behaviors.same();
          })
          .onMessageEquals(Drain.INSTANCE, () -> {
            drain.run();
            return Behaviors.same();
          })
          .build();
    })).narrow();
  }

  private static void onReplication(ActorContext<Object> ctx, ReplicatedCalls calls,
      Map<String, ActorRef<CallReplication>> acks, Map<String, Set<String>> missing,
      Map<String, DigestParts> digests, String node, CallReplication m) {
    if (m.hasKeep()) {
      String key = m.getKeep().getKey();
      String holder = m.getKeep().getHolder();
      ReplicatedCalls.Copy had = calls.copies.get(key);
      if (!calls.own.containsKey(key) && (had == null || !had.holder().equals(holder) || had.seq() < m.getSeq())) {
        calls.copies.put(key, new ReplicatedCalls.Copy(holder, m.getSeq(), m.getKeep()));
      }
      if (!m.getAckTo().isEmpty()) {
        acks.computeIfAbsent(m.getAckTo(), a -> ActorRefResolver.get(ctx.getSystem()).resolveActorRef(a))
            .tell(CallReplication.newBuilder().setKept(true).setSeq(m.getSeq()).setNode(node).build());
        if (acks.size() > 64) {
          acks.clear(); // replicas of incarnations long gone
        }
      }
    } else if (!m.getForget().isEmpty()) {
      calls.copies.remove(m.getForget());
    } else if (m.getKept()) {
      calls.kept(m.getSeq(), AddressFromURIString.parse(m.getNode()));
    } else if (m.getDigest()) {
      DigestParts.add(digests, m).ifPresent(held -> {
        prune(calls, missing, m.getNode(), held);
        digests.keySet().retainAll(calls.liveHolders());
      });
    }
  }

  /**
   * The whole digest of {@code holder}: a copy of its that two digests in a row do not name is
   * dropped (one may miss a call whose first write was under way as it was made).
   */
  private static void prune(ReplicatedCalls calls, Map<String, Set<String>> missing, String holder, Set<String> held) {
    Set<String> missedBefore = missing.getOrDefault(holder, Set.of());
    Set<String> missedNow = new HashSet<>();
    calls.copies.forEach((key, copy) -> {
      if (copy.holder().equals(holder) && !held.contains(key)) {
        if (missedBefore.contains(key)) {
          calls.copies.remove(key, copy);
        } else {
          missedNow.add(key);
        }
      }
    });
    missing.keySet().retainAll(calls.liveHolders());
    missing.put(holder, missedNow);
  }

  /** The replicas now listed: one not known before gets every call of this node's. */
  private static void onListing(ReplicatedCalls calls, ActorRef<CallReplication> self, Receptionist.Listing listing) {
    Map<Address, ActorRef<CallReplication>> peers = new HashMap<>();
    for (ActorRef<CallReplication> ref : listing.getServiceInstances(KEY)) {
      if (!ref.equals(self)) {
        peers.put(ref.path().address(), ref);
      }
    }
    Map<Address, ActorRef<CallReplication>> before = calls.peers;
    calls.peers = Map.copyOf(peers);
    peers.forEach((address, ref) -> {
      if (!ref.equals(before.get(address))) {
        calls.resync(ref, address);
      }
    });
  }

  /**
   * Queues each call whose holder is gone, to ask its owner to bring it back with this node's
   * copy (it ignores one it holds). The owner that brings a call back writes it again as its
   * own, so a copy still naming a gone holder after {@link #MAX_SWEEPS} sweeps is one nobody
   * could bring back (its state unreadable there, say): it is dropped, and logged.
   */
  private static void sweep(ReplicatedCalls calls, Set<String> queued, Map<String, Integer> swept) {
    Set<String> live = calls.liveHolders();
    swept.keySet().retainAll(calls.copies.keySet());
    calls.copies.forEach((key, copy) -> {
      if (!live.contains(copy.holder())) {
        int sweeps = swept.merge(key, 1, Integer::sum);
        if (sweeps > MAX_SWEEPS) {
          calls.copies.remove(key, copy);
          swept.remove(key);
          queued.remove(key);
          LOG.warn("call {}: its node {} is gone, and no node brought it back after {} sweeps: copy dropped",
              key, ReplicatedCalls.addressOf(copy.holder()), MAX_SWEEPS);
          return;
        }
        queued.add(key);
      } else {
        swept.remove(key);
      }
    });
  }

  /**
   * Asks for the next {@code batch} of the {@code queued} calls to be brought back, through
   * sharding (the copy as it is now; none if the call came back meanwhile): a node gone with
   * thousands of calls would otherwise overflow the outbound queues to their owners (3,072
   * messages each), which drop what does not fit. True if calls are left for the next batch.
   */
  private static boolean drain(ReplicatedCalls calls, ActorRef<ShardingEnvelope<SipDelivery>> region,
      Set<String> queued, int batch) {
    Set<String> live = calls.liveHolders();
    int sent = 0;
    for (Iterator<String> it = queued.iterator(); it.hasNext() && sent < batch; ) {
      String key = it.next();
      it.remove();
      ReplicatedCalls.Copy copy = calls.copies.get(key);
      if (copy != null && !live.contains(copy.holder())) {
        region.tell(new ShardingEnvelope<>(key, SipDelivery.newBuilder().setRestoreKey(key)
            .setRestoreState(copy.value()).setRestoreSeq(copy.seq()).build()));
        sent++;
      }
    }
    return !queued.isEmpty();
  }

  /** This node's keys to every other replica: a forget lost on the way is made good. */
  private static void sendDigest(ReplicatedCalls calls, String node) {
    if (calls.peers.isEmpty()) {
      return;
    }
    for (CallReplication part : digestParts(calls.holder, List.copyOf(calls.own.keySet()), System.nanoTime())) {
      calls.peers.values().forEach(peer -> peer.tell(part));
    }
  }

  /**
   * {@code keys}, the calls {@code holder} holds, as digest {@code round} in parts of at most
   * {@link #DIGEST_PART_KEYS} keys (at least one part, empty when it holds none).
   */
  static List<CallReplication> digestParts(String holder, List<String> keys, long round) {
    int parts = Math.max(1, (keys.size() + DIGEST_PART_KEYS - 1) / DIGEST_PART_KEYS);
    List<CallReplication> digest = new ArrayList<>(parts);
    for (int part = 0; part < parts; part++) {
      digest.add(CallReplication.newBuilder().setDigest(true).setNode(holder).setDigestRound(round)
          .setDigestPart(part).setDigestParts(parts)
          .addAllHeld(keys.subList(part * DIGEST_PART_KEYS, Math.min(keys.size(), (part + 1) * DIGEST_PART_KEYS)))
          .build());
    }
    return digest;
  }

  /** One holder's digest as its parts come, until it has them all. */
  static final class DigestParts {
    final long round;
    final Set<String> held = new HashSet<>();
    final Set<Integer> parts = new HashSet<>();

    DigestParts(long round) {
      this.round = round;
    }

    /**
     * {@code part} added to the digest of {@code byHolder}'s holder it belongs to: the holder's
     * whole digest once every part of its round is in, else empty (a part of an older round, or
     * one of a round still incomplete; a newer round starts afresh).
     */
    static Optional<Set<String>> add(Map<String, DigestParts> byHolder, CallReplication part) {
      String holder = part.getNode();
      DigestParts had = byHolder.get(holder);
      if (had != null && had.round > part.getDigestRound()) {
        return Optional.empty();
      }
      DigestParts d = had != null && had.round == part.getDigestRound() ? had : new DigestParts(part.getDigestRound());
      byHolder.put(holder, d);
      d.held.addAll(part.getHeldList());
      d.parts.add(part.getDigestPart());
      if (d.parts.size() < Math.max(1, part.getDigestParts())) {
        return Optional.empty();
      }
      byHolder.remove(holder);
      return Optional.of(d.held);
    }
  }
}
