package io.tandem.app.registrar;

import io.tandem.sip.message.Method;
import io.tandem.transaction.TransactionEvent;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Tandem's registrar (RFC 3261 section 10.3): it answers the REGISTER requests the server core
 * hands it, writing the {@link LocationService} that routing reads, and drops lapsed bindings
 * every {@code sweep-interval} so that an AOR nobody refreshes or calls does not stay in memory.
 *
 * <pre>
 *   ServerCore --Register(RequestReceived)--> Registrar --Respond--> the REGISTER's transaction
 *                                                 |  writes
 *                                                 v
 *                          routing (Calls) --reads--> LocationService
 * </pre>
 */
public final class Registrar {
  /** What the registrar accepts. */
  public sealed interface Command permits Register, Sweep {}

  /** A REGISTER with no To tag; the registrar answers it in its transaction. */
  public record Register(TransactionEvent.RequestReceived received) implements Command {
    public Register {
      if (!Method.REGISTER.equals(received.request().method())) {
        throw new IllegalArgumentException("not a REGISTER: " + received.request().method());
      }
    }
  }

  /** The sweep timer fired. */
  private enum Sweep implements Command { INSTANCE }

  private Registrar() {}

  /**
   * The registrar.
   *
   * @param authorizer decides, before anything else, whether a REGISTER may go on (see
   *     {@link RegisterAuthorizer}; digest authentication plugs in there)
   */
  public static Behavior<Command> create(
      RegistrarSettings settings, LocationService location, RegisterAuthorizer authorizer) {
    Registration registration = new Registration(settings, location, authorizer);
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, settings.sweepInterval());
      return serving(registration, location);
    });
  }

  private static Behavior<Command> serving(Registration registration, LocationService location) {
    return Behaviors.setup(ctx -> Behaviors.receive(Command.class)
        .onMessage(Register.class, r -> {
          TransactionEvent.RequestReceived received = r.received();
          var response = registration.answer(received.request(), received.source());
          ctx.getLog().debug("REGISTER {} from {}: {}", received.request().to().uri(),
              received.source(), response.statusCode());
          received.transaction().respond(response);
          return Behaviors.same();
        })
        .onMessageEquals(Sweep.INSTANCE, () -> {
          int removed = location.sweep();
          if (removed > 0) {
            ctx.getLog().debug("{} lapsed bindings dropped, {} AORs left", removed, location.aorCount());
          }
          return Behaviors.same();
        })
        .build());
  }
}
