package io.tandem.app.routing;

import com.typesafe.config.Config;
import io.tandem.health.ProbeSettings;
import io.tandem.registration.RegistrationSettings;
import io.tandem.routing.CallLimits;
import io.tandem.routing.Destination;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.RoutingPolicy;
import io.tandem.sip.message.SipRequest;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * The routing policy an operator writes in {@code tandem.routing} (see reference.conf): an
 * ordered list of routes matched on the Request-URI user and the route's match block, the first
 * match wins, and the call limits.
 *
 * <p>The configuration is checked whole when it is read, so that a mistake stops the server at
 * start with a message naming the key, rather than failing calls later. Immutable once built
 * (apart from the counters in {@link #limits()}), so every Call may share one instance.
 */
public final class ConfigRoutingPolicy implements RoutingPolicy {
  private final List<RegistrationSettings> registrations;
  private final List<ProbeSettings> probes;
  /** The answer when no route matches: RFC 3261 section 21.4.5, the user does not exist here. */
  static final RoutingDecision.Reject NO_ROUTE = new RoutingDecision.Reject(404, "No Route");

  private final List<RouteRule> routes;
  /** The carriers the routes send calls to, by their address: where a redirect may go. */
  private final Map<InetSocketAddress, List<Destination>> carriersByAddress;
  private final CallLimits limits;
  private final Duration retryAfter;
  private final RegisteredContacts contacts;
  private final Clock clock;
  private final DoubleSupplier random;

  ConfigRoutingPolicy(List<RouteRule> routes, CallLimits limits, Duration retryAfter,
      RegisteredContacts contacts) {
    this(routes, limits, retryAfter, contacts, List.of(), List.of());
  }

  ConfigRoutingPolicy(List<RouteRule> routes, CallLimits limits, Duration retryAfter,
      RegisteredContacts contacts, List<RegistrationSettings> registrations, List<ProbeSettings> probes) {
    this(routes, limits, retryAfter, contacts, registrations, probes, Clock.systemUTC(),
        () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param clock the time {@code match.time} windows are checked against
   * @param random uniform numbers in [0, 1) for carrier groups' weighted order; thread-safe
   */
  ConfigRoutingPolicy(List<RouteRule> routes, CallLimits limits, Duration retryAfter,
      RegisteredContacts contacts, List<RegistrationSettings> registrations, List<ProbeSettings> probes,
      Clock clock, DoubleSupplier random) {
    this.clock = clock;
    this.random = random;
    this.registrations = List.copyOf(registrations);
    this.probes = List.copyOf(probes);
    this.routes = List.copyOf(routes);
    Map<InetSocketAddress, List<Destination>> at = new HashMap<>();
    for (RouteRule rule : routes) {
      List<Destination> listed = new ArrayList<>(rule.carriers());
      if (rule.group() != null) {
        rule.group().members().forEach(m -> listed.add(m.destination()));
      }
      for (Destination d : listed) {
        List<Destination> there = at.computeIfAbsent(d.address(), a -> new ArrayList<>());
        if (there.stream().noneMatch(t -> t.transport() == d.transport())) {
          there.add(d);
        }
      }
    }
    at.replaceAll((a, list) -> List.copyOf(list));
    this.carriersByAddress = Map.copyOf(at);
    this.limits = limits;
    this.retryAfter = retryAfter;
    this.contacts = contacts;
  }

  /**
   * Reads {@code tandem.routing} from {@code config}.
   *
   * @throws IllegalArgumentException naming the key and the value, for an unknown carrier, a
   *     bad transport or address, two match keys, an invalid regex, a bad hunt-on code ...
   */
  public static ConfigRoutingPolicy fromConfig(Config config) {
    return RoutingConfig.read(config, null);
  }

  /**
   * Reads {@code tandem.routing}; routes with {@code registered = true} find the Request-URI
   * user's Contacts in {@code contacts} (null: the registrar is off, and such a route is an
   * error).
   */
  public static ConfigRoutingPolicy fromConfig(Config config, RegisteredContacts contacts) {
    return RoutingConfig.read(config, contacts);
  }

  /**
   * This policy with {@code clock} for time windows and {@code random} (uniform in [0, 1),
   * thread-safe) for carrier groups: tests make both deterministic.
   */
  public ConfigRoutingPolicy with(Clock clock, DoubleSupplier random) {
    return new ConfigRoutingPolicy(routes, limits, retryAfter, contacts, registrations, probes, clock, random);
  }

  /**
   * The first route that matches: its user prefix or regex on the user part of the
   * Request-URI (a sip/sips URI's user, escapes decoded, or a tel URI's number without visual
   * separators) and its {@code match} block. A URI without a user matches only a route without
   * user keys. No match: 404 No Route. A route with {@code registered} reads the registrar's
   * bindings now (thread-safe: a concurrent map of immutable lists), so a Contact bound a
   * moment ago is tried.
   */
  @Override
  public RoutingDecision route(SipRequest invite) {
    CallFacts facts = CallFacts.of(invite);
    Instant now = clock.instant();
    for (RouteRule rule : routes) {
      Map<String, String> captures = rule.captures(facts, now);
      if (captures != null) {
        return rule.decide(facts.user(), contacts, captures, random);
      }
    }
    return NO_ROUTE;
  }

  @Override
  public List<Destination> carriersAt(InetSocketAddress address) {
    return carriersByAddress.getOrDefault(address, List.of());
  }

  /**
   * Whether the route {@code invite} takes asks its callers for Digest credentials (its
   * {@code authenticate}); false when no route matches (the call is refused 404 anyway).
   */
  public boolean authenticates(SipRequest invite) {
    CallFacts facts = CallFacts.of(invite);
    Instant now = clock.instant();
    for (RouteRule rule : routes) {
      if (rule.captures(facts, now) != null) {
        return rule.authenticate();
      }
    }
    return false;
  }

  /** Whether any route authenticates its callers. */
  public boolean anyAuthenticates() {
    return routes.stream().anyMatch(RouteRule::authenticate);
  }

  /** The carriers Tandem probes with OPTIONS ({@code health} blocks), in configuration order. */
  public List<ProbeSettings> probes() {
    return probes;
  }

  /** The carriers Tandem registers with ({@code register} blocks), in configuration order. */
  public List<RegistrationSettings> registrations() {
    return registrations;
  }

  /** The concurrent-call limits, in total and per carrier, shared by every Call. */
  public CallLimits limits() {
    return limits;
  }

  /** The Retry-After of the 503 answered to a call over {@code max-calls}. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
