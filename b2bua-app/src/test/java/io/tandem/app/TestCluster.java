package io.tandem.app;

import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Tandem nodes of one cluster in this JVM (an actor system each, on loopback, each with its
 * own UDP port), for the cluster tests; node 0 is the seed. A node stopped stays in the list
 * (as null) so that the others keep their numbers.
 */
final class TestCluster implements AutoCloseable {
  /** The settings every node shares, before the test's own. */
  private static final String COMMON = """
      tandem.cluster {
        enabled = true
        port = %d
        seed-nodes = ["127.0.0.1:%d"]
        number-of-shards = 12
        # a busy test machine is not a dead node: lenient failure detection (no test kills one)
        failure-detector.acceptable-heartbeat-pause = 6s
        downing.stable-after = 6s
      }
      tandem.transport.listen = [
        { protocol = udp, address = "127.0.0.1", port = 0 }
        { protocol = tcp, address = "127.0.0.1", port = 0 }
      ]
      # Every message between actors is serialised as if it crossed nodes, except the
      # node-local layers': nothing meant to cross can slip through unserialisable.
      pekko.actor.serialize-messages = on
      pekko.actor.no-serialization-verification-needed-class-prefix = [
        "org.apache.pekko.", "io.tandem.call.", "io.tandem.transaction.", "io.tandem.transport.",
        "io.tandem.health.", "io.tandem.registration.", "io.tandem.app.ServerCore", "io.tandem.app.registrar."
      ]
      tandem.metrics.enabled = false
      tandem.admin { enabled = true, port = 0 }
      tandem.cdr.enabled = false
      tandem.sip.timers { t1 = 50ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
      """;

  final List<Server> nodes = new ArrayList<>();
  private int seedPort;
  private String config = "";

  /** {@code size} nodes with {@code config} each (after the common settings), all Up. */
  static TestCluster start(int size, String config, Duration within) throws Exception {
    TestCluster cluster = new TestCluster();
    int[] artery = new int[size];
    for (int i = 0; i < size; i++) {
      artery[i] = freeTcpPort();
    }
    cluster.seedPort = artery[0];
    cluster.config = config;
    for (int i = 0; i < size; i++) {
      cluster.nodes.add(Server.start(Settings.of(ConfigFactory.parseString(
          COMMON.formatted(artery[i], artery[0]) + config), "node-" + i)));
    }
    await("" + size + " members up on every node", within,
        () -> cluster.live().stream().allMatch(node -> countUp(node) == size));
    return cluster;
  }

  /** One more node, with the cluster's settings, once it and every other node see it Up; its number. */
  int join(Duration within) throws Exception {
    int i = nodes.size();
    nodes.add(Server.start(Settings.of(ConfigFactory.parseString(
        COMMON.formatted(freeTcpPort(), seedPort) + config), "node-" + i)));
    long members = live().size();
    await("node " + i + " up on every node", within, () -> live().stream().allMatch(n -> countUp(n) == members));
    return i;
  }

  /** Stops node {@code i} as SIGTERM does: its shards handed over, its listeners closed, it leaves the cluster. */
  void stop(int i) throws Exception {
    Server node = nodes.set(i, null);
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Node {@code i}, which stops by itself (a POST /drain), once it has: its actor system ended. */
  Server awaitStopped(int i, Duration within) throws Exception {
    nodes.get(i).system().getWhenTerminated().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
    Server node = nodes.set(i, null);
    node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS); // what it ran itself: its records written
    return node;
  }

  List<Server> live() {
    return nodes.stream().filter(n -> n != null).toList();
  }

  int port(int node) {
    return nodes.get(node).listening().get(0).address().getPort();
  }

  InetSocketAddress address(int node) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), port(node));
  }

  /** The node whose UDP listener is {@code udpPort}. */
  int nodeAt(int udpPort) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i) != null && port(i) == udpPort) {
        return i;
      }
    }
    throw new AssertionError("no node on UDP port " + udpPort);
  }

  /** The calls alive on the nodes up. */
  int totalCalls() throws Exception {
    int total = 0;
    for (Server node : live()) {
      total += ServerProbes.calls(node);
    }
    return total;
  }

  static long countUp(Server node) {
    long up = 0;
    for (var m : Cluster.get(node.system()).state().getMembers()) {
      if (m.status() == MemberStatus.up()) {
        up++;
      }
    }
    return up;
  }

  interface Check {
    boolean holds() throws Exception;
  }

  static void await(String what, Duration within, Check condition) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within + ": " + what);
      }
      Thread.sleep(50);
    }
  }

  static int freeTcpPort() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    for (Server node : live()) {
      node.stop().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
