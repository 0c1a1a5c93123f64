package io.tandem.app.routing;

import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.LegBRewrite;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.TransferPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One entry of {@code tandem.routing.routes}: which calls it takes (the Request-URI user's
 * prefix or regex, and its {@code match} block), and what it does with them: a reject, or its
 * carriers (a list or a group), after the Contacts registered for the user when
 * {@code registered}, with its actions on leg B.
 *
 * @param userPrefix the user part must start with this, or null
 * @param userRegex the whole user part must match this, or null
 * @param name the route's name, for logs and CDRs
 * @param carriers the carriers to try in order (after the registered Contacts, if any)
 * @param hunt which finals move the call to the next destination (Contact or carrier)
 * @param registered whether the call first goes to the Contacts bound to the Request-URI user
 * @param transfer what an answered call does with a REFER
 * @param authenticate whether callers must pass Digest authentication ({@code tandem.auth})
 * @param match the route's {@code match} block ({@link RouteMatch#ANY} without one)
 * @param actions what it changes in leg B's INVITE
 * @param group the carrier group ordered per call in place of {@code carriers}, or null
 * @param reject the answer to every call it takes, in place of destinations, or null
 * @param maxAttempts the most destinations one call tries from the route's list (0: all)
 * @param bodyTypes the body types its calls may carry besides tandem.call.accepted-body-types
 */
record RouteRule(String userPrefix, Pattern userRegex, String name, List<Destination> carriers,
    HuntPolicy hunt, boolean registered, TransferPolicy transfer, boolean authenticate,
    RouteMatch match, RouteActions actions, CarrierGroup group, RoutingDecision.Reject reject,
    int maxAttempts, List<String> bodyTypes) {

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
    Objects.requireNonNull(match, "match");
    Objects.requireNonNull(actions, "actions");
    carriers = List.copyOf(carriers);
    bodyTypes = List.copyOf(bodyTypes);
    if (userPrefix != null && userRegex != null) {
      throw new IllegalArgumentException("route " + name + " has two match keys");
    }
    if (carriers.isEmpty() && group == null && reject == null && !registered) {
      throw new IllegalArgumentException("route " + name + " has no destinations");
    }
  }

  /** A route without match block, actions, group or reject. */
  RouteRule(String userPrefix, Pattern userRegex, String name, List<Destination> carriers,
      HuntPolicy hunt, boolean registered, TransferPolicy transfer, boolean authenticate) {
    this(userPrefix, userRegex, name, carriers, hunt, registered, transfer, authenticate,
        RouteMatch.ANY, RouteActions.NONE, null, null, 0, List.of());
  }

  /** A route to carriers only. */
  RouteRule(String userPrefix, Pattern userRegex, RoutingDecision.Route route) {
    this(userPrefix, userRegex, route.name(), route.destinations(), route.hunt(), false, route.transfer(), false);
  }

  /** Whether the route takes a call to {@code user} (null: a Request-URI without a user), match block aside. */
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
   * The captures when the route takes the call {@code facts} describes at {@code now}, its
   * {@code match-user-*} keys and its {@code match} block both; null when it does not.
   */
  Map<String, String> captures(CallFacts facts, Instant now) {
    if (!matches(facts.user())) {
      return null;
    }
    Map<String, String> captures = match.captures(facts, now);
    if (captures != null && userRegex != null) {
      Matcher m = userRegex.matcher(facts.user());
      m.matches();
      RouteMatch.addGroups(userRegex, m, captures);
    }
    return captures;
  }

  /**
   * Where a call goes: the route's reject; or the Contacts {@code contacts} has for
   * {@code user} (when {@code registered}), then the carriers (the group in the order
   * {@code random} draws), at most {@code maxAttempts} of them, with the actions filled in from
   * {@code captures}; 480 when that leaves nothing.
   */
  RoutingDecision decide(String user, RegisteredContacts contacts, Map<String, String> captures,
      DoubleSupplier random) {
    if (reject != null) {
      return reject;
    }
    List<Destination> destinations = new ArrayList<>();
    LegBRewrite rewrite = actions.apply(captures);
    if (registered && user != null) {
      // With dial, a trunk's numbers reach the PBX registered as that AOR (a DID route): each
      // Contact is dialled with the called number as its user, so the PBX sees what was dialled.
      String aor = rewrite.dial() != null ? rewrite.dial() : user;
      for (Destination d : contacts.destinations(aor)) {
        destinations.add(aor.equals(user) || d.target() == null ? d
            : new Destination(d.carrier(), d.transport(), d.address(), d.target().withUser(user)));
      }
    }
    destinations.addAll(group != null ? group.order(random) : carriers);
    if (maxAttempts > 0 && destinations.size() > maxAttempts) {
      destinations = destinations.subList(0, maxAttempts);
    }
    return destinations.isEmpty() ? NOT_REGISTERED
        : new RoutingDecision.Route(name, destinations, hunt, transfer, rewrite, bodyTypes);
  }
}
