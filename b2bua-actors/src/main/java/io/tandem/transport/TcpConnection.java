package io.tandem.transport;

import io.tandem.sip.message.SipMessage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.util.ByteString;

/**
 * One open TCP connection as egress sees it: its id, its ends, and the bounded queue of octets
 * waiting to be written (tcp.outgoing-queue). An outbound connection that is still connecting
 * remembers what was queued on it, so that a failed connect tells each sender.
 */
final class TcpConnection {
  /** A message queued before the connection was up. */
  record Pending(SipMessage message, Peer destination, ActorRef<Egress.SendFailed> replyTo) {}

  private final long id;
  private final InetSocketAddress remote;
  private volatile InetSocketAddress local;
  private final BoundedSourceQueue<ByteString> outgoing;
  private final SharedKillSwitch killSwitch;
  /** Null once connected (accepted connections start connected). */
  private List<Pending> pending;

  TcpConnection(long id, InetSocketAddress remote, InetSocketAddress local,
      BoundedSourceQueue<ByteString> outgoing, SharedKillSwitch killSwitch, boolean connected) {
    this.id = id;
    this.remote = remote;
    this.local = local;
    this.outgoing = outgoing;
    this.killSwitch = killSwitch;
    this.pending = connected ? null : new ArrayList<>();
  }

  long id() {
    return id;
  }

  InetSocketAddress remote() {
    return remote;
  }

  InetSocketAddress local() {
    return local;
  }

  /** The peer a message received on this connection came from. */
  Peer peer() {
    return Peer.tcp(remote, local, id);
  }

  /** Queues octets for writing: Enqueued, Dropped (queue full) or closed. */
  QueueOfferResult write(ByteString octets) {
    return outgoing.offer(octets);
  }

  /**
   * Queues a message for a sender who wants to hear if it fails; while connecting, the sender is
   * remembered until the connect succeeds or fails.
   */
  synchronized QueueOfferResult write(ByteString octets, Pending sender) {
    QueueOfferResult result = outgoing.offer(octets);
    if (pending != null && result == QueueOfferResult.enqueued()) {
      pending.add(sender);
    }
    return result;
  }

  /** The connect succeeded: what was queued will be written. */
  synchronized void connected(InetSocketAddress localAddress) {
    local = localAddress;
    pending = null;
  }

  /** The connect failed: the senders still waiting, to be told. */
  synchronized List<Pending> connectFailed() {
    List<Pending> waiting = pending == null ? List.of() : pending;
    pending = null;
    return waiting;
  }

  /** Closes the connection, dropping whatever was not yet written. */
  void close() {
    killSwitch.shutdown();
  }

  @Override
  public String toString() {
    return "TCP:" + IpLiteral.hostPort(remote) + "#" + id;
  }
}
