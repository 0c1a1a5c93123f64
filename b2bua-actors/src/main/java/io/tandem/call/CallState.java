package io.tandem.call;

import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A call as a plain value, answered or ringing: everything a node needs to bring the call back
 * when the node that held it is gone (DESIGN section 11). An answered call keeps its two legs'
 * dialogs ({@link LegState}), the pairing (which leg B answered, toward which carrier), what
 * routing a transfer needs of leg A's INVITE, the deadline of its maximum duration as an
 * instant, and what its call detail record reports; a {@link CallStore} keeps it on other
 * nodes before leg A gets its 2xx. A ringing call ({@link Ringing}, kept before each leg-B
 * INVITE goes) has no dialogs yet: it keeps both INVITEs instead, leg A's to answer it, leg
 * B's to cancel it or acknowledge what the carrier answers, and how far its hunt had gone.
 *
 * @param aRouting leg A's INVITE as routing reads it ({@link LegMessages#routingView}),
 *     rendered; while ringing, the whole INVITE
 * @param route the route's name
 * @param transferPolicy what the call does with a REFER ({@link io.tandem.routing.TransferPolicy} name)
 * @param aParty, bParty who each peer is, as the other side may be told (a transfer's From)
 * @param a, b the legs' dialogs; null while ringing
 * @param legB the number of the attempt that answered, or rings (in its leg-B Call-ID)
 * @param carrierTarget the attempt's Request-URI when routing gave one (a registered Contact), or null
 * @param startedAtMs, answeredAtMs when leg A's INVITE came and when it was answered (0: not
 *     yet), epoch ms
 * @param endsAtMs when the call's maximum duration ends it, epoch ms; 0 for no maximum
 * @param source, fromUser, toUser leg A's source and users, for the call detail record
 * @param bFromUser, bToUser leg B's users as the carrier got them
 * @param aTag Tandem's To tag on leg A
 * @param ringing what a ringing call keeps; null once answered
 * @param answer what an answered call keeps of leg A's 2xx, to send it again; null while ringing
 *     (and in a state written before it was kept)
 */
public record CallState(CallKey key, String aCallId, boolean aReliable, boolean aOffered, String aRouting,
    String route, String transferPolicy, String aParty, LegState a,
    int legB, String carrier, TransportProtocol carrierTransport, InetSocketAddress carrierAddress,
    String carrierTarget, String bParty, LegState b,
    long startedAtMs, long answeredAtMs, long endsAtMs,
    String source, String fromUser, String toUser, String bFromUser, String bToUser,
    String aTag, Ringing ringing, Answer answer) {

  /**
   * What a ringing call keeps in place of its dialogs.
   *
   * @param bInvite leg B's INVITE as it went to the carrier, rendered
   * @param aProtocol, aSource where leg A's INVITE came from
   * @param huntNext how many of the route's destinations the hunt had taken
   */
  public record Ringing(String bInvite, TransportProtocol aProtocol, InetSocketAddress aSource, int huntNext) {
    public Ringing {
      Objects.requireNonNull(bInvite, "bInvite");
      Objects.requireNonNull(aProtocol, "aProtocol");
      Objects.requireNonNull(aSource, "aSource");
    }
  }

  /**
   * Leg A's 2xx as it went (rendered, one char per octet), and where leg A's INVITE came from:
   * the node that brings the call back soon after its answer sends it again until the caller's
   * ACK (RFC 3261 section 13.3.1.4), for a caller that may never have had it.
   */
  public record Answer(String ok, TransportProtocol aProtocol, InetSocketAddress aSource) {
    public Answer {
      Objects.requireNonNull(ok, "ok");
      Objects.requireNonNull(aProtocol, "aProtocol");
      Objects.requireNonNull(aSource, "aSource");
    }
  }

  /**
   * This call as its node brings it back: each dialog's CSeq moved on by {@code step}
   * ({@link Dialog#RESTORED_CSEQ_STEP}), so that a node bringing it back again numbers above
   * what this one sends.
   */
  public CallState cseqMovedOn(long step) {
    return new CallState(key, aCallId, aReliable, aOffered, aRouting, route, transferPolicy, aParty,
        a == null ? null : a.cseqMovedOn(step), legB, carrier, carrierTransport, carrierAddress, carrierTarget,
        bParty, b == null ? null : b.cseqMovedOn(step), startedAtMs, answeredAtMs, endsAtMs, source, fromUser,
        toUser, bFromUser, bToUser, aTag, ringing, answer);
  }

  public CallState {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(aCallId, "aCallId");
    Objects.requireNonNull(aRouting, "aRouting");
    Objects.requireNonNull(aTag, "aTag");
    Objects.requireNonNull(carrier, "carrier");
    Objects.requireNonNull(carrierTransport, "carrierTransport");
    Objects.requireNonNull(carrierAddress, "carrierAddress");
    if (ringing == null && (a == null || b == null)) {
      throw new IllegalArgumentException("an answered call has both dialogs");
    }
  }

  /** Leg B's Call-ID (the one Tandem made for attempt {@code legB}). */
  public String bCallId() {
    return b != null ? b.callId() : key.legBCallId(legB);
  }
}
