package io.tandem.app.metrics;

import com.typesafe.config.Config;
import io.tandem.app.cluster.ClusterCounters;
import io.tandem.app.cluster.ClusterNode;
import io.tandem.call.CallObserver;
import io.tandem.health.CarrierHealth;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.TransportCounters;
import java.time.Duration;
import java.util.Map;
import kamon.Kamon;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kamon for a server ({@code tandem.metrics}): initialised from the server's configuration, with
 * the Prometheus endpoint {@code kamon.prometheus.embedded-server} names (loopback unless
 * configured otherwise) and the JVM and host metrics of kamon-system-metrics.
 *
 * <p>Kamon is one per JVM: the first server initialises it, a later one whose {@code kamon}
 * settings differ reconfigures it (the Prometheus endpoint moves to its address), and nothing
 * stops it before the JVM ends, since other servers of the JVM may still report to it. The
 * metrics of all the JVM's servers add up.
 */
public final class Metrics {
  private static final Logger LOG = LoggerFactory.getLogger(Metrics.class);
  private static Config applied;

  private final CallObserver observer;
  private final Cancellable poller;
  private Cancellable healthPoller;
  private Cancellable clusterPoller;
  private final ActorSystem<?> system;
  private final Duration every;
  private volatile Cancellable transactionPoller;

  private Metrics(CallObserver observer, Cancellable poller, ActorSystem<?> system, Duration every) {
    this.observer = observer;
    this.poller = poller;
    this.system = system;
    this.every = every;
  }

  /**
   * Metrics for one server: Kamon (once per JVM), its calls' metrics, and the transport's
   * counters copied into the {@code tandem_transport_messages} gauge every
   * {@code tandem.metrics.transport-poll-interval}. Disabled: a {@link CallObserver#NONE}.
   */
  public static Metrics start(Config config, ActorSystem<?> system, TransportCounters transport) {
    if (!config.getBoolean("tandem.metrics.enabled")) {
      return new Metrics(CallObserver.NONE, null, system, Duration.ZERO);
    }
    init(config);
    Duration every = config.getDuration("tandem.metrics.transport-poll-interval");
    Cancellable poller = system.scheduler().scheduleAtFixedRate(Duration.ZERO, every,
        () -> poll(transport), system.executionContext());
    return new Metrics(new CallMetrics(), poller, system, every);
  }

  private static synchronized void init(Config config) {
    Config kamon = config.getConfig("kamon");
    if (applied == null) {
      Kamon.init(config);
      LOG.info("Metrics: Prometheus endpoint {}", endpoint(config));
    } else if (!applied.equals(kamon)) {
      Kamon.reconfigure(config);
      LOG.info("Metrics reconfigured: Prometheus endpoint {}", endpoint(config));
    }
    applied = kamon;
  }

  private static String endpoint(Config config) {
    Config server = config.getConfig("kamon.prometheus.embedded-server");
    return config.getBoolean("kamon.prometheus.start-embedded-http-server")
        ? "http://" + server.getString("hostname") + ":" + server.getInt("port") + server.getString("metrics-path")
        : "off";
  }

  /** The transport's counters (parse errors, drops, ...) as gauges, tagged {@code counter}. */
  private static void poll(TransportCounters transport) {
    transport.snapshot().forEach((name, value) ->
        Kamon.gauge("tandem.transport.messages", "the transport's counters").withTag("counter", name).update(value));
  }

  /**
   * Reads {@code layer}'s {@link TransactionLayer.TransactionCount} at each poll:
   * {@code tandem_transactions_active{kind=client|server}}, and the running totals
   * {@code tandem_transactions_overload_rejected} and
   * {@code tandem_transactions_retransmitted_requests} (gauges).
   */
  public void watch(TransactionLayer layer) {
    if (poller == null) {
      return;
    }
    transactionPoller = system.scheduler().scheduleAtFixedRate(Duration.ZERO, every,
        () -> record(layer.counts()), system.executionContext());
  }

  private static void record(TransactionLayer.TransactionCount count) {
    Kamon.gauge("tandem.transactions.active").withTag("kind", "client").update(count.client());
    Kamon.gauge("tandem.transactions.active").withTag("kind", "server").update(count.server());
    Kamon.gauge("tandem.transactions.overload-rejected").withoutTags().update(count.overloadRejected());
    Kamon.gauge("tandem.transactions.retransmitted-requests").withoutTags().update(count.retransmittedRequests());
  }

  /**
   * The probed carriers' state at each poll: {@code tandem_carrier_up{carrier}} 1 when it
   * answers OPTIONS (in the hunt), 0 when it is down.
   */
  public void watch(CarrierHealth health) {
    if (poller == null) {
      return;
    }
    healthPoller = system.scheduler().scheduleAtFixedRate(Duration.ZERO, every, () ->
        health.snapshot().forEach((carrier, up) ->
            Kamon.gauge("tandem.carrier.up", "1 when the carrier answers its OPTIONS probe")
                .withTag("carrier", carrier).update(up ? 1 : 0)), system.executionContext());
  }

  /**
   * This node's view of the cluster at each poll: {@code tandem_cluster_members{status}} (Up,
   * Joining, Leaving, ..., and unreachable), {@code tandem_cluster_shards} (shards of calls on
   * this node) and {@code tandem_cluster_sip_messages{way}}: running totals of what the node did
   * with the messages it received (handled-here, to-call-owner, to-other-nodes) and was handed
   * (delivered, written-for-other-nodes, undeliverable).
   */
  public void watch(ClusterNode cluster) {
    if (poller == null) {
      return;
    }
    clusterPoller = system.scheduler().scheduleAtFixedRate(Duration.ZERO, every, () -> {
      cluster.membersByStatus().forEach((status, n) ->
          Kamon.gauge("tandem.cluster.members", "members this node sees, by state").withTag("status", status).update(n));
      cluster.localShards(every).thenAccept(n ->
          Kamon.gauge("tandem.cluster.shards", "shards of calls on this node").withoutTags().update(n));
      ClusterCounters c = cluster.counters();
      Map.of("handled-here", c.local(), "to-call-owner", c.toOwner(), "to-other-nodes", c.toOtherNodes(),
              "delivered", c.delivered(), "written-for-other-nodes", c.written(), "undeliverable", c.undeliverable())
          .forEach((way, n) -> Kamon.gauge("tandem.cluster.sip-messages").withTag("way", way).update(n));
      cluster.replication().forEach((what, n) -> Kamon.gauge("tandem.cluster.replication",
          "calls this node wrote to the others, copies it keeps of theirs, replicas it writes to")
          .withTag("what", what).update(n));
    }, system.executionContext());
  }

  /** What the server's calls report to: the call metrics, or nothing when disabled. */
  public CallObserver observer() {
    return observer;
  }

  /** Stops copying the transport's counters (Kamon itself stays: see the class comment). */
  public void stop() {
    if (poller != null) {
      poller.cancel();
    }
    if (transactionPoller != null) {
      transactionPoller.cancel();
    }
    if (healthPoller != null) {
      healthPoller.cancel();
    }
    if (clusterPoller != null) {
      clusterPoller.cancel();
    }
  }
}
