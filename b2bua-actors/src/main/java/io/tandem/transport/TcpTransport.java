package io.tandem.transport;

import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.codec.SipStreamFramer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * TCP for the transport: listeners, accepted and outbound connections, each framed with its
 * own {@link SipStreamFramer}.
 *
 * <pre>
 *   Tcp.bind ──► IncomingConnection ──► over max-connections? close, count connection-refused
 *                        │
 *      octets in ──► frame (SipStreamFramer) ──► takeWhile(framing kept) ──► Ingress.onResult
 *                                                  framing lost: close, count framing-lost
 *      octets out ◄── Source.queue(tcp.outgoing-queue) ◄── egress, pongs, answers
 *                        │
 *                 ConnectionRegistry (by id, by remote address) until the connection ends
 * </pre>
 *
 * <p>Outbound connections ({@link #connect}) are the same stream with Tcp.outgoingConnection in
 * the middle. Both kinds close after tcp.idle-timeout without traffic either way.
 */
final class TcpTransport {
  private static final ByteString PONG = ByteString.fromString("\r\n");

  private final ActorSystem<?> system;
  private final TransportSettings settings;
  private final ParserLimits limits;
  private final Set<String> optionTags;
  private final Ingress ingress;
  private final ConnectionRegistry registry;
  private final DropLog drops;

  TcpTransport(ActorSystem<?> system, TransportSettings settings, ParserLimits limits,
      Set<String> optionTags, Ingress ingress, ConnectionRegistry registry) {
    this.system = system;
    this.settings = settings;
    this.limits = limits;
    this.optionTags = optionTags;
    this.ingress = ingress;
    this.registry = registry;
    this.drops = ingress.drops();
  }

  ConnectionRegistry registry() {
    return registry;
  }

  /** SO_REUSEPORT on a listening socket ({@code tandem.transport.reuse-port}). */
  private static final Inet.SocketOption REUSE_PORT = new Inet.AbstractSocketOption() {
    @Override
    public void beforeServerSocketBind(ServerSocket socket) {
      try {
        socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      } catch (IOException | UnsupportedOperationException e) {
        throw new IllegalStateException("tandem.transport.reuse-port: SO_REUSEPORT is not available here: " + e, e);
      }
    }
  };

  /** Binds a listener; accepted connections are handled until the binding is unbound. */
  CompletionStage<Tcp.ServerBinding> bind(InetSocketAddress address) {
    return Tcp.get(system)
        .bind(address.getAddress().getHostAddress(), address.getPort(), 128,
            settings.reusePort() ? List.of(REUSE_PORT) : List.of(), false,
            Optional.of(settings.tcpIdleTimeout()))
        .to(Sink.foreach(this::accept))
        .run(system);
  }

  private void accept(Tcp.IncomingConnection in) {
    if (registry.size() >= settings.tcpMaxConnections()) {
      drops.count("connection-refused", in.remoteAddress(),
          "tcp.max-connections " + settings.tcpMaxConnections() + " reached");
      in.handleWith(Flow.fromSinkAndSource(Sink.<ByteString>cancelled(), Source.<ByteString>empty()),
          system);
      return;
    }
    long id = registry.nextId();
    SharedKillSwitch kill = KillSwitches.shared("tandem-tcp-" + id);
    Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> out =
        Source.<ByteString>queue(settings.tcpOutgoingQueue()).preMaterialize(system);
    TcpConnection c =
        new TcpConnection(id, in.remoteAddress(), in.localAddress(), out.first(), kill, true);
    registry.add(c);
    Sink<ByteString, NotUsed> inbound = Flow.of(ByteString.class)
        .via(kill.flow())
        .via(framing())
        .to(Sink.foreach(r -> onResult(r, c)));
    Flow<ByteString, ByteString, CompletionStage<Done>> handler =
        Flow.fromSinkAndSourceCoupled(inbound, out.second().via(kill.flow()))
            .watchTermination((notUsed, done) -> done);
    in.handleWith(handler, system).whenComplete((done, error) -> registry.remove(c));
  }

  /**
   * Opens a connection to {@code remote}, or returns the one that opened meanwhile. Messages
   * may be queued on it at once; they are written once it is up.
   */
  TcpConnection connect(InetSocketAddress remote) {
    long id = registry.nextId();
    SharedKillSwitch kill = KillSwitches.shared("tandem-tcp-" + id);
    Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> out =
        Source.<ByteString>queue(settings.tcpOutgoingQueue()).preMaterialize(system);
    TcpConnection c = new TcpConnection(id, remote, null, out.first(), kill, false);
    TcpConnection chosen = registry.addOutbound(c);
    if (chosen != c) {
      out.first().complete();
      return chosen;
    }
    Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> tcp =
        Tcp.get(system).outgoingConnection(remote, Optional.empty(), List.of(), false,
            Optional.of(settings.tcpConnectTimeout()), Optional.of(settings.tcpIdleTimeout()));
    Pair<CompletionStage<Tcp.OutgoingConnection>, CompletionStage<Done>> running =
        out.second()
            .via(kill.flow())
            .viaMat(tcp, Keep.right())
            .via(kill.flow())
            .via(framing())
            .watchTermination(Keep.both())
            .to(Sink.foreach(r -> onResult(r, c)))
            .run(system);
    running.first().whenComplete((connection, error) -> {
      if (error == null) {
        c.connected(connection.localAddress());
      } else {
        failWaiting(c, "connect to " + IpLiteral.hostPort(remote) + " failed: " + error.getMessage());
      }
    });
    running.second().whenComplete((done, error) -> {
      registry.remove(c);
      failWaiting(c, "connection to " + IpLiteral.hostPort(remote) + " closed");
    });
    return c;
  }

  private void failWaiting(TcpConnection c, String reason) {
    for (TcpConnection.Pending p : c.connectFailed()) {
      drops.sendFailed(p.destination(), reason);
      p.replyTo().tell(new Egress.SendFailed(p.message(), p.destination(), reason));
    }
  }

  /** Cuts octets into parse results; after lost framing nothing more comes from the framer. */
  private Flow<ByteString, ParseResult, NotUsed> framing() {
    return Flow.of(ByteString.class)
        .<ParseResult>statefulMapConcat(() -> {
          SipStreamFramer framer = new SipStreamFramer(new SipParser(limits, optionTags));
          return bytes -> {
            List<ParseResult> results = new ArrayList<>(1);
            try {
              framer.feed(bytes.toArray());
              ParseResult r = framer.next();
              while (!(r instanceof ParseResult.NeedMoreData)) {
                results.add(r);
                if (r instanceof ParseResult.Malformed && ((ParseResult.Malformed) r).framingLost()) {
                  break;
                }
                r = framer.next();
              }
            } catch (RuntimeException e) {
              results.add(new ParseResult.Malformed(400, "Bad Framing", null, e.toString(), false,
                  null, List.of(), -1));
            }
            return results;
          };
        })
        .takeWhile(r -> !(r instanceof ParseResult.Malformed
            && ((ParseResult.Malformed) r).framingLost()), true);
  }

  private void onResult(ParseResult result, TcpConnection c) {
    if (result instanceof ParseResult.Malformed && ((ParseResult.Malformed) result).framingLost()) {
      ParseResult.Malformed m = (ParseResult.Malformed) result;
      drops.count("framing-lost", c, m.reason() + ": " + m.detail());
      return; // takeWhile ends the stream, which closes this connection only
    }
    ingress.onResult(result, c.peer(), new Ingress.Replier() {
      @Override
      public void answer(MalformedAnswer.Answer answer) {
        write(c, ByteString.fromArray(answer.octets()));
      }

      @Override
      public void pong() {
        c.write(PONG); // a pong that does not fit is no loss: the peer pings again
      }
    });
  }

  private void write(TcpConnection c, ByteString octets) {
    QueueOfferResult r = c.write(octets);
    if (r == QueueOfferResult.enqueued()) {
      drops.counters().increment("sent");
    } else {
      drops.sendFailed(c, "outgoing queue " + (r == QueueOfferResult.dropped() ? "full" : "closed"));
    }
  }
}
