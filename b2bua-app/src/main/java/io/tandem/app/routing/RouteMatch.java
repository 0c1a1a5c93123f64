package io.tandem.app.routing;

import io.tandem.app.auth.Cidr;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A route's {@code match} block (DESIGN section 6): conditions on the INVITE, all optional and
 * all required (ANDed); a block with none matches every call. Each regex must match the whole
 * value. The user regex's groups are the captures the route's actions use.
 *
 * @param userRegex the Request-URI user, or null
 * @param hostRegex the Request-URI host, or null
 * @param fromUserRegex the From URI user, or null
 * @param toUserRegex the To URI user, or null
 * @param sources the networks the INVITE may come from (any one), empty for any source
 * @param headers per header name, a regex one of its values must match (absent header: no match)
 * @param time when the route is open, or null for always
 */
record RouteMatch(Pattern userRegex, Pattern hostRegex, Pattern fromUserRegex, Pattern toUserRegex,
    List<Cidr> sources, Map<String, Pattern> headers, TimeWindow time) {

  /** The match block of a route without one. */
  static final RouteMatch ANY = new RouteMatch(null, null, null, null, List.of(), Map.of(), null);

  private static final Pattern GROUP_NAME = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>");

  RouteMatch {
    sources = List.copyOf(sources);
    headers = Map.copyOf(headers);
  }

  /**
   * The captures when {@code facts} match at {@code now}: the built-in values
   * ({@link Template#BUILT_IN}) and the user regex's groups by number and by name ("" for a group
   * that took no part); null when a condition fails.
   */
  Map<String, String> captures(CallFacts facts, Instant now) {
    Matcher user = null;
    if (userRegex != null) {
      if (facts.user() == null || !(user = userRegex.matcher(facts.user())).matches()) {
        return null;
      }
    }
    if (!whole(hostRegex, facts.host()) || !whole(fromUserRegex, facts.fromUser())
        || !whole(toUserRegex, facts.toUser())) {
      return null;
    }
    if (!sources.isEmpty()
        && (facts.source() == null || sources.stream().noneMatch(c -> c.contains(facts.source())))) {
      return null;
    }
    for (Map.Entry<String, Pattern> h : headers.entrySet()) {
      if (facts.headers().apply(h.getKey()).stream().noneMatch(v -> h.getValue().matcher(v.trim()).matches())) {
        return null;
      }
    }
    if (time != null && !time.contains(now)) {
      return null;
    }
    Map<String, String> captures = builtIn(facts);
    if (user != null) {
      addGroups(userRegex, user, captures);
    }
    return captures;
  }

  /** The values every template may use, whatever the route matched on. */
  static Map<String, String> builtIn(CallFacts facts) {
    Map<String, String> values = new HashMap<>();
    values.put("user", facts.user() == null ? "" : facts.user());
    values.put("host", facts.host() == null ? "" : facts.host());
    values.put("from", facts.fromUser() == null ? "" : facts.fromUser());
    values.put("to", facts.toUser() == null ? "" : facts.toUser());
    return values;
  }

  /** Adds the groups of {@code matched}, a successful match of {@code regex}, by number and name. */
  static void addGroups(Pattern regex, Matcher matched, Map<String, String> captures) {
    for (int i = 0; i <= matched.groupCount(); i++) {
      String g = matched.group(i);
      captures.put(Integer.toString(i), g == null ? "" : g);
    }
    for (String name : groupNames(regex)) {
      String g = matched.group(name);
      captures.put(name, g == null ? "" : g);
    }
  }

  /** The named groups of {@code regex} (Java 17 has no API for them: read from the source). */
  static Set<String> groupNames(Pattern regex) {
    Set<String> names = new LinkedHashSet<>();
    if (regex != null) {
      Matcher m = GROUP_NAME.matcher(regex.pattern());
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static boolean whole(Pattern regex, String value) {
    return regex == null || (value != null && regex.matcher(value).matches());
  }
}
