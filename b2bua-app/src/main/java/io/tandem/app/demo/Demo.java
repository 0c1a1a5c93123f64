package io.tandem.app.demo;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.Server;
import io.tandem.app.Settings;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipUri;
import io.tandem.transaction.TimerSettings;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.TransportProtocol;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code demo} command: one full call through a Tandem started on free loopback ports, from
 * the embedded demo caller to the embedded demo carrier, with the ladder of both legs printed.
 *
 * <pre>
 *   DemoCaller --leg A--> Tandem (UDP, free port) --leg B--> DemoCarrier (free port)
 * </pre>
 *
 * <p>The configuration's settings stand (timers, call settings), except where Tandem listens,
 * the demo carrier (enabled, on a free port) and the routes: every call goes to the carrier.
 */
public final class Demo {
  /** How long the caller talks before it hangs up. */
  static final Duration TALK_TIME = Duration.ofSeconds(1);

  /** How long leg B may take to end after leg A has. */
  private static final Duration LEG_B_GRACE = Duration.ofSeconds(3);

  /** The demo's own settings, over the configuration. */
  private static final String OVERRIDES = """
      tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
      tandem.transport.advertised-address = ""
      tandem.demo-carrier { enabled = true, address = "127.0.0.1", port = 0, max-talk-time = 0s }
      tandem.routing.routes = [ { name = demo, carriers = [demo] } ]
      """;

  private Demo() {}

  /** Runs the demo with {@code settings}; 0 when the call completed on both legs, else 1. */
  public static int run(Settings settings, PrintStream out, PrintStream err) {
    Settings demo = Settings.of(ConfigFactory.parseString(OVERRIDES).withFallback(settings.config()), "demo over " + settings.source());
    Ladder ladder = new Ladder();
    Server server;
    try {
      server = Server.start(demo, ladder.carrier());
    } catch (RuntimeException e) {
      err.println("tandem demo: " + e.getMessage());
      return 1;
    }
    UaStack<DemoCaller.Command> caller = null;
    String failure;
    try {
      InetSocketAddress tandem = server.listening().stream()
          .filter(p -> p.protocol() == TransportProtocol.UDP).map(ListenPoint::address).findFirst().orElseThrow();
      SipUri target = SipUri.of("demo", tandem.getAddress().getHostAddress(), tandem.getPort());
      TimerSettings timers = TimerSettings.fromConfig(demo.config());
      CompletableFuture<DemoCaller.Outcome> outcome = new CompletableFuture<>();
      caller = UaStack.start(server.system(), demo, "demo-caller",
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ladder.caller(), DemoCaller.Received::new,
          (egress, local) -> DemoCaller.create(timers, egress, local, target, TALK_TIME, outcome),
          DemoCaller.Stop.INSTANCE);
      Duration ringTime = DemoCarrierSettings.fromConfig(demo.config()).ringTime();
      Duration limit = ringTime.plus(TALK_TIME).plus(timers.sixtyFourT1()).plusSeconds(5);
      DemoCaller.Outcome result = outcome.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      failure = result.completed() ? legBFailure(ladder) : result.reason();
    } catch (TimeoutException e) {
      failure = "the call did not end in time";
    } catch (Exception e) {
      failure = e.toString();
    } finally {
      if (caller != null) {
        caller.stop();
      }
    }
    ladder.lines().forEach(out::println);
    try {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      err.println("tandem demo: unclean stop: " + e);
    }
    if (failure != null) {
      err.println("tandem demo: the call did not complete: " + failure);
      return 1;
    }
    out.println("tandem demo: the call completed on both legs");
    return 0;
  }

  /**
   * What leg B missed, or null: the carrier answered the INVITE 200 and the BYE 200. Tandem
   * answers the caller's BYE at once and relays it, so leg B may still be ending.
   */
  private static String legBFailure(Ladder ladder) throws InterruptedException {
    long deadline = System.nanoTime() + LEG_B_GRACE.toNanos();
    while (!ladder.has("B", "tandem <- carrier", 200, Method.BYE) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    if (!ladder.has("B", "tandem <- carrier", 200, Method.INVITE)) {
      return "leg B: the carrier never answered 200";
    }
    if (!ladder.has("B", "tandem <- carrier", 200, Method.BYE)) {
      return "leg B: no BYE reached the carrier";
    }
    return null;
  }
}
