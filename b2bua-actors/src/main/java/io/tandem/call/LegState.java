package io.tandem.call;

import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * One leg's confirmed dialog as a plain value (RFC 3261 section 12): what a {@link Dialog}
 * must be made again from on another node, when the call is brought back there
 * ({@link CallState}). No whole message: identities as their header text, the route set, where
 * requests go when the route names no IP address, and Tandem's CSeq space.
 *
 * @param callId the dialog's Call-ID
 * @param local Tandem's side, with its tag: From of what Tandem sends (a name-addr's text)
 * @param remote the peer's side, with its tag: To of what Tandem sends
 * @param remoteTarget the peer's Contact URI
 * @param routeSet the route set, in the order requests carry it
 * @param fallbackProtocol, fallbackAddress where requests go when the route set and the remote
 *     target name no IP address (the INVITE's source on leg A, the carrier on leg B)
 * @param localCseq the CSeq of the last request Tandem sent in the dialog
 * @param inviteCseq the CSeq of the INVITE that made the dialog (its ACK repeats it)
 * @param session the leg's RFC 4028 session timer, or null when it runs none
 * @param sdpType, sdp the session description Tandem sent last in the dialog, or null
 */
public record LegState(String callId, String local, String remote, String remoteTarget, List<String> routeSet,
    TransportProtocol fallbackProtocol, InetSocketAddress fallbackAddress, long localCseq, long inviteCseq,
    Session session, String sdpType, byte[] sdp) {

  /** What the leg's session timer agreed: the interval and who refreshes (RFC 4028). */
  public record Session(long interval, boolean tandemRefreshes, boolean peerAllowsUpdate, boolean updateRefused) {}

  /** This leg with Tandem's CSeq moved on by {@code step}, as a dialog brought back numbers on. */
  public LegState cseqMovedOn(long step) {
    return new LegState(callId, local, remote, remoteTarget, routeSet, fallbackProtocol, fallbackAddress,
        localCseq + step, inviteCseq, session, sdpType, sdp);
  }

  public LegState {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(local, "local");
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(remoteTarget, "remoteTarget");
    Objects.requireNonNull(fallbackProtocol, "fallbackProtocol");
    Objects.requireNonNull(fallbackAddress, "fallbackAddress");
    routeSet = List.copyOf(routeSet);
    if ((sdpType == null) != (sdp == null)) {
      throw new IllegalArgumentException("an SDP needs both its type and its body");
    }
  }
}
