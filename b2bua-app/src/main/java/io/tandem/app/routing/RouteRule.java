package io.tandem.app.routing;

import io.tandem.routing.RoutingDecision;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of {@code tandem.routing.routes}: which Request-URI users it matches, and the
 * decision for them (built once, when the configuration is read).
 *
 * @param userPrefix the user part must start with this, or null
 * @param userRegex the whole user part must match this, or null
 * @param decision what the route answers for a matching call
 * @param authenticate whether callers must pass Digest authentication ({@code tandem.auth})
 */
record RouteRule(String userPrefix, Pattern userRegex, RoutingDecision.Route decision, boolean authenticate) {

  RouteRule {
    Objects.requireNonNull(decision, "decision");
    if (userPrefix != null && userRegex != null) {
      throw new IllegalArgumentException("route " + decision.name() + " has two match keys");
    }
  }

  /** Whether the route takes a call to {@code user} (null: a Request-URI without a user). */
  boolean matches(String user) {
    if (userPrefix == null && userRegex == null) {
      return true;
    }
    if (user == null) {
      return false;
    }
    return userPrefix != null ? user.startsWith(userPrefix) : userRegex.matcher(user).matches();
  }
}
