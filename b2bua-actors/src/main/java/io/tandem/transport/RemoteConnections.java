package io.tandem.transport;

import io.tandem.sip.message.SipMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * TCP connections that another process holds (a cluster's other node) and that this node's
 * calls send over: a request a peer sent over its connection to node X and that node X handed
 * here is answered over that connection, through X (RFC 3261 section 18.2.2), and so is a
 * request to that peer while the connection is known. Each one has an id of this node's
 * connection space, so that a {@link Peer} naming it travels through the transaction and
 * call layers like a connection of this node's own; egress hands what is sent on it to its
 * {@link Holder}.
 *
 * <p>An entry is made by {@link #adopt} when a message arrives through another node, kept
 * while it is used, and dropped by {@link #expireIdle} after the transport's idle timeout (the
 * holder closes the connection itself by then).
 */
public final class RemoteConnections {
  /** The node holding a connection: sends {@code message} over it, where it knows it as {@code over}. */
  public interface Holder {
    void send(SipMessage message, Peer over);
  }

  /** One adopted connection: its id here, its holder, and the peer as the holder knows it. */
  record Entry(long id, Holder holder, Peer atHolder, AtomicLong lastUsed) {
    void touch() {
      lastUsed.set(System.nanoTime());
    }
  }

  private final LongSupplier ids;
  private final ConcurrentHashMap<String, Entry> byKey = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<Long, Entry> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetSocketAddress, Entry> byRemote = new ConcurrentHashMap<>();

  RemoteConnections(LongSupplier ids) {
    this.ids = ids;
  }

  /**
   * The peer, as this node names it, of the connection {@code atHolder} of the holder
   * {@code holderKey} (the same holder key and connection id always give the same id here).
   */
  public Peer adopt(String holderKey, Peer atHolder, Holder holder) {
    String key = holderKey + "#" + atHolder.connectionId();
    Entry entry = byKey.computeIfAbsent(key, k -> {
      Entry e = new Entry(ids.getAsLong(), holder, atHolder, new AtomicLong());
      byId.put(e.id(), e);
      byRemote.put(atHolder.remote(), e);
      return e;
    });
    entry.touch();
    return new Peer(TransportProtocol.TCP, atHolder.remote(), atHolder.local(), entry.id());
  }

  Optional<Entry> byId(long id) {
    return Optional.ofNullable(byId.get(id)).map(e -> {
      e.touch();
      return e;
    });
  }

  Optional<Entry> byRemote(InetSocketAddress remote) {
    return Optional.ofNullable(byRemote.get(remote)).map(e -> {
      e.touch();
      return e;
    });
  }

  /** Forgets the connections not used for {@code idle}; returns how many are left. */
  public int expireIdle(Duration idle) {
    long now = System.nanoTime();
    byKey.values().removeIf(e -> {
      boolean expired = now - e.lastUsed().get() > idle.toNanos();
      if (expired) {
        byId.remove(e.id(), e);
        byRemote.remove(e.atHolder().remote(), e);
      }
      return expired;
    });
    return byKey.size();
  }

  public int size() {
    return byKey.size();
  }
}
