package io.tandem.routing;

import io.tandem.sip.message.SipRequest;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The routing SPI a Call asks, once per incoming INVITE, where the call goes.
 *
 * <p>Implementations are pure and thread-safe: many Calls ask the same policy at once, and the
 * answer depends on the request only.
 */
public interface RoutingPolicy {
  /**
   * The decision for {@code invite}, an out-of-dialog INVITE received on leg A: the carriers to
   * try in order, or the final status to refuse it with. Never null.
   */
  RoutingDecision route(SipRequest invite);

  /**
   * The configured carriers at {@code address} (their IP address and port; one per transport
   * at most, in configuration order): a redirect may send a call to one. None by default.
   */
  default List<Destination> carriersAt(InetSocketAddress address) {
    return List.of();
  }
}
