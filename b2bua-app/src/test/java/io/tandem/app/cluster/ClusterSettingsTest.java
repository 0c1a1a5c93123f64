package io.tandem.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tandem.app.Settings;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/** tandem.cluster: off by default, and when on, the Pekko settings a node runs with. */
class ClusterSettingsTest {
  private static Config withCluster(String cluster) {
    return Settings.of(ConfigFactory.parseString("tandem.cluster { " + cluster + " }"), "test").config();
  }

  @Test
  void offByDefaultALocalActorSystem() {
    Config config = Settings.of(ConfigFactory.empty(), "test").config();
    assertFalse(ClusterSettings.fromConfig(config).enabled());
    assertEquals("local", config.getString("pekko.actor.provider"));
  }

  @Test
  void onItIsAClusterNodeWithSeedsSplitBrainResolverAndNoJavaSerialization() {
    Config config = withCluster("""
        enabled = true, hostname = "127.0.0.1", port = 25531
        seed-nodes = ["127.0.0.1:25531", "[::1]:25532"]
        sip-address = "sip.example.net:5060"
        downing.stable-after = 3s
        """);
    assertEquals("cluster", config.getString("pekko.actor.provider"));
    assertEquals(25531, config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(List.of("pekko://tandem@127.0.0.1:25531", "pekko://tandem@[::1]:25532"),
        config.getStringList("pekko.cluster.seed-nodes"));
    assertEquals("org.apache.pekko.cluster.sbr.SplitBrainResolverProvider",
        config.getString("pekko.cluster.downing-provider-class"));
    assertEquals("keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    assertEquals(3000, config.getDuration("pekko.cluster.split-brain-resolver.stable-after").toMillis());
    // Pekko's own 1 s checks each added up to a second to a dead node's calls coming back.
    assertEquals(250, config.getDuration("pekko.cluster.leader-actions-interval").toMillis());
    assertEquals(250, config.getDuration("pekko.cluster.unreachable-nodes-reaper-interval").toMillis());
    assertEquals("off", config.getString("pekko.actor.allow-java-serialization"));
    assertEquals("sip.example.net:5060", config.getString("tandem.transport.advertised-address"));
  }

  /** Where an actor on Pekko's internal dispatcher runs, in an actor system of {@code config} (local). */
  private static String internalThread(Config config) throws Exception {
    Config local = ConfigFactory.parseString("pekko.actor.provider = local").withFallback(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "dispatchers", local);
    try {
      CompletableFuture<String> thread = new CompletableFuture<>();
      system.systemActorOf(Behaviors.setup(ctx -> {
        thread.complete(Thread.currentThread().getName());
        return Behaviors.empty();
      }), "probe", DispatcherSelector.fromConfig("pekko.actor.internal-dispatcher"));
      return thread.get(10, TimeUnit.SECONDS);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void clusterAndRemotingRunOnTheCallsThreadsUnlessSharedDispatcherIsOff() throws Exception {
    String on = "enabled = true, port = 25531, seed-nodes = [\"127.0.0.1:25531\"]";
    Config shared = withCluster(on);
    assertTrue(internalThread(shared).contains("pekko.actor.default-dispatcher"), internalThread(shared));
    assertEquals("pekko.actor.default-dispatcher", shared.getString("pekko.remote.artery.advanced.use-dispatcher"));
    assertEquals(1, shared.getInt("pekko.remote.artery.advanced.inbound-lanes"));
    Config apart = withCluster(on + ", shared-dispatcher = off");
    assertTrue(internalThread(apart).contains("pekko.actor.internal-dispatcher"), internalThread(apart));
    assertEquals("pekko.remote.default-remote-dispatcher", apart.getString("pekko.remote.artery.advanced.use-dispatcher"));
  }

  @Test
  void badSettingsAreRefusedNamingTheKey() {
    IllegalArgumentException noSeeds = assertThrows(IllegalArgumentException.class,
        () -> withCluster("enabled = true"));
    assertTrue(noSeeds.getMessage().contains("tandem.cluster.seed-nodes"), noSeeds.getMessage());
    IllegalArgumentException badSeed = assertThrows(IllegalArgumentException.class,
        () -> withCluster("enabled = true, seed-nodes = [\"node-1\"]"));
    assertTrue(badSeed.getMessage().contains("\"node-1\" is not host:port"), badSeed.getMessage());
    IllegalArgumentException strategy = assertThrows(IllegalArgumentException.class,
        () -> withCluster("downing.strategy = keep-everyone"));
    assertTrue(strategy.getMessage().contains("tandem.cluster.downing.strategy"), strategy.getMessage());
  }

  @Test
  void theExampleNodesAreOneClusterSharingOneSipAddress() {
    for (int n = 1; n <= 3; n++) {
      Config config = Settings.load(Path.of("../conf/examples/cluster/node-" + n + ".conf")).config();
      assertEquals(25520 + n, config.getInt("pekko.remote.artery.canonical.port"));
      assertEquals(List.of("pekko://tandem@127.0.0.1:25521", "pekko://tandem@127.0.0.1:25522",
          "pekko://tandem@127.0.0.1:25523"), config.getStringList("pekko.cluster.seed-nodes"));
      assertTrue(config.getBoolean("tandem.transport.reuse-port"));
      assertEquals("127.0.0.1:5060", config.getString("tandem.transport.advertised-address"));
      assertEquals(5070 + n, config.getInt("tandem.demo-carrier.port"));
      assertEquals(8087 + n, config.getInt("tandem.admin.port"));
      assertTrue(config.getBoolean("tandem.demo-carrier.enabled"), "routes as conf/application.conf does");
    }
  }

  /** A node whose seeds do not answer does not start (and takes no SIP) once join-timeout has passed. */
  @Test
  void aNodeThatCannotJoinDoesNotStart() throws Exception {
    int nobody;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      nobody = free.getLocalPort();
    }
    int self;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      self = free.getLocalPort();
    }
    Settings settings = Settings.of(ConfigFactory.parseString("""
        tandem.cluster { enabled = true, port = %d, seed-nodes = ["127.0.0.1:%d"], join-timeout = 2s }
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.metrics.enabled = false
        tandem.cdr.enabled = false
        """.formatted(self, nobody)), "test");
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> io.tandem.app.Server.start(settings));
    assertTrue(refused.getMessage().contains("not Up in the cluster within PT2S (tandem.cluster.join-timeout)"),
        refused.getMessage());
  }

  /** A node the cluster downs ends its actor system on its own: not a stop asked for (Main exits 3). */
  @Test
  void aNodeTheClusterDownsEndsWithoutAStopBeingAskedFor() throws Exception {
    int self;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      self = free.getLocalPort();
    }
    io.tandem.app.Server server = io.tandem.app.Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.cluster { enabled = true, port = %d, seed-nodes = ["127.0.0.1:%d"] }
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.metrics.enabled = false
        tandem.cdr.enabled = false
        """.formatted(self, self)), "test"));
    var cluster = org.apache.pekko.cluster.typed.Cluster.get(server.system());
    cluster.manager().tell(org.apache.pekko.cluster.typed.Down.apply(cluster.selfMember().address()));
    server.system().getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertFalse(server.stopRequested(), "downed, not stopped");
    server.stop().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(server.stopRequested());
  }
}
