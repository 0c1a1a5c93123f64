package io.tandem.app.routing;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.TransferPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One entry of {@code tandem.routing.routes}: which Request-URI users it matches, and where it
 * sends them: its carriers, after the Contacts registered for the user when {@code registered}.
 *
 * @param userPrefix the user part must start with this, or null
 * @param userRegex the whole user part must match this, or null
 * @param name the route's name, for logs and CDRs
 * @param carriers the carriers to try in order (after the registered Contacts, if any)
 * @param hunt which finals move the call to the next destination (Contact or carrier)
 * @param registered whether the call first goes to the Contacts bound to the Request-URI user
 * @param transfer what an answered call does with a REFER
 * @param authenticate whether callers must pass Digest authentication ({@code tandem.auth})
 */
record RouteRule(String userPrefix, Pattern userRegex, String name, List<Destination> carriers,
    HuntPolicy hunt, boolean registered, TransferPolicy transfer, boolean authenticate) {

  /**
   * The answer when a registered user has no live binding and the route no carrier: RFC 3261
   * section 21.4.18, the callee is known but not reachable now (not logged in).
   */
  static final RoutingDecision.Reject NOT_REGISTERED =
      new RoutingDecision.Reject(480, "Temporarily Unavailable");

  RouteRule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(hunt, "hunt");
    Objects.requireNonNull(transfer, "transfer");
    carriers = List.copyOf(carriers);
    if (userPrefix != null && userRegex != null) {
      throw new IllegalArgumentException("route " + name + " has two match keys");
    }
    if (carriers.isEmpty() && !registered) {
      throw new IllegalArgumentException("route " + name + " has no destinations");
    }
  }

  /** A route to carriers only. */
  RouteRule(String userPrefix, Pattern userRegex, RoutingDecision.Route route) {
    this(userPrefix, userRegex, route.name(), route.destinations(), route.hunt(), false, route.transfer(), false);
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

  /**
   * Where a call to {@code user} goes: the Contacts {@code contacts} has for the user (when
   * {@code registered}), then the carriers; 480 when that leaves nothing.
   */
  RoutingDecision decide(String user, RegisteredContacts contacts) {
    if (!registered) {
      return new RoutingDecision.Route(name, carriers, hunt, transfer);
    }
    List<Destination> destinations = new ArrayList<>();
    if (user != null) {
      destinations.addAll(contacts.destinations(user));
    }
    destinations.addAll(carriers);
    return destinations.isEmpty() ? NOT_REGISTERED : new RoutingDecision.Route(name, destinations, hunt, transfer);
  }
}
