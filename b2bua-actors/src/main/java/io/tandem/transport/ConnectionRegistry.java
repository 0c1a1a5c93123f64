package io.tandem.transport;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open TCP connections, accepted and outbound, by id (to answer on the connection a request
 * came on, RFC 3261 section 18.2.2) and by remote address (to reuse one for a new request,
 * section 18.1.1). A connection is here from when it is opened until it closes.
 */
final class ConnectionRegistry {
  private final ConcurrentHashMap<Long, TcpConnection> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<InetSocketAddress, TcpConnection> byRemote =
      new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong();
  /** Connections another node holds, with ids of this registry's space. */
  private final RemoteConnections remote = new RemoteConnections(this::nextId);

  /** A new connection id, never {@link Peer#NO_CONNECTION}. */
  long nextId() {
    return ids.incrementAndGet();
  }

  void add(TcpConnection c) {
    byId.put(c.id(), c);
    byRemote.putIfAbsent(c.remote(), c);
  }

  /**
   * Adds an outbound connection unless one to the same remote address appeared meanwhile;
   * returns the one to use.
   */
  TcpConnection addOutbound(TcpConnection c) {
    TcpConnection existing = byRemote.putIfAbsent(c.remote(), c);
    if (existing != null) {
      return existing;
    }
    byId.put(c.id(), c);
    return c;
  }

  void remove(TcpConnection c) {
    byId.remove(c.id(), c);
    byRemote.remove(c.remote(), c);
    // Another connection to the same address may now serve it.
    byId.values().stream().filter(o -> o.remote().equals(c.remote())).findFirst()
        .ifPresent(o -> byRemote.putIfAbsent(o.remote(), o));
  }

  Optional<TcpConnection> byId(long id) {
    return Optional.ofNullable(byId.get(id));
  }

  Optional<TcpConnection> byRemote(InetSocketAddress remote) {
    return Optional.ofNullable(byRemote.get(remote));
  }

  RemoteConnections remote() {
    return remote;
  }

  int size() {
    return byId.size();
  }

  void closeAll() {
    new ArrayList<>(byId.values()).forEach(TcpConnection::close);
  }
}
