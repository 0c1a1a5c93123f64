package io.tandem.transport;

import io.tandem.sip.codec.SipRenderer;
import io.tandem.sip.message.SipMessage;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.util.ByteString;

/**
 * The sending side of the transport: renders each message and writes it where RFC 3261
 * section 18 says, telling the sender {@link Egress.SendFailed} when it cannot.
 *
 * <pre>
 *   SendRequest  ─► UDP: socket of the destination's address family
 *                   TCP: open connection to the destination, else one another node
 *                        holds (RemoteConnections: that node writes), else connect
 *   SendResponse ─► UDP: ViaRules.udp (maddr / force-rport / received:rport / sent-by / 5060),
 *                        from the socket the request came in on
 *                   TCP: the request's connection while open (through the node holding
 *                        it, if another does), else connect to ViaRules.byReceived
 * </pre>
 */
final class EgressActor extends AbstractBehavior<Egress.Command> {
  /** Stops the actor at shutdown. */
  enum Stop implements Egress.Command {
    INSTANCE
  }

  private final List<UdpListener> udp;
  private final TcpTransport tcp;
  private final TransportSettings settings;
  private final DropLog drops;
  private final Capture capture;

  static Behavior<Egress.Command> create(List<UdpListener> udp, TcpTransport tcp,
      TransportSettings settings, DropLog drops, Capture capture) {
    return Behaviors.setup(context -> new EgressActor(context, udp, tcp, settings, drops, capture));
  }

  private EgressActor(ActorContext<Egress.Command> context, List<UdpListener> udp,
      TcpTransport tcp, TransportSettings settings, DropLog drops, Capture capture) {
    super(context);
    this.capture = capture;
    this.udp = List.copyOf(udp);
    this.tcp = tcp;
    this.settings = settings;
    this.drops = drops;
  }

  @Override
  public Receive<Egress.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Egress.SendRequest.class, this::onSendRequest)
        .onMessage(Egress.SendResponse.class, this::onSendResponse)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .build();
  }

  private Behavior<Egress.Command> onSendRequest(Egress.SendRequest send) {
    Peer to = send.destination();
    try {
      if (to.protocol() == TransportProtocol.UDP) {
        Optional<UdpListener> socket = udpFor(to.remote());
        if (socket.isEmpty()) {
          badDestination(send.request(), to, send.replyTo(), "no UDP listener for the address family");
        } else {
          sendUdp(socket.get(), send.request(), to, send.replyTo());
        }
      } else {
        sendTcp(send.request(), to, send.replyTo());
      }
    } catch (RuntimeException e) {
      failed(send.request(), to, send.replyTo(), e.toString());
    }
    return this;
  }

  private Behavior<Egress.Command> onSendResponse(Egress.SendResponse send) {
    Peer source = send.requestSource();
    try {
      if (source.protocol() == TransportProtocol.UDP) {
        ViaRules.Target target = ViaRules.udp(send.response().topVia(), source, settings);
        if (target.failed()) {
          badDestination(send.response(), source, send.replyTo(), target.error());
          return this;
        }
        Optional<UdpListener> socket = udpAt(source.local()).or(() -> udpFor(target.address()));
        Peer to = Peer.udp(target.address(), source.local());
        if (socket.isEmpty()) {
          badDestination(send.response(), to, send.replyTo(), "no UDP listener for the address family");
        } else {
          sendUdp(socket.get(), send.response(), to, send.replyTo());
        }
        return this;
      }
      // RFC 3261 section 18.2.2: over the connection the request came on while it is open.
      Optional<TcpConnection> open = source.connectionId() == Peer.NO_CONNECTION
          ? Optional.empty() : tcp.registry().byId(source.connectionId());
      if (open.isEmpty() && source.connectionId() != Peer.NO_CONNECTION) {
        Optional<RemoteConnections.Entry> held = tcp.registry().remote().byId(source.connectionId());
        if (held.isPresent()) { // another node holds it: that node writes (or falls back as below)
          held.get().holder().send(send.response(), held.get().atHolder());
          return this;
        }
      }
      if (open.isPresent() && !isClosed(writeTcp(open.get(), send.response(), source,
          send.replyTo(), false))) {
        return this;
      }
      ViaRules.Target target = ViaRules.byReceived(send.response().topVia());
      if (target.failed()) {
        badDestination(send.response(), source, send.replyTo(), target.error());
      } else {
        sendTcp(send.response(), Peer.destination(TransportProtocol.TCP, target.address()),
            send.replyTo());
      }
    } catch (RuntimeException e) {
      failed(send.response(), source, send.replyTo(), e.toString());
    }
    return this;
  }

  private void sendUdp(UdpListener socket, SipMessage message, Peer to,
      ActorRef<Egress.SendFailed> replyTo) {
    try {
      byte[] octets = SipRenderer.renderBytes(message);
      socket.send(octets, to.remote());
      drops.counters().increment("sent");
      capture.sent(TransportProtocol.UDP, socket.local(), to.remote(), octets);
    } catch (Exception e) {
      failed(message, to, replyTo, "UDP send: " + e);
    }
  }

  /** An open connection to the destination, accepted or outbound, else a new one. */
  private void sendTcp(SipMessage message, Peer to, ActorRef<Egress.SendFailed> replyTo) {
    Optional<TcpConnection> open = tcp.registry().byRemote(to.remote());
    if (open.isEmpty()) {
      Optional<RemoteConnections.Entry> held = tcp.registry().remote().byRemote(to.remote());
      if (held.isPresent()) { // the peer's connection is another node's: over it, through that node
        held.get().holder().send(message, held.get().atHolder());
        return;
      }
    }
    if (open.isEmpty() && tcp.registry().size() >= settings.tcpMaxConnections()) {
      failed(message, to, replyTo, "tcp.max-connections reached");
      return;
    }
    TcpConnection c = open.orElseGet(() -> tcp.connect(to.remote()));
    if (isClosed(writeTcp(c, message, to, replyTo, false))) {
      // The connection closed between lookup and write: one fresh connect.
      tcp.registry().remove(c);
      writeTcp(tcp.connect(to.remote()), message, to, replyTo, true);
    }
  }

  private static boolean isClosed(QueueOfferResult r) {
    return r == QueueOfferResult.closed() || r instanceof QueueOfferResult.Failure;
  }

  /**
   * Writes on {@code c}; reports a full queue, and a closed connection only if
   * {@code reportClosed} (else the caller tries another way).
   */
  private QueueOfferResult writeTcp(TcpConnection c, SipMessage message, Peer to,
      ActorRef<Egress.SendFailed> replyTo, boolean reportClosed) {
    byte[] octets = SipRenderer.renderBytes(message);
    QueueOfferResult r = c.write(ByteString.fromArrayUnsafe(octets),
        new TcpConnection.Pending(message, to, replyTo));
    if (r == QueueOfferResult.enqueued()) {
      drops.counters().increment("sent");
      InetSocketAddress local = c.local();
      capture.sent(TransportProtocol.TCP, local == null ? new InetSocketAddress(0) : local, c.remote(), octets);
    } else if (r == QueueOfferResult.dropped()) {
      failed(message, to, replyTo, "tcp.outgoing-queue of " + c + " is full");
    } else if (reportClosed) {
      failed(message, to, replyTo, c + " is closed");
    }
    return r;
  }

  private Optional<UdpListener> udpAt(InetSocketAddress local) {
    return local == null ? Optional.empty()
        : udp.stream().filter(u -> u.local().equals(local)).findFirst();
  }

  /** The first UDP listener of the address family of {@code remote}. */
  private Optional<UdpListener> udpFor(InetSocketAddress remote) {
    boolean v6 = remote.getAddress() instanceof Inet6Address;
    return udp.stream().filter(u -> u.isIpv6() == v6).findFirst();
  }

  private void badDestination(SipMessage message, Peer to, ActorRef<Egress.SendFailed> replyTo,
      String reason) {
    drops.count("bad-destination", to, reason);
    replyTo.tell(new Egress.SendFailed(message, to, reason));
  }

  private void failed(SipMessage message, Peer to, ActorRef<Egress.SendFailed> replyTo,
      String reason) {
    drops.sendFailed(to, reason);
    replyTo.tell(new Egress.SendFailed(message, to, reason));
  }
}
