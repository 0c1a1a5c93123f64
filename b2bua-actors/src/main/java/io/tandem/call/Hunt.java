package io.tandem.call;

import io.tandem.routing.BestResponse;
import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.LegBRewrite;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.RoutingPolicy;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.transport.IpLiteral;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The destinations one call tries in turn, the redirects it follows, and the finals it
 * collects on the way, from which leg A gets the best when all fail (RFC 3261 section 16.7).
 */
final class Hunt {
  /** A destination, the user part to dial there, and the route's changes to leg B's INVITE. */
  record Target(Destination destination, String user, LegBRewrite rewrite) {
    Target(Destination destination, String user) {
      this(destination, user, LegBRewrite.NONE);
    }
  }

  private final HuntPolicy policy;
  private final List<Target> targets = new ArrayList<>();
  private final List<Integer> finals = new ArrayList<>();
  private int next;
  private final LegBRewrite rewrite;
  private int redirects;

  /**
   * The hunt through {@code route}'s destinations, dialling {@code user} at each, or the
   * route's {@code dial} when it sets one.
   */
  Hunt(RoutingDecision.Route route, String user) {
    this.policy = route.hunt();
    this.rewrite = route.rewrite();
    route.destinations().forEach(d -> targets.add(new Target(d, rewrite.dialOr(user), rewrite)));
  }

  /** The route's hunt policy (timeouts, statuses relayed as others). */
  HuntPolicy policy() {
    return policy;
  }

  /** How many destinations were taken so far. */
  int position() {
    return next;
  }

  /** A hunt brought back on another node: the first {@code taken} destinations were tried there. */
  void skip(int taken) {
    next = Math.min(Math.max(taken, 0), targets.size());
  }

  /** The next destination to try, if any is left. */
  Optional<Target> next() {
    return next < targets.size() ? Optional.of(targets.get(next++)) : Optional.empty();
  }

  /**
   * A final from the current destination, or the status a failure counts as (408 for a
   * timeout, 503 for a transport error or a carrier at its limit): what the hunt does next.
   * REDIRECT only while redirects are left to follow.
   */
  HuntPolicy.Outcome onFinal(int status) {
    finals.add(status);
    HuntPolicy.Outcome outcome = policy.onFinal(status);
    if (outcome == HuntPolicy.Outcome.REDIRECT && redirects >= policy.maxRedirects()) {
      return HuntPolicy.Outcome.STOP;
    }
    return outcome;
  }

  /**
   * A carrier's 401/407 that Tandem could not answer, or that refused its credentials: the
   * call moves on whatever hunt-on says (the credentials are Tandem's, not the caller's, so the
   * caller could not do better), and it counts as 403 for the best response, since a 401/407
   * relayed to leg A would ask the caller for credentials Tandem would not use.
   */
  HuntPolicy.Outcome onChallengeNotAnswered() {
    finals.add(403);
    return HuntPolicy.Outcome.HUNT;
  }

  /** Counts a failure that always moves on (timeout, transport error, carrier at its limit). */
  void failed(int status) {
    finals.add(status);
  }

  /**
   * Puts what the Contacts of {@code redirect} (a 301 or 302 from {@code from}) may reach next
   * in line, dialling each Contact's user (or {@code user} when it has none); false when none
   * may be reached. A redirect is a route change the carrier asks for, so a Contact goes only
   * where routing allows: to the configured carrier at its address; else, when it names a
   * user, where {@code routing} sends {@code invite} dialled to that user (a route's own
   * carriers and changes); to any other host only with the route's redirect-to-any-host.
   */
  boolean redirect(SipResponse redirect, Destination from, String user, RoutingPolicy routing, SipRequest invite) {
    List<Target> found = new ArrayList<>();
    for (NameAddr contact : redirect.contacts()) {
      if (!(contact.uri() instanceof SipUri uri)) {
        continue; // a tel: or other URI names no host to try
      }
      String dialled = uri.user() == null ? rewrite.dialOr(user) : uri.user();
      Optional<InetSocketAddress> at = IpLiteral.parse(uri.host()).map(ip -> new InetSocketAddress(ip, uri.portOrDefault()));
      Optional<TransportProtocol> asked = uri.transport().flatMap(TransportProtocol::fromVia);
      List<Destination> carriers = at.map(routing::carriersAt).orElse(List.of());
      Optional<Destination> carrier = carriers.stream().filter(d -> asked.isEmpty() || d.transport() == asked.get())
          .findFirst();
      if (carrier.isPresent()) {
        found.add(new Target(carrier.get(), dialled, rewrite));
      } else if (at.isPresent() && policy.redirectAnyHost()) {
        TransportProtocol protocol = asked.orElse(from.transport());
        found.add(new Target(new Destination(from.carrier(), protocol, at.get()), dialled, rewrite));
      } else if (uri.user() != null && invite.requestUri() instanceof SipUri dialledUri
          && routing.route(invite.toBuilder().requestUri(dialledUri.withUser(uri.user())).build())
              instanceof RoutingDecision.Route route) {
        route.destinations().forEach(d -> found.add(new Target(d, route.rewrite().dialOr(uri.user()), route.rewrite())));
      }
    }
    targets.addAll(next, found);
    if (!found.isEmpty()) {
      redirects++;
    }
    return !found.isEmpty();
  }

  /** The final leg A gets when every destination failed. */
  int best() {
    return BestResponse.choose(finals);
  }

  List<Integer> finals() {
    return List.copyOf(finals);
  }
}
