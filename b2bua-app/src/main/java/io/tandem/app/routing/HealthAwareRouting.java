package io.tandem.app.routing;

import io.tandem.health.CarrierHealth;
import io.tandem.routing.Destination;
import io.tandem.routing.RoutingDecision;
import io.tandem.routing.RoutingPolicy;
import io.tandem.sip.message.SipRequest;
import java.util.List;

/**
 * Routing without the carriers their OPTIONS probes found down (DESIGN section 6): a route's
 * destinations less the down ones, in the same order; when none is left, 503 Service
 * Unavailable, as if every carrier had refused (RFC 3261 section 21.5.4).
 */
public final class HealthAwareRouting implements RoutingPolicy {
  static final RoutingDecision.Reject ALL_DOWN = new RoutingDecision.Reject(503, "Service Unavailable");

  private final RoutingPolicy routing;
  private final CarrierHealth health;

  public HealthAwareRouting(RoutingPolicy routing, CarrierHealth health) {
    this.routing = routing;
    this.health = health;
  }

  @Override
  public List<Destination> carriersAt(java.net.InetSocketAddress address) {
    return routing.carriersAt(address).stream().filter(d -> health.isUp(d.carrier())).toList();
  }

  @Override
  public RoutingDecision route(SipRequest invite) {
    RoutingDecision decision = routing.route(invite);
    if (!(decision instanceof RoutingDecision.Route route)) {
      return decision;
    }
    List<Destination> up = route.destinations().stream().filter(d -> health.isUp(d.carrier())).toList();
    if (up.size() == route.destinations().size()) {
      return route;
    }
    return up.isEmpty() ? ALL_DOWN : route.withDestinations(up);
  }
}
