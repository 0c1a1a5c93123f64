package io.tandem.transport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The transport's settings, read from {@code tandem.transport} (see reference.conf for what each
 * one means and its default).
 *
 * @param listen where to listen, in order (the first listener of a protocol is its default
 *     sent-by and, per address family, the UDP socket requests are sent from)
 * @param advertisedHost the host to write in a Via sent-by, or empty for the listening address
 * @param advertisedPort the port to write with {@code advertisedHost}, or 0 for the listener's
 * @param udpIngressQueue datagrams received but not yet dispatched, per UDP listener
 * @param udpReceiveBufferBytes SO_RCVBUF for each UDP socket, 0 for the OS default
 * @param udpSendBufferBytes SO_SNDBUF for each UDP socket, 0 for the OS default
 * @param tcpIdleTimeout a connection idle this long either way is closed
 * @param tcpConnectTimeout how long an outbound connect may take
 * @param tcpOutgoingQueue messages waiting to be written on one connection
 * @param tcpMaxConnections connections open at once, accepted and outbound
 * @param honorViaMaddr whether UDP responses go to a Via maddr (RFC 3261 section 18.2.2)
 * @param forceRport whether UDP responses go to the request's source address and port always
 * @param reusePort whether every listener binds with SO_REUSEPORT, so that several processes
 *     (the nodes of a cluster on one host) share its address and the kernel spreads peers
 *     over them
 */
public record TransportSettings(
    List<ListenPoint> listen,
    String advertisedHost,
    int advertisedPort,
    int udpIngressQueue,
    int udpReceiveBufferBytes,
    int udpSendBufferBytes,
    Duration tcpIdleTimeout,
    Duration tcpConnectTimeout,
    int tcpOutgoingQueue,
    int tcpMaxConnections,
    boolean honorViaMaddr,
    boolean forceRport,
    boolean reusePort) {

  private static final String PATH = "tandem.transport";

  public TransportSettings {
    listen = List.copyOf(listen);
    Objects.requireNonNull(advertisedHost, "advertisedHost");
    Objects.requireNonNull(tcpIdleTimeout, "tcpIdleTimeout");
    Objects.requireNonNull(tcpConnectTimeout, "tcpConnectTimeout");
    if (listen.isEmpty()) {
      throw new IllegalArgumentException(PATH + ".listen: at least one listener is needed");
    }
    positive("udp.ingress-queue", udpIngressQueue);
    positive("tcp.outgoing-queue", tcpOutgoingQueue);
    positive("tcp.max-connections", tcpMaxConnections);
    notNegative("udp.receive-buffer-bytes", udpReceiveBufferBytes);
    notNegative("udp.send-buffer-bytes", udpSendBufferBytes);
    if (advertisedPort < 0 || advertisedPort > 65535) {
      throw new IllegalArgumentException(PATH + ".advertised-address: bad port " + advertisedPort);
    }
    if (tcpIdleTimeout.isNegative() || tcpIdleTimeout.isZero()
        || tcpConnectTimeout.isNegative() || tcpConnectTimeout.isZero()) {
      throw new IllegalArgumentException(PATH + ".tcp: idle-timeout and connect-timeout must be positive");
    }
  }

  /** The settings at {@code tandem.transport} in {@code config}. */
  public static TransportSettings fromConfig(Config config) {
    Config c = config.getConfig(PATH);
    List<ListenPoint> listen = new ArrayList<>();
    List<? extends Config> entries = c.getConfigList("listen");
    for (int i = 0; i < entries.size(); i++) {
      listen.add(listenPoint(entries.get(i), PATH + ".listen[" + i + "]"));
    }
    String advertised = c.getString("advertised-address").trim();
    String host = "";
    int port = 0;
    if (!advertised.isEmpty()) {
      String[] hp = splitHostPort(advertised, PATH + ".advertised-address");
      host = hp[0];
      port = hp[1] == null ? 0 : port(hp[1], PATH + ".advertised-address");
    }
    return new TransportSettings(
        listen,
        host,
        port,
        c.getInt("udp.ingress-queue"),
        c.getBytes("udp.receive-buffer-bytes").intValue(),
        c.getBytes("udp.send-buffer-bytes").intValue(),
        c.getDuration("tcp.idle-timeout"),
        c.getDuration("tcp.connect-timeout"),
        c.getInt("tcp.outgoing-queue"),
        c.getInt("tcp.max-connections"),
        c.getBoolean("honor-via-maddr"),
        c.getBoolean("force-rport"),
        c.getBoolean("reuse-port"));
  }

  /** A copy listening on {@code points} instead (tests, embedding). */
  public TransportSettings withListen(List<ListenPoint> points) {
    return new TransportSettings(points, advertisedHost, advertisedPort, udpIngressQueue,
        udpReceiveBufferBytes, udpSendBufferBytes, tcpIdleTimeout, tcpConnectTimeout,
        tcpOutgoingQueue, tcpMaxConnections, honorViaMaddr, forceRport, reusePort);
  }

  private static ListenPoint listenPoint(Config entry, String key) {
    String protocol = string(entry, "protocol", key);
    TransportProtocol p = TransportProtocol.fromVia(protocol).orElseThrow(() ->
        new IllegalArgumentException(key + ".protocol: unknown protocol '" + protocol
            + "' (udp or tcp)"));
    String address = string(entry, "address", key);
    InetAddress ip = IpLiteral.parse(address).orElseThrow(() ->
        new IllegalArgumentException(key + ".address: not an IP address: '" + address + "'"));
    String portText;
    try {
      portText = entry.getValue("port").unwrapped().toString();
    } catch (ConfigException.Missing e) {
      throw new IllegalArgumentException(key + ".port is missing");
    }
    return new ListenPoint(p, new InetSocketAddress(ip, port(portText, key + ".port")));
  }

  private static String string(Config entry, String name, String key) {
    try {
      return entry.getString(name).trim();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + "." + name + ": " + e.getMessage());
    }
  }

  private static int port(String text, String key) {
    try {
      int port = Integer.parseInt(text.trim());
      if (port >= 0 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // falls through to the error naming the key
    }
    throw new IllegalArgumentException(key + ": not a port (0-65535): '" + text + "'");
  }

  /** {host, port or null} from "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address. */
  private static String[] splitHostPort(String text, String key) {
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException(key + ": unbalanced '[': '" + text + "'");
      }
      String rest = text.substring(close + 1);
      if (!rest.isEmpty() && !rest.startsWith(":")) {
        throw new IllegalArgumentException(key + ": not host[:port]: '" + text + "'");
      }
      return new String[] {text.substring(1, close), rest.isEmpty() ? null : rest.substring(1)};
    }
    int colon = text.indexOf(':');
    if (colon < 0 || text.indexOf(':', colon + 1) >= 0) {
      return new String[] {text, null};
    }
    return new String[] {text.substring(0, colon), text.substring(colon + 1)};
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(PATH + "." + name + " must be positive: " + value);
    }
  }

  private static void notNegative(String name, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(PATH + "." + name + " must not be negative: " + value);
    }
  }
}
