package io.tandem.app.routing;

import io.tandem.routing.Destination;
import java.util.List;

/**
 * Where the registrar says a user can be reached: the destinations of a route with
 * {@code registered = true}. Implemented over the registrar's location service, which many
 * Calls read at once, so implementations are thread-safe and never block.
 */
@FunctionalInterface
public interface RegisteredContacts {
  /**
   * The live Contacts bound to the address-of-record named {@code user}, most preferred first
   * (highest q), each a destination whose Request-URI is the Contact; empty when none.
   */
  List<Destination> destinations(String user);
}
