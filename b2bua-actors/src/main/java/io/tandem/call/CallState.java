package io.tandem.call;

import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * An answered call as a plain value: everything a node needs to bring the call back when the
 * node that held it is gone (DESIGN section 11). Its two legs' dialogs ({@link LegState}), the
 * pairing (which leg B answered, toward which carrier), what routing a transfer needs of leg
 * A's INVITE, the deadline of its maximum duration as an instant, and what its call detail
 * record reports. A {@link CallStore} keeps it on other nodes before leg A gets its 2xx.
 *
 * @param aRouting leg A's INVITE as routing reads it ({@link LegMessages#routingView}), rendered
 * @param route the route's name
 * @param transferPolicy what the call does with a REFER ({@link io.tandem.routing.TransferPolicy} name)
 * @param aParty, bParty who each peer is, as the other side may be told (a transfer's From)
 * @param legB the number of the attempt that answered (in its leg-B Call-ID)
 * @param carrierTarget the attempt's Request-URI when routing gave one (a registered Contact), or null
 * @param startedAtMs, answeredAtMs when leg A's INVITE came and when it was answered, epoch ms
 * @param endsAtMs when the call's maximum duration ends it, epoch ms; 0 for no maximum
 * @param source, fromUser, toUser leg A's source and users, for the call detail record
 * @param bFromUser, bToUser leg B's users as the carrier got them
 */
public record CallState(CallKey key, String aCallId, boolean aReliable, boolean aOffered, String aRouting,
    String route, String transferPolicy, String aParty, LegState a,
    int legB, String carrier, TransportProtocol carrierTransport, InetSocketAddress carrierAddress,
    String carrierTarget, String bParty, LegState b,
    long startedAtMs, long answeredAtMs, long endsAtMs,
    String source, String fromUser, String toUser, String bFromUser, String bToUser) {

  public CallState {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(aCallId, "aCallId");
    Objects.requireNonNull(aRouting, "aRouting");
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    Objects.requireNonNull(carrier, "carrier");
    Objects.requireNonNull(carrierTransport, "carrierTransport");
    Objects.requireNonNull(carrierAddress, "carrierAddress");
  }
}
