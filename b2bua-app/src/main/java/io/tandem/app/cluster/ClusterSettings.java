package io.tandem.app.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code tandem.cluster}: whether this node is one of a cluster, and the Pekko settings that
 * follow from it ({@link #applyTo}).
 *
 * @param seedNodes "host:port" of the seed nodes' cluster addresses
 * @param sipAddress what goes into Via, Contact and Record-Route; empty: the transport's own
 * @param replicationWriteTimeout how long a leg-B INVITE, leg A's 2xx or leg B's ACK waits for
 *     the call's state to reach the other nodes ({@link ReplicatedCalls})
 * @param downRemovalMargin how long after a node is downed its shards (and calls) move
 * @param replicationEndedHold how long a call that ended on a node is not brought back there
 * @param sharedDispatcher Pekko's cluster, sharding and remoting on the call actors' dispatcher
 * @param replicationResyncBatch how many of its calls a node writes to a replica that appeared
 *     before it waits for that replica's acknowledgement of them, and how many calls of a node
 *     that is gone it asks at once to be brought back
 * @param replicationBringBackInterval the time between two such batches of calls to bring back
 * @param leaderActionsInterval how often the leader acts on membership (Pekko's leader-actions-interval)
 * @param failureCheckInterval how often a node marks nodes unreachable (Pekko's unreachable-nodes-reaper-interval)
 */
public record ClusterSettings(
    boolean enabled,
    String hostname,
    int port,
    List<String> seedNodes,
    String sipAddress,
    String downingStrategy,
    Duration stableAfter,
    Duration heartbeatInterval,
    Duration acceptableHeartbeatPause,
    int numberOfShards,
    Duration joinTimeout,
    Duration limitsPublishInterval,
    Duration housekeepingInterval,
    Duration replicationWriteTimeout,
    Duration downRemovalMargin,
    Duration replicationEndedHold,
    boolean sharedDispatcher,
    int replicationResyncBatch,
    Duration replicationBringBackInterval,
    Duration leaderActionsInterval,
    Duration failureCheckInterval) {

  /** The actor system's name: the same on every node, part of every cluster address. */
  public static final String SYSTEM_NAME = "tandem";

  private static final Set<String> STRATEGIES = Set.of("keep-majority", "keep-oldest", "static-quorum", "down-all");

  public ClusterSettings {
    seedNodes = List.copyOf(seedNodes);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("tandem.cluster.port must be 0-65535: " + port);
    }
    if (!STRATEGIES.contains(downingStrategy)) {
      throw new IllegalArgumentException("tandem.cluster.downing.strategy must be one of " + STRATEGIES + ": "
          + downingStrategy);
    }
    if (replicationWriteTimeout.isNegative() || replicationWriteTimeout.isZero()) {
      throw new IllegalArgumentException("tandem.cluster.replication.write-timeout must be above zero");
    }
    if (replicationEndedHold.isNegative()) {
      throw new IllegalArgumentException("tandem.cluster.replication.ended-hold must not be negative");
    }
    if (downRemovalMargin.isNegative()) {
      throw new IllegalArgumentException("tandem.cluster.downing.down-removal-margin must not be negative");
    }
    if (replicationResyncBatch < 1) {
      throw new IllegalArgumentException("tandem.cluster.replication.resync-batch must be at least 1: "
          + replicationResyncBatch);
    }
    if (replicationBringBackInterval.isNegative()) {
      throw new IllegalArgumentException("tandem.cluster.replication.bring-back-interval must not be negative");
    }
    if (leaderActionsInterval.isNegative() || leaderActionsInterval.isZero()) {
      throw new IllegalArgumentException("tandem.cluster.downing.leader-actions-interval must be above zero");
    }
    if (failureCheckInterval.isNegative() || failureCheckInterval.isZero()) {
      throw new IllegalArgumentException("tandem.cluster.failure-detector.check-interval must be above zero");
    }
    if (numberOfShards < 1) {
      throw new IllegalArgumentException("tandem.cluster.number-of-shards must be at least 1: " + numberOfShards);
    }
    for (String seed : seedNodes) {
      hostAndPort(seed);
    }
    if (enabled && seedNodes.isEmpty()) {
      throw new IllegalArgumentException("tandem.cluster.enabled = true needs tandem.cluster.seed-nodes"
          + " (\"host:port\" of at least one node's cluster address)");
    }
  }

  /** Reads {@code tandem.cluster}. */
  public static ClusterSettings fromConfig(Config config) {
    Config c = config.getConfig("tandem.cluster");
    return new ClusterSettings(
        c.getBoolean("enabled"),
        c.getString("hostname"),
        c.getInt("port"),
        c.getStringList("seed-nodes"),
        c.getString("sip-address").trim(),
        c.getString("downing.strategy"),
        c.getDuration("downing.stable-after"),
        c.getDuration("failure-detector.heartbeat-interval"),
        c.getDuration("failure-detector.acceptable-heartbeat-pause"),
        c.getInt("number-of-shards"),
        c.getDuration("join-timeout"),
        c.getDuration("limits-publish-interval"),
        c.getDuration("housekeeping-interval"),
        c.getDuration("replication.write-timeout"),
        c.getDuration("downing.down-removal-margin"),
        c.getDuration("replication.ended-hold"),
        c.getBoolean("shared-dispatcher"),
        c.getInt("replication.resync-batch"),
        c.getDuration("replication.bring-back-interval"),
        c.getDuration("downing.leader-actions-interval"),
        c.getDuration("failure-detector.check-interval"));
  }

  /**
   * {@code config} with the Pekko settings of this node when the cluster is on (provider,
   * Artery address, seeds, Split Brain Resolver, failure detector, shards, and
   * {@code tandem.cluster.sip-address} as the transport's advertised address); unchanged when
   * it is off.
   */
  public static Config applyTo(Config config) {
    ClusterSettings s = fromConfig(config);
    if (!s.enabled()) {
      return config;
    }
    List<String> seeds = new ArrayList<>();
    for (String seed : s.seedNodes()) {
      String[] hp = hostAndPort(seed);
      seeds.add("pekko://" + SYSTEM_NAME + "@" + hp[0] + ":" + hp[1]);
    }
    Map<String, Object> pekko = new java.util.LinkedHashMap<>();
    pekko.put("pekko.actor.provider", "cluster");
    pekko.put("pekko.actor.allow-java-serialization", "off");
    pekko.put("pekko.remote.artery.transport", "tcp");
    pekko.put("pekko.remote.artery.canonical.hostname", s.hostname());
    pekko.put("pekko.remote.artery.canonical.port", s.port());
    pekko.put("pekko.cluster.seed-nodes", seeds);
    pekko.put("pekko.cluster.downing-provider-class", "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
    pekko.put("pekko.cluster.split-brain-resolver.active-strategy", s.downingStrategy());
    pekko.put("pekko.cluster.split-brain-resolver.stable-after", s.stableAfter().toMillis() + "ms");
    pekko.put("pekko.cluster.down-removal-margin", s.downRemovalMargin().toMillis() + "ms");
    pekko.put("pekko.cluster.leader-actions-interval", s.leaderActionsInterval().toMillis() + "ms");
    pekko.put("pekko.cluster.unreachable-nodes-reaper-interval", s.failureCheckInterval().toMillis() + "ms");
    pekko.put("pekko.cluster.failure-detector.heartbeat-interval", s.heartbeatInterval().toMillis() + "ms");
    pekko.put("pekko.cluster.failure-detector.acceptable-heartbeat-pause",
        s.acceptableHeartbeatPause().toMillis() + "ms");
    pekko.put("pekko.cluster.sharding.number-of-shards", s.numberOfShards());
    // A node that leaves or is downed stops its actor system: the process ends rather than
    // answering SIP for calls the cluster has moved elsewhere.
    pekko.put("pekko.cluster.run-coordinated-shutdown-when-down", "on");
    if (s.sharedDispatcher()) {
      String calls = "pekko.actor.default-dispatcher";
      pekko.put("pekko.actor.internal-dispatcher", calls); // an alias: cluster, sharding, receptionist, pekko.io workers
      pekko.put("pekko.remote.artery.advanced.use-dispatcher", calls);
      pekko.put("pekko.remote.artery.advanced.use-control-stream-dispatcher", calls);
      pekko.put("pekko.remote.artery.advanced.inbound-lanes", 1);
    }
    Config overlay = ConfigFactory.parseMap(pekko, "tandem.cluster");
    if (!s.sipAddress().isEmpty()) {
      overlay = overlay.withValue("tandem.transport.advertised-address",
          ConfigValueFactory.fromAnyRef(s.sipAddress(), "tandem.cluster.sip-address"));
    }
    return overlay.withFallback(config);
  }

  /** {@code seed} as host and port; the host may be a name or an IP literal ("[v6]:port"). */
  static String[] hostAndPort(String seed) {
    int colon = seed.lastIndexOf(':');
    String host = colon > 0 ? seed.substring(0, colon) : "";
    String port = colon > 0 ? seed.substring(colon + 1) : "";
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isEmpty() || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) > 65535) {
      throw new IllegalArgumentException("tandem.cluster.seed-nodes: \"" + seed
          + "\" is not host:port (the seed's tandem.cluster.hostname and port)");
    }
    return new String[] {host.contains(":") ? "[" + host + "]" : host, port};
  }
}
