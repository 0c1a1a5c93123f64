package io.tandem.app.routing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.tandem.health.ProbeSettings;
import io.tandem.registration.RegistrationSettings;
import io.tandem.routing.CallLimits;
import io.tandem.routing.CarrierCredentials;
import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.TransferPolicy;
import io.tandem.transport.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads and checks {@code tandem.routing} into a {@link ConfigRoutingPolicy}. Every error is an
 * {@link IllegalArgumentException} whose message starts with the full config path and quotes
 * the offending value, so an operator sees at start what to fix.
 */
final class RoutingConfig {
  private static final String PATH = "tandem.routing";
  private static final Set<String> CARRIER_KEYS = Set.of("address", "port", "transport", "max-calls",
      "username", "password", "realm", "register", "health", "max-cps");
  private static final Set<String> REGISTER_KEYS = Set.of("user", "domain", "expires");
  private static final Set<String> HEALTH_KEYS = Set.of("interval", "timeout", "down-after", "up-after");
  private static final Set<String> ROUTE_KEYS = Set.of("name", "match-user-prefix",
      "match-user-regex", "carriers", "hunt-on", "follow-redirects", "max-redirects", "transfer",
      "authenticate", "registered", "match", "dial", "from-user", "from-display", "p-asserted-identity",
      "headers", "group", "reject", "max-attempts", "provisional-timeout", "ring-timeout", "relay-as",
      "accept-body-types", "redirect-to-any-host");

  private RoutingConfig() {}

  /**
   * @param contacts the registrar's bindings, or null when the registrar is off
   * @throws IllegalArgumentException starting with the config path of the offending value and
   *     ending with where it was written ({@code (at FILE line N)})
   */
  static ConfigRoutingPolicy read(Config config, RegisteredContacts contacts) {
    try {
      return readChecked(config, contacts);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + ConfigLocation.of(config, e.getMessage()), e);
    }
  }

  private static ConfigRoutingPolicy readChecked(Config config, RegisteredContacts contacts) {
    CarrierDns dns = new CarrierDns(get("tandem.dns.servers", () -> config.getStringList("tandem.dns.servers")));
    Config c = config.getConfig(PATH);
    int maxCalls = nonNegative(c, "max-calls", PATH + ".max-calls");
    Duration retryAfter = get(PATH + ".retry-after", () -> c.getDuration("retry-after"));
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException(PATH + ".retry-after must not be negative: " + retryAfter);
    }
    Map<String, Destination> carriers = new LinkedHashMap<>();
    Map<String, Integer> perCarrier = new LinkedHashMap<>();
    Map<String, Double> perSecond = new LinkedHashMap<>();
    List<RegistrationSettings> registrations = new ArrayList<>();
    List<ProbeSettings> probes = new ArrayList<>();
    Duration retryMin = get(PATH + ".register-retry-min", () -> c.getDuration("register-retry-min"));
    Duration retryMax = get(PATH + ".register-retry-max", () -> c.getDuration("register-retry-max"));
    ConfigObject carrierObjects = get(PATH + ".carriers", () -> c.getObject("carriers"));
    for (Map.Entry<String, ConfigValue> e : carrierObjects.entrySet()) {
      String key = PATH + ".carriers." + e.getKey();
      Config carrier = asObject(e.getValue(), key);
      Destination destination = destination(e.getKey(), carrier, key, dns);
      carriers.put(e.getKey(), destination);
      if (carrier.hasPath("register")) {
        registrations.add(registration(destination, get(key + ".register", () -> carrier.getConfig("register")),
            key + ".register", retryMin, retryMax));
      }
      if (carrier.hasPath("health")) {
        probes.add(probe(destination, get(key + ".health", () -> carrier.getConfig("health")), key + ".health"));
      }
      perCarrier.put(e.getKey(), carrier.hasPath("max-calls") ? nonNegative(carrier, "max-calls",
          key + ".max-calls") : 0);
      if (carrier.hasPath("max-cps")) {
        double cps = get(key + ".max-cps", () -> carrier.getDouble("max-cps"));
        if (cps < 0) {
          throw new IllegalArgumentException(key + ".max-cps must not be negative: " + cps);
        }
        if (cps > 0) {
          perSecond.put(e.getKey(), cps);
        }
      }
    }
    Map<String, CarrierGroup> groups = new LinkedHashMap<>();
    if (c.hasPath("groups")) {
      ConfigObject groupObjects = get(PATH + ".groups", () -> c.getObject("groups"));
      for (Map.Entry<String, ConfigValue> e : groupObjects.entrySet()) {
        String key = PATH + ".groups." + e.getKey();
        groups.put(e.getKey(), RouteBlocks.group(e.getKey(), e.getValue(), key, carriers));
      }
    }
    List<RouteRule> routes = new ArrayList<>();
    List<? extends Config> entries = get(PATH + ".routes", () -> c.getConfigList("routes"));
    for (int i = 0; i < entries.size(); i++) {
      routes.add(route(entries.get(i), PATH + ".routes[" + i + "]", carriers, groups, contacts != null));
    }
    CallLimits limits = new CallLimits(maxCalls, perCarrier, perSecond, System::nanoTime);
    return new ConfigRoutingPolicy(routes, limits, retryAfter, contacts,
        registrations, probes);
  }

  /** A carrier's {@code health} block: Tandem probes it with OPTIONS. */
  private static ProbeSettings probe(Destination carrier, Config health, String key) {
    onlyKnownKeys(health, HEALTH_KEYS, key);
    Duration interval = health.hasPath("interval")
        ? get(key + ".interval", () -> health.getDuration("interval")) : Duration.ofSeconds(30);
    Duration timeout = health.hasPath("timeout")
        ? get(key + ".timeout", () -> health.getDuration("timeout")) : Duration.ofSeconds(5);
    int downAfter = health.hasPath("down-after") ? get(key + ".down-after", () -> health.getInt("down-after")) : 3;
    int upAfter = health.hasPath("up-after") ? get(key + ".up-after", () -> health.getInt("up-after")) : 2;
    try {
      return new ProbeSettings(carrier.carrier(), carrier.peer(), interval, timeout, downAfter, upAfter);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  /** A carrier's {@code register} block: Tandem registers with it as {@code user@domain}. */
  private static RegistrationSettings registration(Destination carrier, Config register, String key,
      Duration retryMin, Duration retryMax) {
    onlyKnownKeys(register, REGISTER_KEYS, key);
    String user = string(register, "user", key);
    String address = carrier.address().getAddress().getHostAddress();
    String domain = register.hasPath("domain") ? string(register, "domain", key)
        : address.contains(":") ? "[" + address + "]" : address;
    Duration expires = register.hasPath("expires")
        ? get(key + ".expires", () -> register.getDuration("expires")) : Duration.ofSeconds(3600);
    try {
      return new RegistrationSettings(carrier.carrier(), carrier.peer(), domain, user, expires, retryMin, retryMax,
          carrier.credentials());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  private static Destination destination(String name, Config carrier, String key, CarrierDns dns) {
    onlyKnownKeys(carrier, CARRIER_KEYS, key);
    String address = string(carrier, "address", key);
    int port = carrier.hasPath("port") ? get(key + ".port", () -> carrier.getInt("port")) : 5060;
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(key + ".port: not a port (1-65535): " + port);
    }
    String transport = carrier.hasPath("transport") ? string(carrier, "transport", key) : "udp";
    TransportProtocol protocol = TransportProtocol.fromVia(transport).orElseThrow(() ->
        new IllegalArgumentException(key + ".transport: unknown transport '" + transport
            + "' (udp or tcp)"));
    InetAddress ip = ipLiteral(address);
    InetSocketAddress at;
    if (ip != null) {
      at = new InetSocketAddress(ip, port);
    } else if (address.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\\.?")) {
      try {
        at = dns.resolve(address, protocol, port).orElseThrow(() -> new IllegalArgumentException(
            key + ".address: DNS has no SRV, A or AAAA record for '" + address + "'"));
      } catch (javax.naming.NamingException e) {
        throw new IllegalArgumentException(key + ".address: DNS lookup of '" + address + "' failed: " + e, e);
      }
    } else {
      throw new IllegalArgumentException(key + ".address: not an IP address or a host name: '" + address + "'");
    }
    return new Destination(name, protocol, at, credentials(carrier, key));
  }

  /** The carrier's optional username, password and realm: both of the first two, or neither. */
  private static CarrierCredentials credentials(Config carrier, String key) {
    boolean user = carrier.hasPath("username");
    boolean password = carrier.hasPath("password");
    if (user != password) {
      throw new IllegalArgumentException(key + ": username and password go together (one is missing)");
    }
    if (!user) {
      if (carrier.hasPath("realm")) {
        throw new IllegalArgumentException(key + ".realm: a realm without username and password");
      }
      return null;
    }
    String username = string(carrier, "username", key);
    if (username.isEmpty()) {
      throw new IllegalArgumentException(key + ".username must not be empty");
    }
    String secret = get(key + ".password", () -> carrier.getString("password"));
    String realm = carrier.hasPath("realm") ? string(carrier, "realm", key) : null;
    return new CarrierCredentials(username, secret, realm);
  }

  private static RouteRule route(Config route, String key, Map<String, Destination> carriers,
      Map<String, CarrierGroup> groups, boolean registrar) {
    onlyKnownKeys(route, ROUTE_KEYS, key);
    String name = string(route, "name", key);
    String prefix = route.hasPath("match-user-prefix")
        ? string(route, "match-user-prefix", key) : null;
    String regex = route.hasPath("match-user-regex") ? string(route, "match-user-regex", key) : null;
    if (prefix != null && regex != null) {
      throw new IllegalArgumentException(key + ": both match-user-prefix '" + prefix
          + "' and match-user-regex '" + regex + "'; a route matches by one of them");
    }
    Pattern pattern = regex == null ? null : pattern(regex, key + ".match-user-regex");
    RouteMatch match = route.hasPath("match")
        ? RouteBlocks.match(get(key + ".match", () -> route.getConfig("match")), key + ".match") : RouteMatch.ANY;
    if (match.userRegex() != null && (prefix != null || regex != null)) {
      throw new IllegalArgumentException(key + ".match.user-regex: the route also has "
          + (prefix != null ? "match-user-prefix" : "match-user-regex") + "; one user condition per route");
    }
    boolean registered = route.hasPath("registered")
        && get(key + ".registered", () -> route.getBoolean("registered"));
    if (registered && !registrar) {
      throw new IllegalArgumentException(key + ".registered: the route sends calls to registered"
          + " Contacts, but tandem.registrar.enabled is false");
    }
    RoutingDecision.Reject reject = null;
    if (route.hasPath("reject")) {
      for (String other : List.of("carriers", "group", "registered", "dial", "from-user", "from-display",
          "p-asserted-identity", "headers", "max-attempts")) {
        if (route.hasPath(other)) {
          throw new IllegalArgumentException(key + "." + other + ": a route with reject sends no call on");
        }
      }
      reject = RouteBlocks.reject(get(key + ".reject", () -> route.getConfig("reject")), key + ".reject");
    }
    CarrierGroup group = null;
    if (route.hasPath("group")) {
      if (route.hasPath("carriers")) {
        throw new IllegalArgumentException(key + ".group: the route also lists carriers; name a group or"
            + " list carriers, not both");
      }
      String groupName = string(route, "group", key);
      group = groups.get(groupName);
      if (group == null) {
        throw new IllegalArgumentException(key + ".group: unknown group '" + groupName + "' (not in "
            + PATH + ".groups " + groups.keySet() + ")");
      }
    }
    List<String> names = route.hasPath("carriers") || (!registered && group == null && reject == null)
        ? get(key + ".carriers", () -> route.getStringList("carriers")) : List.of();
    if (names.isEmpty() && !registered && group == null && reject == null) {
      throw new IllegalArgumentException(key + ".carriers: a route needs at least one carrier");
    }
    List<Destination> destinations = new ArrayList<>();
    for (String carrier : names) {
      Destination d = carriers.get(carrier);
      if (d == null) {
        throw new IllegalArgumentException(key + ".carriers: unknown carrier '" + carrier
            + "' (not in " + PATH + ".carriers " + carriers.keySet() + ")");
      }
      destinations.add(d);
    }
    HuntPolicy hunt = huntPolicy(route, key);
    TransferPolicy transfer = TransferPolicy.ACT;
    if (route.hasPath("transfer")) {
      String value = string(route, "transfer", key);
      try {
        transfer = TransferPolicy.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + ".transfer: '" + value + "' is not act, pass or refuse");
      }
    }
    boolean authenticate = route.hasPath("authenticate")
        && get(key + ".authenticate", () -> route.getBoolean("authenticate"));
    Pattern userRegex = match.userRegex() != null ? match.userRegex() : pattern;
    RouteActions actions = RouteBlocks.actions(route, key,
        userRegex == null ? 0 : userRegex.matcher("").groupCount(), RouteMatch.groupNames(userRegex));
    int maxAttempts = route.hasPath("max-attempts") ? nonNegative(route, "max-attempts", key + ".max-attempts") : 0;
    List<String> bodyTypes = !route.hasPath("accept-body-types") ? List.of()
        : get(key + ".accept-body-types", () -> route.getStringList("accept-body-types")).stream()
            .map(t -> io.tandem.call.CallSettings.bodyType(t, key + ".accept-body-types")).toList();
    return new RouteRule(prefix, pattern, name, destinations, hunt, registered, transfer, authenticate,
        match, actions, group, reject, maxAttempts, bodyTypes);
  }

  /** The route's hunt policy: each key it leaves out takes {@link HuntPolicy#DEFAULTS}'. */
  private static HuntPolicy huntPolicy(Config route, String key) {
    HuntPolicy d = HuntPolicy.DEFAULTS;
    Set<Integer> huntOn = d.huntOn();
    if (route.hasPath("hunt-on")) {
      huntOn = new HashSet<>(get(key + ".hunt-on", () -> route.getIntList("hunt-on")));
      for (int status : huntOn) {
        if (status < 300 || status > 699) {
          throw new IllegalArgumentException(key + ".hunt-on: " + status
              + " is not a final status to hunt on (300-699)");
        }
        if (status >= 600) {
          throw new IllegalArgumentException(key + ".hunt-on: " + status
              + " is a 6xx, a global failure that never hunts (RFC 3261 section 16.7 step 5)");
        }
      }
    }
    boolean follow = route.hasPath("follow-redirects")
        ? get(key + ".follow-redirects", () -> route.getBoolean("follow-redirects"))
        : d.followRedirects();
    int maxRedirects = route.hasPath("max-redirects")
        ? nonNegative(route, "max-redirects", key + ".max-redirects") : d.maxRedirects();
    Duration provisional = positiveDuration(route, "provisional-timeout", key);
    Duration ring = positiveDuration(route, "ring-timeout", key);
    Map<Integer, Integer> relayAs = new HashMap<>();
    if (route.hasPath("relay-as")) {
      Config map = get(key + ".relay-as", () -> route.getConfig("relay-as"));
      for (Map.Entry<String, ConfigValue> e : map.root().entrySet()) {
        String from = e.getKey();
        String path = key + ".relay-as." + from;
        int to = get(path, () -> map.getInt(com.typesafe.config.ConfigUtil.quoteString(from)));
        if (!from.matches("[3-6][0-9][0-9]") || to < 300 || to > 699) {
          throw new IllegalArgumentException(path + ": maps a final status (300-699) to another, not "
              + from + " to " + to);
        }
        relayAs.put(Integer.parseInt(from), to);
      }
    }
    boolean anyHost = route.hasPath("redirect-to-any-host")
        && get(key + ".redirect-to-any-host", () -> route.getBoolean("redirect-to-any-host"));
    return new HuntPolicy(huntOn, follow, maxRedirects, provisional, ring, relayAs, anyHost);
  }

  private static Duration positiveDuration(Config route, String name, String key) {
    if (!route.hasPath(name)) {
      return null;
    }
    Duration d = get(key + "." + name, () -> route.getDuration(name));
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(key + "." + name + " must be positive, not " + d);
    }
    return d;
  }

  static Pattern pattern(String regex, String key) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(key + ": invalid regex '" + regex + "': "
          + e.getDescription());
    }
  }

  /**
   * The address an IPv4 or IPv6 literal (brackets allowed) spells, or null for anything else:
   * routing resolves no names, so a Call never waits on DNS.
   */
  static InetAddress ipLiteral(String text) {
    String h = text.startsWith("[") && text.endsWith("]")
        ? text.substring(1, text.length() - 1) : text;
    boolean v4 = h.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
        + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    boolean v6 = h.indexOf(':') >= 0 && h.matches("[0-9A-Fa-f:.]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(h); // a literal, checked above: parsed, never looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }

  static void onlyKnownKeys(Config entry, Set<String> known, String key) {
    for (String k : entry.root().keySet()) {
      if (!known.contains(k)) {
        throw new IllegalArgumentException(key + "." + k + ": unknown key '" + k + "' (known: "
            + known.stream().sorted().toList() + ")");
      }
    }
  }

  static Config asObject(ConfigValue value, String key) {
    if (value.valueType() != ConfigValueType.OBJECT) {
      throw new IllegalArgumentException(key + ": a carrier is an object { address = ..., port = "
          + "..., transport = ... }, not '" + value.unwrapped() + "'");
    }
    return ((ConfigObject) value).toConfig();
  }

  static String string(Config entry, String name, String key) {
    return get(key + "." + name, () -> entry.getString(name).trim());
  }

  static int nonNegative(Config entry, String name, String key) {
    int value = get(key, () -> entry.getInt(name));
    if (value < 0) {
      throw new IllegalArgumentException(key + " must not be negative: " + value);
    }
    return value;
  }

  /** Runs a read of {@code key}, turning a missing or mistyped value into an error naming it. */
  static <T> T get(String key, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }
}
