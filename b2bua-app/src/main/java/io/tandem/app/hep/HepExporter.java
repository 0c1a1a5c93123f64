package io.tandem.app.hep;

import com.typesafe.config.Config;
import io.tandem.transport.Capture;
import io.tandem.transport.Inbound;
import io.tandem.transport.TransportProtocol;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends every SIP message Tandem receives and sends to a Homer collector as HEPv3 over UDP
 * ({@code tandem.hep}, off by default). Non-blocking: a datagram that cannot be sent at once is
 * dropped and counted, never delaying SIP.
 */
public final class HepExporter implements Capture, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HepExporter.class);

  private final DatagramChannel channel;
  private final InetSocketAddress collector;
  private final int captureId;
  private final String password;
  private final Clock clock;
  private final LongAdder sent = new LongAdder();
  private final LongAdder dropped = new LongAdder();

  HepExporter(InetSocketAddress collector, int captureId, String password, Clock clock) throws IOException {
    this.collector = collector;
    this.captureId = captureId;
    this.password = password;
    this.clock = clock;
    this.channel = DatagramChannel.open();
    channel.configureBlocking(false);
  }

  /** The exporter {@code tandem.hep} asks for, or null when it is off. */
  public static HepExporter fromConfig(Config config) throws IOException {
    Config c = config.getConfig("tandem.hep");
    if (!c.getBoolean("enabled")) {
      return null;
    }
    String address = c.getString("collector-address");
    if (!address.matches("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")) {
      throw new IllegalArgumentException("tandem.hep.collector-address: an IP address, not '" + address + "'");
    }
    int port = c.getInt("collector-port");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("tandem.hep.collector-port: not a port: " + port);
    }
    InetSocketAddress collector = new InetSocketAddress(InetAddress.getByName(address), port);
    LOG.info("HEPv3 export of every SIP message to {}:{}", address, port);
    return new HepExporter(collector, c.getInt("capture-id"), c.getString("password"), Clock.systemUTC());
  }

  @Override
  public void sent(TransportProtocol protocol, InetSocketAddress local, InetSocketAddress remote, byte[] octets) {
    export(protocol, local, remote, octets);
  }

  /** A message the transport received (before the transaction layer). */
  public void received(Inbound inbound) {
    ByteBuffer octets = inbound.message().octets();
    byte[] bytes = new byte[octets.remaining()];
    octets.get(bytes);
    InetSocketAddress local = inbound.source().local();
    export(inbound.source().protocol(), inbound.source().remote(),
        local == null ? new InetSocketAddress(0) : local, bytes);
  }

  private void export(TransportProtocol protocol, InetSocketAddress source, InetSocketAddress destination,
      byte[] payload) {
    Instant now = clock.instant();
    long micros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    byte[] packet = Hep3.encode(protocol, source, destination, micros, captureId, password, payload);
    try {
      if (channel.send(ByteBuffer.wrap(packet), collector) == 0) {
        dropped.increment();
      } else {
        sent.increment();
      }
    } catch (IOException | RuntimeException e) {
      dropped.increment();
    }
  }

  public long sentCount() {
    return sent.sum();
  }

  public long droppedCount() {
    return dropped.sum();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing the HEP channel", e);
    }
  }
}
