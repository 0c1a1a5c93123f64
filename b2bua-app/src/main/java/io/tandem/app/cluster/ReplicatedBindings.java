package io.tandem.app.cluster;

import io.tandem.app.cluster.proto.AorBindings;
import io.tandem.app.cluster.proto.BindingValue;
import io.tandem.app.cluster.proto.Transport;
import io.tandem.app.registrar.Binding;
import io.tandem.app.registrar.LocationService;
import io.tandem.sip.message.NameAddr;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registrar's bindings on every node: each change a REGISTER makes here is written to a
 * Pekko Distributed Data map by address-of-record (last writer wins, gossiped to the other
 * nodes), and each change another node made is applied to this node's
 * {@link LocationService}. An AOR whose bindings have all lapsed is removed from the map by
 * whichever node sees it first.
 *
 * <pre>
 *   REGISTER here --LocationService.Listener--> Publish --Update (write local)--> gossip
 *   another node's change --Changed--> LocationService.replace (entries that differ only)
 *   every sweep-interval: AORs all of whose bindings lapsed --Update remove-->
 * </pre>
 *
 * <p>A binding from another node keeps its source address but not its TCP connection (that
 * is the other node's): a call to a PBX that registered over TCP through another node opens a
 * connection of its own to the PBX's source address.
 */
final class ReplicatedBindings {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedBindings.class);
  static final Key<LWWMap<String, AorBindings>> KEY = LWWMapKey.create("tandem-registrar-bindings");

  /** Node-local: this actor's messages never cross nodes (its replicator's do, as Pekko's own). */
  interface Command extends NoSerializationVerificationNeeded {}

  private record Publish(String aor, List<Binding> bindings) implements Command {}

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, AorBindings>> change) implements Command {}

  private record Written(Replicator.UpdateResponse<LWWMap<String, AorBindings>> response) implements Command {}

  private enum Sweep implements Command { INSTANCE }

  private ReplicatedBindings() {}

  static Behavior<Command> create(LocationService location, Duration sweepInterval) {
    return Behaviors.setup(ctx -> DistributedData.withReplicatorMessageAdapter(
        (org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter<Command, LWWMap<String, AorBindings>>
            replicator) -> Behaviors.withTimers(timers -> {
          SelfUniqueAddress self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
          Map<String, AorBindings> applied = new HashMap<>();
          replicator.subscribe(KEY, Changed::new);
          location.listen((aor, bindings) -> ctx.getSelf().tell(new Publish(aor, bindings)));
          timers.startTimerWithFixedDelay(Sweep.INSTANCE, sweepInterval);
          return Behaviors.receive(Command.class)
              .onMessage(Publish.class, p -> {
                AorBindings value = toProto(p.bindings());
                applied.put(p.aor(), value); // our own write comes back as a change: nothing to apply
                replicator.askUpdate(replyTo -> new Replicator.Update<>(KEY, LWWMap.empty(), Replicator.writeLocal(),
                    replyTo, map -> p.bindings().isEmpty() ? map.remove(self, p.aor()) : map.put(self, p.aor(), value)),
                    Written::new);
                return Behaviors.same();
              })
              .onMessage(Changed.class, c -> {
                if (c.change() instanceof Replicator.Changed<LWWMap<String, AorBindings>> changed) {
                  apply(changed.get(KEY).getEntries(), applied, location);
                }
                return Behaviors.same();
              })
              .onMessage(Written.class, w -> {
                if (!(w.response() instanceof Replicator.UpdateSuccess)) {
                  LOG.warn("Registrar bindings not replicated: {}", w.response());
                }
                return Behaviors.same();
              })
              .onMessageEquals(Sweep.INSTANCE, () -> {
                long now = Instant.now().toEpochMilli();
                applied.forEach((aor, value) -> {
                  if (!value.getBindingsList().isEmpty()
                      && value.getBindingsList().stream().allMatch(b -> b.getExpiresAtMs() <= now)) {
                    ctx.getSelf().tell(new Publish(aor, List.of()));
                  }
                });
                return Behaviors.same();
              })
              .build();
        })));
  }

  /** Applies the entries that differ from what this node has applied (or written) last. */
  private static void apply(Map<String, AorBindings> entries, Map<String, AorBindings> applied,
      LocationService location) {
    for (Map.Entry<String, AorBindings> e : entries.entrySet()) {
      if (!e.getValue().equals(applied.get(e.getKey()))) {
        applied.put(e.getKey(), e.getValue());
        if (!location.replace(e.getKey(), fromProto(e.getValue()))) {
          LOG.warn("Registrar bindings of {} from another node refused: tandem.registrar.max-aors reached", e.getKey());
        }
      }
    }
    for (String aor : new ArrayList<>(applied.keySet())) {
      if (!entries.containsKey(aor)) { // removed on another node (or lapsed)
        applied.remove(aor);
        location.replace(aor, List.of());
      }
    }
  }

  static AorBindings toProto(List<Binding> bindings) {
    AorBindings.Builder out = AorBindings.newBuilder();
    for (Binding b : bindings) {
      Peer source = b.source();
      BindingValue.Builder v = BindingValue.newBuilder()
          .setContact(b.contact().toString())
          .setQ(b.q())
          .setCallId(b.callId())
          .setCseq(b.cseq())
          .setExpiresAtMs(b.expiresAt().toEpochMilli())
          .setTransport(source.protocol() == TransportProtocol.TCP ? Transport.TRANSPORT_TCP : Transport.TRANSPORT_UDP)
          .setRemote(Deliveries.endpoint(source.remote()))
          .setOrder(b.order());
      if (source.local() != null) {
        v.setLocal(Deliveries.endpoint(source.local()));
      }
      out.addBindings(v);
    }
    return out.build();
  }

  static List<Binding> fromProto(AorBindings value) {
    List<Binding> out = new ArrayList<>(value.getBindingsCount());
    for (BindingValue v : value.getBindingsList()) {
      try {
        TransportProtocol protocol = v.getTransport() == Transport.TRANSPORT_TCP ? TransportProtocol.TCP
            : TransportProtocol.UDP;
        Peer source = new Peer(protocol, Deliveries.address(v.getRemote()), v.hasLocal() ? Deliveries.address(v.getLocal()) : null,
            Peer.NO_CONNECTION);
        out.add(new Binding(NameAddr.parse(v.getContact()), v.getQ(), v.getCallId(), v.getCseq(),
            Instant.ofEpochMilli(v.getExpiresAtMs()), source, v.getOrder()));
      } catch (RuntimeException e) { // IllegalArgumentException: a bad address or Contact
        LOG.warn("A binding from another node is unreadable, left out: {}: {}", v.getContact(), e.toString());
      }
    }
    return out;
  }
}
