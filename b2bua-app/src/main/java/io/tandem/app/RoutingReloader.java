package io.tandem.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.tandem.app.routing.ConfigRoutingPolicy;
import io.tandem.app.routing.HealthAwareRouting;
import io.tandem.health.CarrierHealth;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.RoutingPolicy;
import io.tandem.sip.message.SipRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import scala.concurrent.ExecutionContext;
import org.slf4j.LoggerFactory;

/**
 * Hot reload of the routes (DESIGN section 6): the configuration file read again, checked whole,
 * and its routes swapped in for new calls only; a call keeps the route it started with. A file
 * that does not read or does not check is refused with its error (path and line), and the
 * running routes stay.
 *
 * <p>What is reloaded: {@code tandem.routing.routes} and the carriers' addresses, transports and
 * credentials as the routes use them, and the routes' authenticate flags. What needs a restart:
 * call limits, outbound registrations, health probes, listeners, {@code tandem.auth}.
 */
public final class RoutingReloader {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingReloader.class);

  /** What a reload did. */
  public sealed interface Result {
    /** The new routes are in use for new calls. */
    record Reloaded(String source) implements Result {}

    /** Nothing changed; {@code reason} says why (a parse or check error names path and line). */
    record Refused(String reason) implements Result {}
  }

  private final Optional<Path> file;
  private final Function<Config, ConfigRoutingPolicy> build;
  private final AtomicReference<ConfigRoutingPolicy> current;
  private final RoutingPolicy routing;
  private volatile FileTime lastSeen;
  private Cancellable watch;

  /**
   * @param file the configuration file, or empty when the server runs on its embedded defaults
   * @param build the routing a configuration gives (after the server's own rewrites)
   * @param initial the routing the server started with
   */
  RoutingReloader(Optional<Path> file, Function<Config, ConfigRoutingPolicy> build, ConfigRoutingPolicy initial,
      CarrierHealth health) {
    this.file = file;
    this.build = build;
    this.current = new AtomicReference<>(initial);
    RoutingPolicy latest = new RoutingPolicy() {
      @Override
      public RoutingDecision route(SipRequest invite) {
        return current.get().route(invite);
      }

      @Override
      public java.util.List<io.tandem.routing.Destination> carriersAt(java.net.InetSocketAddress address) {
        return current.get().carriersAt(address);
      }
    };
    this.routing = new HealthAwareRouting(latest, health);
    this.lastSeen = file.map(RoutingReloader::modified).orElse(null);
  }

  /** The routing calls ask: the latest routes, less the carriers that are down. */
  RoutingPolicy routing() {
    return routing;
  }

  /** Whether the latest routes ask {@code invite}'s caller for credentials. */
  boolean authenticates(SipRequest invite) {
    return current.get().authenticates(invite);
  }

  /** The latest routing as read from the configuration. */
  ConfigRoutingPolicy current() {
    return current.get();
  }

  /** Reads the file again and, if it checks, uses its routes for new calls. */
  public synchronized Result reload() {
    if (file.isEmpty()) {
      return new Result.Refused("the server runs on its embedded defaults: there is no file to reload");
    }
    Path path = file.get();
    lastSeen = modified(path);
    try {
      ConfigRoutingPolicy next = build.apply(Settings.load(path).config());
      current.set(next);
      LOG.info("routing reloaded from {}: new calls take the new routes", path);
      return new Result.Reloaded(path.toString());
    } catch (ConfigException | IllegalArgumentException e) {
      LOG.warn("reload of {} refused, the running routes stay: {}", path, e.getMessage());
      return new Result.Refused(e.getMessage());
    }
  }

  /** Checks the file's modification time every {@code interval} and reloads when it changes. */
  void watch(Scheduler scheduler, Duration interval, ExecutionContext executor) {
    if (file.isEmpty() || interval.isZero()) {
      return;
    }
    watch = scheduler.scheduleAtFixedRate(interval, interval, () -> {
      FileTime now = modified(file.get());
      if (now != null && !now.equals(lastSeen)) {
        reload();
      }
    }, executor);
  }

  void stop() {
    if (watch != null) {
      watch.cancel();
    }
  }

  private static FileTime modified(Path path) {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException e) {
      return null;
    }
  }

  /** A decision of the latest routes, for tests. */
  RoutingDecision route(SipRequest invite) {
    return routing.route(invite);
  }
}
