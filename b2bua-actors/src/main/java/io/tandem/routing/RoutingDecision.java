package io.tandem.routing;

import java.util.List;
import java.util.Objects;

/** The answer of a {@link RoutingPolicy} for one INVITE: where to send it, or how to refuse it. */
public sealed interface RoutingDecision {

  /**
   * Try the destinations in order.
   *
   * @param name the route's name, for logs and CDRs
   * @param destinations the carriers to try, first choice first; never empty
   * @param hunt which final responses move the call to the next destination
   * @param transfer what the call does with a REFER once answered
   * @param rewrite what the route changes in leg B's INVITE ({@link LegBRewrite#NONE}: nothing)
   * @param bodyTypes the body types its calls may carry besides tandem.call.accepted-body-types
   *     ("type/subtype", lower case)
   */
  record Route(String name, List<Destination> destinations, HuntPolicy hunt, TransferPolicy transfer,
      LegBRewrite rewrite, List<String> bodyTypes) implements RoutingDecision {
    public Route {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(hunt, "hunt");
      Objects.requireNonNull(transfer, "transfer");
      Objects.requireNonNull(rewrite, "rewrite");
      destinations = List.copyOf(destinations);
      bodyTypes = List.copyOf(bodyTypes);
      if (destinations.isEmpty()) {
        throw new IllegalArgumentException("route " + name + " has no destinations");
      }
    }

    /** A route whose calls carry the body types of tandem.call.accepted-body-types only. */
    public Route(String name, List<Destination> destinations, HuntPolicy hunt, TransferPolicy transfer,
        LegBRewrite rewrite) {
      this(name, destinations, hunt, transfer, rewrite, List.of());
    }

    /** The same route with other destinations (e.g. without the carriers that are down). */
    public Route withDestinations(List<Destination> others) {
      return new Route(name, others, hunt, transfer, rewrite, bodyTypes);
    }

    /** A route that leaves leg B's INVITE as the call settings build it. */
    public Route(String name, List<Destination> destinations, HuntPolicy hunt, TransferPolicy transfer) {
      this(name, destinations, hunt, transfer, LegBRewrite.NONE);
    }

    /** A route whose calls carry out transfers themselves ({@link TransferPolicy#ACT}). */
    public Route(String name, List<Destination> destinations, HuntPolicy hunt) {
      this(name, destinations, hunt, TransferPolicy.ACT);
    }
  }

  /**
   * Refuse the call with this final status (e.g. 404 when no route matches).
   *
   * @param status a final status, 300-699
   * @param reason the reason phrase
   */
  record Reject(int status, String reason) implements RoutingDecision {
    public Reject {
      Objects.requireNonNull(reason, "reason");
      if (status < 300 || status > 699) {
        throw new IllegalArgumentException("a reject needs a 3xx-6xx status, not " + status);
      }
    }
  }
}
