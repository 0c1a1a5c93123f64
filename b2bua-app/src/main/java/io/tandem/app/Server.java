package io.tandem.app;

import com.typesafe.config.Config;
import io.tandem.app.access.AccessControl;
import io.tandem.app.access.AccessGate;
import io.tandem.app.admin.AdminApi;
import io.tandem.app.admin.ClusterAdmin;
import io.tandem.app.admin.AdminSettings;
import io.tandem.app.auth.ServerAuth;
import io.tandem.app.cluster.ClusterJoin;
import io.tandem.app.cluster.ClusterNode;
import io.tandem.app.cluster.ClusterSettings;
import io.tandem.app.cdr.CdrRecorder;
import io.tandem.app.cdr.CdrSettings;
import io.tandem.app.demo.DemoCarrier;
import io.tandem.app.demo.DemoCarrierSettings;
import io.tandem.app.demo.UaStack;
import io.tandem.app.demo.WireTap;
import io.tandem.app.hep.HepExporter;
import io.tandem.app.metrics.Metrics;
import io.tandem.app.registrar.ContactTargets;
import io.tandem.app.registrar.LocationService;
import io.tandem.app.registrar.Registrar;
import io.tandem.app.registrar.RegistrarSettings;
import io.tandem.app.routing.ConfigLocation;
import io.tandem.app.routing.ConfigRoutingPolicy;
import io.tandem.app.routing.HealthAwareRouting;
import io.tandem.app.routing.RegisteredContacts;
import io.tandem.auth.InboundAuth;
import io.tandem.call.CallManager;
import io.tandem.call.CallObserver;
import io.tandem.call.CallStore;
import io.tandem.call.CallSettings;
import io.tandem.call.RelaySettings;
import io.tandem.health.CarrierHealth;
import io.tandem.health.CarrierProbe;
import io.tandem.health.ProbeSettings;
import io.tandem.registration.ChallengeAnswerer;
import io.tandem.registration.OutboundRegistration;
import io.tandem.registration.RegistrationSettings;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transaction.TransactionLimits;
import io.tandem.transport.Capture;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.SipTransport;
import io.tandem.transport.TransportCounters;
import io.tandem.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tandem: one actor system, the configured listeners, the transaction layer, the
 * call manager with its calls, and the UAS core that answers what belongs to no call.
 *
 * <pre>
 *   sockets --> SipTransport --Received--> TransactionLayer --events--> CallManager --> Call
 *      ^                                        | transactions               '--> ServerCore
 *      '------------- egress <------------------'<------ Respond / SendRequest -----'
 *                                                                      REGISTER |
 *                                       Registrar <-----------------------------'
 * </pre>
 *
 * <p>With {@code tandem.registrar.enabled}, the registrar answers REGISTER and routes with
 * {@code registered = true} read its bindings.
 *
 * <p>With {@code tandem.demo-carrier.enabled}, the embedded {@link DemoCarrier} runs in the same
 * actor system on its own socket, and the carrier named {@code demo} in {@code tandem.routing}
 * is where it listens.
 *
 * <p>With {@code tandem.admin.enabled}, the admin HTTP API ({@link AdminApi}) listens too.
 */
public final class Server {
  private static final Logger LOG = LoggerFactory.getLogger(Server.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final ActorSystem<Void> system;
  private final SipTransport transport;
  private final ActorRef<CallManager.Command> calls;
  private final TransactionLayer transactions;
  private final ServerCore.Counters coreCounters;
  private final UaStack<DemoCarrier.Command> demoCarrier;
  private final LocationService location;
  private final Map<String, ActorRef<OutboundRegistration.Command>> registrations;
  private final CarrierHealth health;
  private final RoutingReloader reloader;
  /** {@link #stop} was called: the actor system ends because it was asked to. */
  private volatile boolean stopRequested;
  /** What {@link #stop} started; null before. */
  private CompletionStage<Done> stopped;
  /** The admin API's binding, or null when it is off. */
  private volatile ServerBinding admin;
  private final Metrics metrics;
  private final CdrRecorder cdr;
  /** This node as one of a cluster, or null with {@code tandem.cluster} off. */
  private final ClusterNode cluster;

  private Server(
      ActorSystem<Void> system,
      SipTransport transport,
      ActorRef<CallManager.Command> calls,
      TransactionLayer transactions,
      ServerCore.Counters coreCounters,
      UaStack<DemoCarrier.Command> demoCarrier,
      LocationService location,
      Map<String, ActorRef<OutboundRegistration.Command>> registrations,
      CarrierHealth health,
      RoutingReloader reloader,
      Metrics metrics,
      CdrRecorder cdr,
      ClusterNode cluster) {
    this.cluster = cluster;
    this.health = health;
    this.reloader = reloader;
    this.metrics = metrics;
    this.cdr = cdr;
    this.demoCarrier = demoCarrier;
    this.location = location;
    this.registrations = registrations;
    this.calls = calls;
    this.system = system;
    this.transport = transport;
    this.transactions = transactions;
    this.coreCounters = coreCounters;
  }

  /**
   * Starts the actor system, binds every configured listener and wires the layers.
   *
   * @throws IllegalStateException if a listener cannot be bound (naming its address)
   */
  public static Server start(Settings settings) {
    return start(settings, WireTap.NONE);
  }

  /**
   * Starts the server; the demo carrier, if enabled, shows {@code demoCarrierTap} what it sends
   * and receives (the demo command prints it).
   */
  public static Server start(Settings settings, WireTap demoCarrierTap) {
    DemoCarrierSettings demo = DemoCarrierSettings.fromConfig(settings.config());
    TransportSettings transportSettings = TransportSettings.fromConfig(settings.config());
    TimerSettings timers = TimerSettings.fromConfig(settings.config());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tandem", settings.config());
    UaStack<DemoCarrier.Command> carrier = null;
    Metrics metrics = null;
    CdrRecorder cdr = null;
    try {
      ClusterSettings clusterSettings = ClusterSettings.fromConfig(settings.config());
      ClusterJoin join = clusterSettings.enabled() ? ClusterJoin.await(system, clusterSettings.joinTimeout()) : null;
      // The transport hands messages up from its first bound socket on; the layer needs the
      // transport's egress, so it is set here once it exists. What arrives in between (a
      // window of milliseconds at start) is counted as a drop by the handler.
      // With tandem.cluster on, the cluster's ingress comes first (ClusterNode.accept).
      AtomicReference<Consumer<Inbound>> layer = new AtomicReference<>();
      // Access control sits before the transaction layer: a refused request costs no transaction.
      AtomicReference<ActorRef<Egress.Command>> egress = new AtomicReference<>();
      AccessControl access = AccessControl.fromConfig(settings.config());
      AccessGate gate = new AccessGate(access);
      HepExporter hep = HepExporter.fromConfig(settings.config());
      if (hep != null) {
        system.getWhenTerminated().thenRun(hep::close);
      }
      SipTransport transport =
          SipTransport.start(
                  system,
                  transportSettings,
                  settings.limits(),
                  settings.parser().supportedOptionTags(),
                  inbound -> {
                    if (hep != null) {
                      hep.received(inbound);
                    }
                    Consumer<Inbound> ref = layer.get();
                    if (ref != null && gate.admit(inbound, egress.get(), system.ignoreRef())) {
                      ref.accept(inbound);
                    }
                  },
                  hep == null ? Capture.NONE : hep)
              .toCompletableFuture()
              .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      ServerCore.Counters counters = new ServerCore.Counters();
      metrics = Metrics.start(settings.config(), system, transport.counters());
      CdrSettings cdrSettings = CdrSettings.fromConfig(settings.config());
      cdr = cdrSettings.enabled() ? CdrRecorder.start(cdrSettings) : null;
      CallObserver observer = CallObserver.both(metrics.observer(), cdr == null ? CallObserver.NONE : cdr);
      RegistrarSettings registrarSettings = RegistrarSettings.fromConfig(settings.config());
      LocationService location = null;
      ActorRef<Registrar.Command> registrar = null;
      if (registrarSettings.enabled()) {
        location = new LocationService(registrarSettings.maxAors(), registrarSettings.maxBindingsPerAor(),
            Clock.systemUTC());
        registrar = system.systemActorOf(
            Registrar.create(registrarSettings, location, ServerAuth.register(settings.config())), "registrar", Props.empty());
      }
      var core =
          system.systemActorOf(
              ServerCore.create(settings.parser().supportedOptionTags(), counters, registrar), "core", Props.empty());
      Config routingConfig = settings.config();
      if (demo.enabled()) {
        // Before routing: the carrier "demo" is wherever the demo carrier got its socket.
        carrier = DemoCarrier.start(system, settings, demo, demoCarrierTap);
        routingConfig = DemoCarrierSettings.routeTo(routingConfig, carrier.address());
        LOG.info("Demo carrier (carrier \"{}\") listening on UDP {}:{}: rings {} ms, then answers every call (signalling"
                + " only, no media)", DemoCarrierSettings.CARRIER,
            carrier.address().getAddress().getHostAddress(), carrier.address().getPort(), demo.ringTime().toMillis());
      }
      RegisteredContacts contacts =
          location == null ? null : new ContactTargets(location, registrarSettings.sendCallsTo());
      UaStack<DemoCarrier.Command> demoStack = carrier;
      Function<Config, ConfigRoutingPolicy> build = config -> ConfigRoutingPolicy.fromConfig(
          demoStack == null ? config : DemoCarrierSettings.routeTo(config, demoStack.address()), contacts);
      ConfigRoutingPolicy routing = ConfigRoutingPolicy.fromConfig(routingConfig, contacts);
      CarrierHealth health = new CarrierHealth();
      RoutingReloader reloader = new RoutingReloader(settings.file(), build, routing, health);
      InboundAuth inboundAuth = ServerAuth.inbound(settings.config(), routing.anyAuthenticates(), reloader::authenticates);
      CallStore store = join == null ? CallStore.NONE : ClusterNode.callStore(system, join, clusterSettings);
      ActorRef<CallManager.Command> calls =
          system.systemActorOf(
              CallManager.create(
                  timers,
                  TransactionLimits.fromConfig(settings.config()),
                  transport.egress(),
                  reloader.routing(),
                  routing.limits(),
                  routing.retryAfter(),
                  CallSettings.fromConfig(settings.config()),
                  RelaySettings.fromConfig(settings.config()),
                  transport.localAddresses(),
                  core,
                  inboundAuth,
                  observer,
                  store),
              "calls",
              Props.empty());
      TransactionLayer transactions =
          AskPattern.<CallManager.Command, TransactionLayer>ask(
                  calls, CallManager.GetTransactions::new, START_TIMEOUT, system.scheduler())
              .toCompletableFuture()
              .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      egress.set(transport.egress());
      ClusterNode cluster = join == null ? null
          : ClusterNode.start(system, join, transactions, transport, settings::parser, transportSettings.tcpIdleTimeout(),
              clusterSettings.housekeepingInterval(), key -> calls.tell(new CallManager.Restore(key)), store);
      layer.set(cluster == null ? transactions::receive : cluster::accept);
      if (cluster != null) {
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseClusterLeave(), "tandem-sip-listeners",
            transport::shutdown); // after the shards are handed over (see stop)
        metrics.watch(cluster);
        cluster.shareLimits(routing.limits(), clusterSettings.limitsPublishInterval());
        if (location != null) {
          cluster.replicate(location);
        }
      }
      metrics.watch(transactions);
      metrics.watch(health);
      Map<String, ActorRef<OutboundRegistration.Command>> registrations = new LinkedHashMap<>();
      reloader.watch(system.scheduler(), settings.config().getDuration("tandem.reload.watch-interval"),
          system.executionContext());
      for (ProbeSettings p : routing.probes()) {
        system.systemActorOf(CarrierProbe.create(p, transactions, transport.localAddresses(), health),
            "probe-" + p.carrier().replaceAll("[^A-Za-z0-9_-]", "_"), Props.empty());
      }
      for (RegistrationSettings r : routing.registrations()) {
        registrations.put(r.name(), system.systemActorOf(
            OutboundRegistration.create(r, transactions, transport.localAddresses(), ChallengeAnswerer.digest(r.credentials())),
            "register-" + registrations.size(), Props.empty()));
      }
      for (ListenPoint point : transport.listening()) {
        String host = point.address().getAddress().getHostAddress();
        LOG.info(
            "Tandem listening on {} {}:{}",
            point.protocol(),
            host.contains(":") ? "[" + host + "]" : host,
            point.address().getPort());
      }
      if (cdr != null) {
        LOG.info("Call detail records to {}", cdrSettings.directory().toAbsolutePath());
      }
      Server server = new Server(system, transport, calls, transactions, counters, carrier, location,
          Map.copyOf(registrations), health, reloader, metrics, cdr, cluster);
      AdminSettings adminSettings = AdminSettings.fromConfig(settings.config());
      if (adminSettings.enabled()) {
        server.admin = AdminApi.start(system, adminSettings, calls, routing.limits(), health, reloader::reload,
                () -> !transport.listening().isEmpty(), cluster == null ? null
                    : new ClusterAdmin(cluster::describe, cluster.self(), cluster::callsOfOtherNodes, server::stop,
                        server::stopRequested))
            .toCompletableFuture()
            .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        InetSocketAddress at = server.admin.localAddress();
        LOG.info("Admin API listening on http://{}:{}/ (no authentication: keep it on loopback)",
            at.getAddress().getHostAddress(), at.getPort());
      }
      return server;
    } catch (Exception e) {
      if (carrier != null) {
        carrier.stop();
      }
      if (metrics != null) {
        metrics.stop();
      }
      if (cdr != null) {
        cdr.close();
      }
      system.terminate();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      String message = cause.getMessage();
      if (cause instanceof IllegalArgumentException && message != null && !message.contains("(at ")) {
        message += ConfigLocation.of(settings.config(), message); // the file and line of the value
      }
      throw new IllegalStateException("cannot start: " + message, cause);
    }
  }

  /** Where the server listens (ports resolved when the configuration asked for port 0). */
  public List<ListenPoint> listening() {
    return transport.listening();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  /** The call manager: ask it {@link CallManager.GetCallCount} how many calls are up. */
  public ActorRef<CallManager.Command> calls() {
    return calls;
  }

  public TransactionLayer transactions() {
    return transactions;
  }

  public TransportCounters transportCounters() {
    return transport.counters();
  }

  public ServerCore.Counters coreCounters() {
    return coreCounters;
  }

  /** The registrar's bindings, when {@code tandem.registrar.enabled}. */
  public Optional<LocationService> location() {
    return Optional.ofNullable(location);
  }

  /**
   * Reads the configuration file again and uses its routes for new calls (calls up keep theirs);
   * a file that does not check is refused and the running routes stay.
   */
  public RoutingReloader.Result reload() {
    return reloader.reload();
  }

  /** Which probed carriers are up, as their OPTIONS probes last found. */
  public CarrierHealth carrierHealth() {
    return health;
  }

  /** The outbound registrations by carrier name: ask one {@link OutboundRegistration.GetStatus}. */
  public Map<String, ActorRef<OutboundRegistration.Command>> registrations() {
    return registrations;
  }

  /**
   * Whether {@link #stop} was called. An actor system that ends without it is a cluster node
   * the cluster removed (downed by the Split Brain Resolver, say): the process should end in
   * failure, for its supervisor to start it again.
   */
  public boolean stopRequested() {
    return stopRequested;
  }

  /** This node as one of a cluster, when {@code tandem.cluster.enabled}. */
  public Optional<ClusterNode> cluster() {
    return Optional.ofNullable(cluster);
  }

  /** Where the admin API listens, when {@code tandem.admin.enabled}. */
  public Optional<InetSocketAddress> adminAddress() {
    return Optional.ofNullable(admin).map(ServerBinding::localAddress);
  }

  /** The demo carrier, when {@code tandem.demo-carrier.enabled}. */
  public Optional<UaStack<DemoCarrier.Command>> demoCarrier() {
    return Optional.ofNullable(demoCarrier);
  }

  /**
   * Closes the admin API and the listeners, then stops the actor system; then the call detail
   * records of the calls it ended are written and their file closed. Called again (SIGTERM
   * after a cluster node's POST /drain), the same stop.
   */
  public synchronized CompletionStage<Done> stop() {
    if (stopped == null) {
      stopRequested = true;
      stopped = stopOnce();
    }
    return stopped;
  }

  private CompletionStage<Done> stopOnce() {
    reloader.stop();
    if (admin != null) {
      admin.unbind();
    }
    CompletionStage<Done> carrierStopped = demoCarrier == null
        ? java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance())
        : demoCarrier.stop().exceptionally(error -> Done.getInstance());
    // One node alone stops taking SIP first. A cluster's node keeps its listeners and egress
    // until Cluster Sharding has handed its shards over (the task below, in coordinated
    // shutdown's cluster-leave phase): until then its calls still answer and send, and what
    // it receives for a call goes to the call's owner, old or new.
    CompletionStage<Done> sipStopped = cluster == null ? transport.shutdown()
        : java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
    return sipStopped
        .thenCombine(carrierStopped, (a, b) -> Done.getInstance())
        .handle((done, error) -> Done.getInstance())
        .thenCompose(
            done -> {
              system.terminate();
              return system.getWhenTerminated();
            })
        .thenApply(done -> {
          metrics.stop();
          if (cdr != null) {
            int left = cdr.close(cluster != null); // a cluster's other nodes bring answered calls back
            if (left > 0) {
              LOG.info("{} calls left to the other nodes of the cluster, with their call detail records", left);
            }
            if (cdr.writer().dropped() > 0 || cdr.writer().failed() > 0) {
              LOG.warn("Call detail records lost: {} dropped (queue full), {} failed to write",
                  cdr.writer().dropped(), cdr.writer().failed());
            }
          }
          return done;
        });
  }
}
