package io.tandem.transport;

import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.ActorAttributes;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.Supervision;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One UDP socket: a reader thread that receives datagrams into a bounded stream queue, the
 * stream that parses and dispatches them, and the send side that egress and the ingress's own
 * answers share.
 *
 * <pre>
 *   DatagramChannel.receive (daemon thread, blocking)
 *     -> larger than max-message-bytes?      drop, count oversize
 *     -> BoundedSourceQueue.offer            Dropped: count queue-full
 *   Source.queue(udp.ingress-queue)
 *     -> SipParser.parseDatagram
 *     -> Ingress.onResult                    hand up / answer / count
 * </pre>
 *
 * <p>The connectors' {@code Udp.bindFlow} is not used: it drops datagrams silently when
 * downstream is slow; here every drop is counted.
 */
final class UdpListener {
  /** One received datagram. */
  private record Datagram(byte[] octets, InetSocketAddress source) {}

  private final DatagramChannel channel;
  private final InetSocketAddress local;
  private final TransportSettings settings;
  private volatile BoundedSourceQueue<Datagram> queue;
  private Thread reader;

  private UdpListener(DatagramChannel channel, TransportSettings settings) throws IOException {
    this.channel = channel;
    this.local = (InetSocketAddress) channel.getLocalAddress();
    this.settings = settings;
  }

  /** Opens and binds the socket; nothing is read until {@link #start}. */
  static UdpListener bind(InetSocketAddress address, TransportSettings settings) throws IOException {
    DatagramChannel channel = DatagramChannel.open(
        address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
            : StandardProtocolFamily.INET);
    try {
      if (settings.udpReceiveBufferBytes() > 0) {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, settings.udpReceiveBufferBytes());
      }
      if (settings.udpSendBufferBytes() > 0) {
        channel.setOption(StandardSocketOptions.SO_SNDBUF, settings.udpSendBufferBytes());
      }
      if (settings.reusePort()) {
        if (!channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
          throw new IOException("tandem.transport.reuse-port: SO_REUSEPORT is not available on this system");
        }
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      channel.bind(address);
      return new UdpListener(channel, settings);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The bound address (port 0 resolved). */
  InetSocketAddress local() {
    return local;
  }

  boolean isIpv6() {
    return local.getAddress() instanceof Inet6Address;
  }

  /** Starts the ingress stream and the reader thread. */
  void start(ActorSystem<?> system, ParserLimits limits, Set<String> optionTags, Ingress ingress) {
    SipParser parser = new SipParser(limits, optionTags);
    queue = Source.<Datagram>queue(settings.udpIngressQueue())
        .map(d -> {
          Peer source = Peer.udp(d.source(), local);
          ingress.onResult(parser.parseDatagram(d.octets()), source, replier(source, ingress));
          return d;
        })
        .withAttributes(ActorAttributes.withSupervisionStrategy(Supervision.getResumingDecider()))
        .to(Sink.ignore())
        .run(system);
    reader = new Thread(() -> read(limits.maxMessageBytes(), ingress.drops()),
        "tandem-udp-" + IpLiteral.hostPort(local));
    reader.setDaemon(true);
    reader.start();
  }

  /** Answers go from this socket to where any response to {@code source} would go. */
  private Ingress.Replier replier(Peer source, Ingress ingress) {
    return new Ingress.Replier() {
      @Override
      public void answer(MalformedAnswer.Answer answer) throws IOException {
        ViaRules.Target target =
            answer.topVia() == null
                ? ViaRules.Target.to(source.remote())
                : ViaRules.udp(answer.topVia(), source, settings);
        if (target.failed()) {
          ingress.drops().count("bad-destination", source, "answer: " + target.error());
          return;
        }
        send(answer.octets(), target.address());
        ingress.drops().counters().increment("sent");
      }

      @Override
      public void pong() {
        // A UDP keep-alive gets no answer (RFC 5626 section 4.4.1 uses STUN on UDP).
      }
    };
  }

  private void read(int maxMessageBytes, DropLog drops) {
    // One octet more than allowed, so that an oversize datagram shows as one (the kernel
    // truncates silently to the buffer).
    ByteBuffer buffer = ByteBuffer.allocate(maxMessageBytes + 1);
    while (channel.isOpen()) {
      try {
        buffer.clear();
        InetSocketAddress source = (InetSocketAddress) channel.receive(buffer);
        buffer.flip();
        if (buffer.remaining() > maxMessageBytes) {
          drops.count("oversize", source, "datagram over max-message-bytes " + maxMessageBytes);
          continue;
        }
        byte[] octets = new byte[buffer.remaining()];
        buffer.get(octets);
        QueueOfferResult offered = queue.offer(new Datagram(octets, source));
        if (offered == QueueOfferResult.dropped()) {
          drops.count("queue-full", source, "udp.ingress-queue is full");
        } else if (offered != QueueOfferResult.enqueued()) {
          return; // the stream is gone: shutting down
        }
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        // A transient socket error (e.g. a reported ICMP error): keep reading.
        Thread.onSpinWait();
      }
    }
  }

  /** Sends one datagram from this socket. */
  void send(byte[] octets, InetSocketAddress destination) throws IOException {
    channel.send(ByteBuffer.wrap(octets), destination);
  }

  /** Closes the socket (the reader thread ends) and completes the stream. */
  void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // closing anyway
    }
    BoundedSourceQueue<Datagram> q = queue;
    if (q != null) {
      try {
        q.complete();
      } catch (IllegalStateException alreadyEnded) {
        // the stream ended first: its actor system stopped (a cluster node the cluster removed)
      }
    }
  }
}
