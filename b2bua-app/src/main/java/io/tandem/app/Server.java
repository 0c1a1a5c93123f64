package io.tandem.app;

import com.typesafe.config.Config;
import io.tandem.app.demo.DemoCarrier;
import io.tandem.app.demo.DemoCarrierSettings;
import io.tandem.app.demo.UaStack;
import io.tandem.app.demo.WireTap;
import io.tandem.app.routing.ConfigRoutingPolicy;
import io.tandem.call.CallManager;
import io.tandem.call.CallSettings;
import io.tandem.call.RelaySettings;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transaction.TransactionLimits;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.SipTransport;
import io.tandem.transport.TransportCounters;
import io.tandem.transport.TransportSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
 * </pre>
 *
 * <p>With {@code tandem.demo-carrier.enabled}, the embedded {@link DemoCarrier} runs in the same
 * actor system on its own socket, and the carrier named {@code demo} in {@code tandem.routing}
 * is where it listens.
 */
public final class Server {
  private static final Logger LOG = LoggerFactory.getLogger(Server.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final ActorSystem<Void> system;
  private final SipTransport transport;
  private final ActorRef<CallManager.Command> calls;
  private final ActorRef<TransactionLayer.Command> transactions;
  private final ServerCore.Counters coreCounters;
  private final UaStack<DemoCarrier.Command> demoCarrier;

  private Server(
      ActorSystem<Void> system,
      SipTransport transport,
      ActorRef<CallManager.Command> calls,
      ActorRef<TransactionLayer.Command> transactions,
      ServerCore.Counters coreCounters,
      UaStack<DemoCarrier.Command> demoCarrier) {
    this.demoCarrier = demoCarrier;
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
    try {
      // The transport hands messages up from its first bound socket on; the layer needs the
      // transport's egress, so it is set here once it exists. What arrives in between (a
      // window of milliseconds at start) is counted as a drop by the handler.
      AtomicReference<ActorRef<TransactionLayer.Command>> layer = new AtomicReference<>();
      SipTransport transport =
          SipTransport.start(
                  system,
                  transportSettings,
                  settings.limits(),
                  settings.parser().supportedOptionTags(),
                  inbound -> {
                    ActorRef<TransactionLayer.Command> ref = layer.get();
                    if (ref != null) {
                      ref.tell(new TransactionLayer.Received(inbound));
                    }
                  })
              .toCompletableFuture()
              .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      ServerCore.Counters counters = new ServerCore.Counters();
      var core =
          system.systemActorOf(
              ServerCore.create(settings.parser().supportedOptionTags(), counters), "core", Props.empty());
      Config routingConfig = settings.config();
      if (demo.enabled()) {
        // Before routing: the carrier "demo" is wherever the demo carrier got its socket.
        carrier = DemoCarrier.start(system, settings, demo, demoCarrierTap);
        routingConfig = DemoCarrierSettings.routeTo(routingConfig, carrier.address());
        LOG.info("Demo carrier (carrier \"{}\") listening on UDP {}:{}: rings {} ms, then answers every call (signalling"
                + " only, no media)", DemoCarrierSettings.CARRIER,
            carrier.address().getAddress().getHostAddress(), carrier.address().getPort(), demo.ringTime().toMillis());
      }
      ConfigRoutingPolicy routing = ConfigRoutingPolicy.fromConfig(routingConfig);
      ActorRef<CallManager.Command> calls =
          system.systemActorOf(
              CallManager.create(
                  timers,
                  TransactionLimits.fromConfig(settings.config()),
                  transport.egress(),
                  routing,
                  routing.limits(),
                  routing.retryAfter(),
                  CallSettings.fromConfig(settings.config()),
                  RelaySettings.fromConfig(settings.config()),
                  transport::sentBy,
                  core),
              "calls",
              Props.empty());
      ActorRef<TransactionLayer.Command> transactions =
          AskPattern.<CallManager.Command, ActorRef<TransactionLayer.Command>>ask(
                  calls, CallManager.GetTransactions::new, START_TIMEOUT, system.scheduler())
              .toCompletableFuture()
              .get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      layer.set(transactions);
      for (ListenPoint point : transport.listening()) {
        String host = point.address().getAddress().getHostAddress();
        LOG.info(
            "Tandem listening on {} {}:{}",
            point.protocol(),
            host.contains(":") ? "[" + host + "]" : host,
            point.address().getPort());
      }
      return new Server(system, transport, calls, transactions, counters, carrier);
    } catch (Exception e) {
      if (carrier != null) {
        carrier.stop();
      }
      system.terminate();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot start: " + cause.getMessage(), cause);
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

  public ActorRef<TransactionLayer.Command> transactions() {
    return transactions;
  }

  public TransportCounters transportCounters() {
    return transport.counters();
  }

  public ServerCore.Counters coreCounters() {
    return coreCounters;
  }

  /** The demo carrier, when {@code tandem.demo-carrier.enabled}. */
  public Optional<UaStack<DemoCarrier.Command>> demoCarrier() {
    return Optional.ofNullable(demoCarrier);
  }

  /** Closes the listeners, then stops the actor system. */
  public CompletionStage<Done> stop() {
    CompletionStage<Done> carrierStopped = demoCarrier == null
        ? java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance())
        : demoCarrier.stop().exceptionally(error -> Done.getInstance());
    return transport
        .shutdown()
        .thenCombine(carrierStopped, (a, b) -> Done.getInstance())
        .handle((done, error) -> Done.getInstance())
        .thenCompose(
            done -> {
              system.terminate();
              return system.getWhenTerminated();
            });
  }
}
