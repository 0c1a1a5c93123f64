package io.tandem.app.routing;

import static io.tandem.app.routing.RoutingConfig.get;
import static io.tandem.app.routing.RoutingConfig.nonNegative;
import static io.tandem.app.routing.RoutingConfig.onlyKnownKeys;
import static io.tandem.app.routing.RoutingConfig.pattern;
import static io.tandem.app.routing.RoutingConfig.string;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.tandem.app.auth.Cidr;
import io.tandem.routing.Destination;
import io.tandem.routing.RoutingDecision;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and checks the richer parts of a route (DESIGN section 6) for {@link RoutingConfig}:
 * its {@code match} block, its actions on leg B, its {@code reject}, and the carrier
 * {@code groups}. Errors are IllegalArgumentExceptions starting with the config path.
 */
final class RouteBlocks {
  /** Headers a route may not add or remove: Tandem builds them, and the dialog depends on them. */
  private static final Set<String> OWN_HEADERS = Set.of("via", "v", "from", "f", "to", "t", "call-id", "i",
      "cseq", "contact", "m", "max-forwards", "content-length", "l", "content-type", "c", "route",
      "record-route");
  /** RFC 3261 section 25.1, token: what a header name is made of. */
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9.!%*_+`'~-]+");
  private static final Set<String> MATCH_KEYS = Set.of("user-regex", "host-regex", "from-user-regex",
      "to-user-regex", "source-cidr", "header", "time");
  private static final Set<String> TIME_KEYS = Set.of("days", "from", "to", "zone");
  private static final Set<String> HEADERS_KEYS = Set.of("add", "remove");
  private static final Set<String> REJECT_KEYS = Set.of("status", "reason");
  private static final Set<String> GROUP_KEYS = Set.of("carriers");
  private static final Set<String> MEMBER_KEYS = Set.of("name", "priority", "weight");

  private RouteBlocks() {}

  /** A route's {@code match} block. */
  static RouteMatch match(Config match, String key) {
    onlyKnownKeys(match, MATCH_KEYS, key);
    List<Cidr> sources = new ArrayList<>();
    if (match.hasPath("source-cidr")) {
      List<String> texts = get(key + ".source-cidr", () -> match.getStringList("source-cidr"));
      for (String text : texts) {
        try {
          sources.add(Cidr.parse(text));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(key + ".source-cidr: " + e.getMessage());
        }
      }
    }
    Map<String, Pattern> headers = new LinkedHashMap<>();
    if (match.hasPath("header")) {
      ConfigObject h = get(key + ".header", () -> match.getObject("header"));
      for (Map.Entry<String, ConfigValue> e : h.entrySet()) {
        String at = key + ".header." + e.getKey();
        headerName(e.getKey(), at);
        if (e.getValue().valueType() != ConfigValueType.STRING) {
          throw new IllegalArgumentException(at + ": a regex string, not '" + e.getValue().unwrapped() + "'");
        }
        headers.put(e.getKey(), pattern((String) e.getValue().unwrapped(), at));
      }
    }
    TimeWindow time = match.hasPath("time")
        ? time(get(key + ".time", () -> match.getConfig("time")), key + ".time") : null;
    return new RouteMatch(regex(match, "user-regex", key), regex(match, "host-regex", key),
        regex(match, "from-user-regex", key), regex(match, "to-user-regex", key), sources, headers, time);
  }

  private static TimeWindow time(Config time, String key) {
    onlyKnownKeys(time, TIME_KEYS, key);
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    if (time.hasPath("days")) {
      for (String day : get(key + ".days", () -> time.getStringList("days"))) {
        days.add(day(day, key + ".days"));
      }
    }
    LocalTime from = time.hasPath("from") ? clock(string(time, "from", key), key + ".from") : LocalTime.MIDNIGHT;
    LocalTime to = time.hasPath("to") ? clock(string(time, "to", key), key + ".to") : LocalTime.MIDNIGHT;
    ZoneId zone = ZoneId.of("UTC");
    if (time.hasPath("zone")) {
      String z = string(time, "zone", key);
      try {
        zone = ZoneId.of(z);
      } catch (DateTimeException e) {
        throw new IllegalArgumentException(key + ".zone: unknown time zone '" + z + "' (e.g. Europe/London, UTC)");
      }
    }
    return new TimeWindow(days, from, to, zone);
  }

  private static DayOfWeek day(String text, String key) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (DayOfWeek d : DayOfWeek.values()) {
      String full = d.name().toLowerCase(Locale.ROOT);
      if (t.equals(full) || t.equals(full.substring(0, 3))) {
        return d;
      }
    }
    throw new IllegalArgumentException(key + ": '" + text + "' is not a day (mon, tue, wed, thu, fri, sat, sun)");
  }

  private static LocalTime clock(String text, String key) {
    try {
      return LocalTime.parse(text);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(key + ": '" + text + "' is not a time of day HH:MM (e.g. 08:00)");
    }
  }

  private static Pattern regex(Config match, String name, String key) {
    return match.hasPath(name) ? pattern(string(match, name, key), key + "." + name) : null;
  }

  /**
   * A route's actions on leg B: {@code dial}, {@code from-user}, {@code from-display},
   * {@code p-asserted-identity} and {@code headers}, whose {@code ${...}} must name a capture of
   * a user regex with {@code groups} numbered groups and {@code names}, or a built-in value.
   */
  static RouteActions actions(Config route, String key, int groups, Set<String> names) {
    Template dial = template(route, "dial", key, groups, names);
    Template fromUser = template(route, "from-user", key, groups, names);
    Template fromDisplay = template(route, "from-display", key, groups, names);
    Template pai = template(route, "p-asserted-identity", key, groups, names);
    List<String> remove = new ArrayList<>();
    List<Map.Entry<String, Template>> add = new ArrayList<>();
    if (route.hasPath("headers")) {
      String at = key + ".headers";
      Config headers = get(at, () -> route.getConfig("headers"));
      onlyKnownKeys(headers, HEADERS_KEYS, at);
      if (headers.hasPath("remove")) {
        for (String name : get(at + ".remove", () -> headers.getStringList("remove"))) {
          remove.add(headerName(name.trim(), at + ".remove"));
        }
      }
      if (headers.hasPath("add")) {
        ConfigObject adds = get(at + ".add", () -> headers.getObject("add"));
        for (Map.Entry<String, ConfigValue> e : adds.entrySet()) {
          String where = at + ".add." + e.getKey();
          headerName(e.getKey(), where);
          if (e.getValue().valueType() == ConfigValueType.OBJECT || e.getValue().valueType() == ConfigValueType.LIST) {
            throw new IllegalArgumentException(where + ": a header value is text, not '" + e.getValue().unwrapped() + "'");
          }
          add.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(),
              template(String.valueOf(e.getValue().unwrapped()), where, groups, names)));
        }
      }
    }
    return new RouteActions(dial, fromUser, fromDisplay, pai, remove, add);
  }

  private static Template template(Config route, String name, String key, int groups, Set<String> names) {
    return route.hasPath(name) ? template(string(route, name, key), key + "." + name, groups, names) : null;
  }

  private static Template template(String text, String key, int groups, Set<String> names) {
    if (text.isEmpty() || text.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
      throw new IllegalArgumentException(key + ": '" + text + "' is empty or has control characters");
    }
    try {
      return Template.parse(text, groups, names);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage());
    }
  }

  private static String headerName(String name, String key) {
    if (!TOKEN.matcher(name).matches()) {
      throw new IllegalArgumentException(key + ": '" + name + "' is not a header name");
    }
    if (OWN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(key + ": '" + name + "' is Tandem's to build on leg B;"
          + " a route may not add or remove it");
    }
    return name;
  }

  /** A route's {@code reject}: a 300-699 status, and a reason (default the status's usual phrase). */
  static RoutingDecision.Reject reject(Config reject, String key) {
    onlyKnownKeys(reject, REJECT_KEYS, key);
    int status = get(key + ".status", () -> reject.getInt("status"));
    if (status < 300 || status > 699) {
      throw new IllegalArgumentException(key + ".status: " + status + " is not a final status to reject with (300-699)");
    }
    String reason = reject.hasPath("reason") ? string(reject, "reason", key)
        : io.tandem.sip.message.StatusCode.reasonPhrase(status);
    if (reason.isEmpty() || reason.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
      throw new IllegalArgumentException(key + ".reason: '" + reason + "' is empty or has control characters");
    }
    return new RoutingDecision.Reject(status, reason);
  }

  /** An entry of {@code tandem.routing.groups}: {@code carriers = [{ name, priority, weight }]}. */
  static CarrierGroup group(String name, ConfigValue value, String key, Map<String, Destination> carriers) {
    if (value.valueType() != ConfigValueType.OBJECT) {
      throw new IllegalArgumentException(key + ": a group is an object { carriers = [{ name = ..., priority = 1,"
          + " weight = 1 }] }, not '" + value.unwrapped() + "'");
    }
    Config group = ((ConfigObject) value).toConfig();
    onlyKnownKeys(group, GROUP_KEYS, key);
    List<? extends Config> entries = get(key + ".carriers", () -> group.getConfigList("carriers"));
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(key + ".carriers: a group needs at least one carrier");
    }
    List<CarrierGroup.Member> members = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      Config m = entries.get(i);
      String at = key + ".carriers[" + i + "]";
      onlyKnownKeys(m, MEMBER_KEYS, at);
      String carrier = string(m, "name", at);
      Destination d = carriers.get(carrier);
      if (d == null) {
        throw new IllegalArgumentException(at + ".name: unknown carrier '" + carrier + "' (not in "
            + "tandem.routing.carriers " + carriers.keySet() + ")");
      }
      int priority = m.hasPath("priority") ? nonNegative(m, "priority", at + ".priority") : 1;
      int weight = m.hasPath("weight") ? nonNegative(m, "weight", at + ".weight") : 1;
      if (weight < 1) {
        throw new IllegalArgumentException(at + ".weight: must be at least 1, not " + weight);
      }
      members.add(new CarrierGroup.Member(d, priority, weight));
    }
    return new CarrierGroup(name, members);
  }
}
