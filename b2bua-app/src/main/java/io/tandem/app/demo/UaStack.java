package io.tandem.app.demo;

import io.tandem.app.Settings;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.SipTransport;
import io.tandem.transport.TransportProtocol;
import io.tandem.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * An embedded user agent's own piece of Tandem's stack, in the server's actor system: a
 * {@link SipTransport} on one UDP address and the actor that is its user (the demo carrier or
 * the demo caller), which runs its own transaction layer. Every message on the socket passes
 * the {@link WireTap}.
 *
 * @param <C> the user actor's command type
 */
public final class UaStack<C> {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final SipTransport transport;
  private final ActorRef<C> user;
  private final C stop;

  private UaStack(SipTransport transport, ActorRef<C> user, C stop) {
    this.transport = transport;
    this.user = user;
    this.stop = stop;
  }

  /**
   * Binds {@code bind} (UDP; port 0 = a free port) and starts the user actor.
   *
   * @param received wraps what the socket receives as a command of the user
   * @param user the user's behavior, given the (tapped) egress and the bound address
   * @param stop the command that stops the user and everything it spawned
   * @throws IllegalStateException if the address cannot be bound
   */
  public static <C> UaStack<C> start(
      ActorSystem<?> system,
      Settings settings,
      String name,
      InetSocketAddress bind,
      WireTap tap,
      Function<Inbound, C> received,
      BiFunction<ActorRef<Egress.Command>, InetSocketAddress, Behavior<C>> user,
      C stop) {
    TransportSettings transportSettings = TransportSettings.fromConfig(settings.config())
        .withListen(List.of(new ListenPoint(TransportProtocol.UDP, bind)));
    AtomicReference<ActorRef<C>> ref = new AtomicReference<>();
    CompletionStage<SipTransport> started = SipTransport.start(system, transportSettings,
        settings.limits(), settings.parser().supportedOptionTags(), inbound -> {
          ActorRef<C> target = ref.get();
          if (target != null) {
            tap.received(inbound.message());
            target.tell(received.apply(inbound));
          }
        });
    SipTransport transport;
    try {
      transport = started.toCompletableFuture().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(name + ": " + e.getCause().getMessage(), e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(name + ": cannot start: " + e, e);
    }
    InetSocketAddress bound = transport.listening().get(0).address();
    ActorRef<Egress.Command> egress = tap == WireTap.NONE
        ? transport.egress()
        : system.systemActorOf(tapped(transport.egress(), tap), name + "-wire-" + bound.getPort(), Props.empty());
    ActorRef<C> actor = system.systemActorOf(user.apply(egress, bound), name + "-" + bound.getPort(), Props.empty());
    ref.set(actor);
    return new UaStack<>(transport, actor, stop);
  }

  /** Where the user agent listens. */
  public InetSocketAddress address() {
    return transport.listening().get(0).address();
  }

  /** The user actor. */
  public ActorRef<C> user() {
    return user;
  }

  /** Closes the socket and stops the user actor with everything it spawned. */
  public CompletionStage<Done> stop() {
    user.tell(stop);
    return transport.shutdown();
  }

  /**
   * An egress that shows the tap each message before the transport sends it; it stops with the
   * transport's egress.
   */
  private static Behavior<Egress.Command> tapped(ActorRef<Egress.Command> egress, WireTap tap) {
    return Behaviors.setup(ctx -> {
      ctx.watch(egress);
      return Behaviors.receive(Egress.Command.class)
          .onMessage(Egress.Command.class, command -> {
            if (command instanceof Egress.SendRequest send) {
              tap.sent(send.request());
            } else if (command instanceof Egress.SendResponse send) {
              tap.sent(send.response());
            }
            egress.tell(command);
            return Behaviors.same();
          })
          .onSignal(Terminated.class, t -> Behaviors.stopped())
          .build();
    });
  }
}
