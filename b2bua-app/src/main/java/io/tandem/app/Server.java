package io.tandem.app;

import io.tandem.app.routing.ConfigRoutingPolicy;
import io.tandem.call.CallManager;
import io.tandem.call.CallSettings;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transaction.TransactionLimits;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.SipTransport;
import io.tandem.transport.TransportCounters;
import io.tandem.transport.TransportSettings;
import java.time.Duration;
import java.util.List;
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
 */
public final class Server {
  private static final Logger LOG = LoggerFactory.getLogger(Server.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final ActorSystem<Void> system;
  private final SipTransport transport;
  private final ActorRef<CallManager.Command> calls;
  private final ActorRef<TransactionLayer.Command> transactions;
  private final ServerCore.Counters coreCounters;

  private Server(
      ActorSystem<Void> system,
      SipTransport transport,
      ActorRef<CallManager.Command> calls,
      ActorRef<TransactionLayer.Command> transactions,
      ServerCore.Counters coreCounters) {
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
    TransportSettings transportSettings = TransportSettings.fromConfig(settings.config());
    TimerSettings timers = TimerSettings.fromConfig(settings.config());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "tandem", settings.config());
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
      ConfigRoutingPolicy routing = ConfigRoutingPolicy.fromConfig(settings.config());
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
      return new Server(system, transport, calls, transactions, counters);
    } catch (Exception e) {
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

  /** Closes the listeners, then stops the actor system. */
  public CompletionStage<Done> stop() {
    return transport
        .shutdown()
        .handle((done, error) -> Done.getInstance())
        .thenCompose(
            done -> {
              system.terminate();
              return system.getWhenTerminated();
            });
  }
}
