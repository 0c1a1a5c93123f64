package io.tandem.transport;

import io.tandem.sip.codec.ParserLimits;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * The SIP transport layer (RFC 3261 section 18): the UDP and TCP listeners, the ingress stages
 * that hand received messages to a handler, and the egress actor that sends.
 *
 * <pre>
 *   UDP listener ─► UdpListener (reader thread ─► Source.queue ─► parse) ─┐
 *   TCP listener ─► TcpTransport (connection ─► SipStreamFramer) ─────────┤
 *                                                                         ▼
 *                         Ingress: stamp Via received/rport, answer malformed requests,
 *                                  count every drop ─► handler(Inbound)
 *
 *   egress() ─► EgressActor ─► UDP socket / TCP connection (ConnectionRegistry)
 *                         └─► SendFailed to the sender when it cannot
 * </pre>
 *
 * <p>The handler is called from the ingress streams, several at once (one per UDP listener and
 * per TCP connection): it must be thread-safe and quick, typically a {@code tell}.
 */
public final class SipTransport {
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final TransportSettings settings;
  private final List<ListenPoint> listening;
  private final List<UdpListener> udp;
  private final List<Tcp.ServerBinding> bindings;
  private final ConnectionRegistry registry;
  private final TransportCounters counters;
  private final ActorRef<Egress.Command> egress;
  /** What {@link #shutdown} returned first; null before. */
  private CompletionStage<Done> shutDown;

  private SipTransport(TransportSettings settings, List<ListenPoint> listening,
      List<UdpListener> udp, List<Tcp.ServerBinding> bindings, ConnectionRegistry registry,
      TransportCounters counters, ActorRef<Egress.Command> egress) {
    this.settings = settings;
    this.listening = List.copyOf(listening);
    this.udp = List.copyOf(udp);
    this.bindings = List.copyOf(bindings);
    this.registry = registry;
    this.counters = counters;
    this.egress = egress;
  }

  /**
   * Binds every listener in {@code settings} and starts receiving. Completes exceptionally,
   * naming the protocol and address, if any listener cannot be bound; the others are then
   * released.
   */
  public static CompletionStage<SipTransport> start(ActorSystem<?> system,
      TransportSettings settings, ParserLimits limits, Set<String> supportedOptionTags,
      Consumer<Inbound> handler) {
    return start(system, settings, limits, supportedOptionTags, handler, Capture.NONE);
  }

  /** {@link #start} with {@code capture} seeing every message sent. */
  public static CompletionStage<SipTransport> start(ActorSystem<?> system,
      TransportSettings settings, ParserLimits limits, Set<String> supportedOptionTags,
      Consumer<Inbound> handler, Capture capture) {
    TransportCounters counters = new TransportCounters();
    DropLog drops = new DropLog(counters);
    Ingress ingress = new Ingress(handler, drops);
    ConnectionRegistry registry = new ConnectionRegistry();
    Set<String> tags = Set.copyOf(supportedOptionTags);
    TcpTransport tcp = new TcpTransport(system, settings, limits, tags, ingress, registry);

    List<UdpListener> udp = new ArrayList<>();
    List<Tcp.ServerBinding> bindings = new ArrayList<>();
    List<CompletableFuture<ListenPoint>> bound = new ArrayList<>();
    for (ListenPoint lp : settings.listen()) {
      if (lp.protocol() == TransportProtocol.UDP) {
        try {
          UdpListener u = UdpListener.bind(lp.address(), settings);
          udp.add(u);
          bound.add(CompletableFuture.completedFuture(new ListenPoint(lp.protocol(), u.local())));
        } catch (Exception e) {
          bound.add(CompletableFuture.failedFuture(bindFailure(lp, e)));
        }
      } else {
        CompletableFuture<ListenPoint> f = new CompletableFuture<>();
        tcp.bind(lp.address()).whenComplete((binding, error) -> {
          if (error != null) {
            f.completeExceptionally(bindFailure(lp, error));
          } else {
            synchronized (bindings) {
              bindings.add(binding);
            }
            f.complete(new ListenPoint(lp.protocol(), binding.localAddress()));
          }
        });
        bound.add(f);
      }
    }

    CompletableFuture<SipTransport> started = new CompletableFuture<>();
    CompletableFuture.allOf(bound.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
      Optional<Throwable> failure = bound.stream().filter(CompletableFuture::isCompletedExceptionally)
          .map(f -> f.handle((ok, error) -> error).join()).findFirst();
      if (failure.isPresent()) {
        udp.forEach(UdpListener::close);
        synchronized (bindings) {
          bindings.forEach(Tcp.ServerBinding::unbind);
        }
        started.completeExceptionally(failure.get());
        return;
      }
      try {
        List<ListenPoint> listening = bound.stream().map(CompletableFuture::join).toList();
        ActorRef<Egress.Command> egress = system.systemActorOf(
            EgressActor.create(udp, tcp, settings, drops, capture),
            "tandem-transport-egress-" + INSTANCES.incrementAndGet(), Props.empty());
        udp.forEach(u -> u.start(system, limits, tags, ingress));
        synchronized (bindings) {
          started.complete(new SipTransport(settings, listening, udp, bindings, registry, counters,
              egress));
        }
      } catch (RuntimeException error) {
        udp.forEach(UdpListener::close);
        started.completeExceptionally(error);
      }
    });
    return started;
  }

  private static Exception bindFailure(ListenPoint lp, Throwable cause) {
    String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    return new IllegalStateException("cannot listen on " + lp + ": " + why, cause);
  }

  /** The bound listeners, in the order of the settings, with ports resolved. */
  public List<ListenPoint> listening() {
    return listening;
  }

  /**
   * {@link #sentBy(TransportProtocol)} in the family of {@code peer}: the first listener of
   * {@code protocol} bound to an address of that family, else (Tandem listens in the other
   * family only, or {@code peer} is null) the first of {@code protocol}. The advertised
   * address, when set, names every family.
   */
  public InetSocketAddress sentBy(TransportProtocol protocol, InetAddress peer) {
    if (peer == null || !settings.advertisedHost().isEmpty()) {
      return sentBy(protocol);
    }
    boolean v6 = peer instanceof Inet6Address;
    return listening.stream()
        .filter(l -> l.protocol() == protocol && (l.address().getAddress() instanceof Inet6Address) == v6)
        .findFirst().map(ListenPoint::address).orElseGet(() -> sentBy(protocol));
  }

  /** Tandem's own address for Via and Contact, per transport and toward each peer's family. */
  public SentBy localAddresses() {
    return new SentBy() {
      @Override
      public InetSocketAddress apply(TransportProtocol protocol) {
        return sentBy(protocol);
      }

      @Override
      public InetSocketAddress toward(TransportProtocol protocol, InetAddress peer) {
        return sentBy(protocol, peer);
      }
    };
  }

  /**
   * The sent-by for a Via of {@code protocol} (RFC 3261 section 18.1.1): the advertised address
   * if one is set (with the listener's port if it names none), else the first listener of the
   * protocol, else the first listener.
   */
  public InetSocketAddress sentBy(TransportProtocol protocol) {
    InetSocketAddress listener = listening.stream().filter(l -> l.protocol() == protocol)
        .findFirst().orElse(listening.get(0)).address();
    if (settings.advertisedHost().isEmpty()) {
      return listener;
    }
    int port = settings.advertisedPort() > 0 ? settings.advertisedPort() : listener.getPort();
    Optional<InetAddress> ip = IpLiteral.parse(settings.advertisedHost());
    return ip.map(a -> new InetSocketAddress(a, port))
        .orElseGet(() -> InetSocketAddress.createUnresolved(settings.advertisedHost(), port));
  }

  /** Where to send: {@link Egress.SendRequest} and {@link Egress.SendResponse}. */
  public ActorRef<Egress.Command> egress() {
    return egress;
  }

  /** TCP connections another node of a cluster holds, that this node sends over. */
  public RemoteConnections remoteConnections() {
    return registry.remote();
  }

  public TransportCounters counters() {
    return counters;
  }

  /**
   * Unbinds the listeners, closes the sockets and every connection, stops egress; once (a
   * second call gets the first's completion).
   */
  public synchronized CompletionStage<Done> shutdown() {
    if (shutDown == null) {
      shutDown = closeAll();
    }
    return shutDown;
  }

  private CompletionStage<Done> closeAll() {
    egress.tell(EgressActor.Stop.INSTANCE);
    udp.forEach(UdpListener::close);
    CompletableFuture<?>[] unbound = bindings.stream()
        .map(b -> b.unbind().toCompletableFuture())
        .toArray(CompletableFuture<?>[]::new);
    return CompletableFuture.allOf(unbound).handle((v, e) -> {
      registry.closeAll();
      return Done.getInstance();
    });
  }
}
