package io.tandem.call;

import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.TransactionUser;
import io.tandem.transport.Peer;

/**
 * The protocol between a {@link Call} and its legs: {@link UasLeg} (leg A, where Tandem
 * answered the caller's INVITE) and {@link UacLeg} (each INVITE Tandem sends: a leg-B attempt,
 * a transfer target). A leg owns one dialog and its transactions; it never knows the call that
 * pairs it. Commands flow down from the call, events flow up; both are plain values (SIP
 * messages, numbers, strings), so that a cluster can carry them.
 *
 * <pre>
 *   Call --Respond/Relay/RelayAnswer/Ack/Cancel/HangUp...--> leg
 *   leg  --Progressed/Answered/Refused/RequestReceived/RelayAnswered/ByeReceived...--> Call
 *   the call's Call-ID routing --TransactionEvent (a request, an ACK, a CANCEL)--> leg
 * </pre>
 *
 * <p>Legs are numbered within their call: 0 is leg A, 1 and on the INVITEs Tandem sent, in
 * order (the number is in each such leg's Call-ID). Requests a leg hands up carry an id of the
 * leg's ({@code txId}); requests the call has a leg send carry an id of the call's ({@code
 * relayId}).
 */
final class Leg {
  private Leg() {}

  /** What a leg accepts: its call's commands, its transactions' events, its own timers. */
  interface Command extends TransactionUser {}

  /** The number of leg A. */
  static final int LEG_A = 0;

  // ---- to leg A (UasLeg), while its INVITE has no final ------------------------------------

  /**
   * Answer the caller's INVITE with {@code status}: the other leg's {@code fromOther} relayed
   * (its reason, body and copied headers; its status unless the call maps it), or with none a
   * final of Tandem's own. Leg A builds it with its identifiers; a 2xx makes its dialog. With
   * {@code reliable} not null a provisional goes reliably (RFC 3262), and the PRACK that
   * acknowledges it comes up as {@link PrackReceived} naming {@code reliable}.
   */
  record Respond(SipResponse fromOther, int status, PrackOf reliable) implements Command {}

  /** The leg-B provisional a reliable provisional to leg A stands for (RFC 3262, per leg RSeq). */
  record PrackOf(int leg, long rseq, long cseq) {}

  // ---- to a UacLeg, while its INVITE has no final -------------------------------------------

  /** Section 9.1: cancel the INVITE, now or once a provisional came; its 2xx, if one comes, is hung up. */
  record Cancel() implements Command {}

  /** The call no longer wants this attempt: no retry, and a 2xx that comes is ACKed and hung up. */
  record Abandon() implements Command {}

  /**
   * PRACK the reliable provisional with {@code rseq} (RFC 3262 section 7.2) in the early
   * dialog, with the body of {@code fromA}, leg A's PRACK, if any; its answer comes up as
   * {@link RelayAnswered} for {@code relayId} (none when {@code relayId} is 0: Tandem's own).
   */
  record Prack(long rseq, long cseq, SipRequest fromA, int relayId) implements Command {}

  // ---- to either leg ------------------------------------------------------------------------

  /**
   * ACK the 2xx of the INVITE the call had this leg send: the leg's first INVITE (a late
   * offer: {@code relayId} 0) or the re-INVITE relayed as {@code relayId}, with the body of
   * the other leg's ACK.
   */
  record Ack(int relayId, SipRequest fromOther) implements Command {}

  /**
   * The call's state as this leg's 2xx made it is kept (or needs no keeping): the 2xx's ACK,
   * which a leg whose call is replicated holds until then, may go.
   */
  record Kept() implements Command {}

  /** Send {@code fromOther}, a request from the other leg, within this leg's dialog. */
  record Relay(int relayId, SipRequest fromOther) implements Command {}

  /** Answer the request the leg handed up as {@code txId} with the other leg's {@code answer}. */
  record RelayAnswer(int txId, SipResponse answer) implements Command {}

  /** Answer the request the leg handed up as {@code txId} with {@code response}, as it is. */
  record Reply(int txId, SipResponse response) implements Command {}

  /** A NOTIFY of a REFER's implicit subscription (RFC 3515 section 2.4.4) within the dialog. */
  record Notify(int relayId, long eventId, int status, String state) implements Command {}

  /** A re-INVITE offering the SDP of {@code offer} (a transfer's re-pairing), ACKed by the leg. */
  record Reoffer(int relayId, SipResponse offer) implements Command {}

  /** End the dialog: BYE (after the ACK it owes, if any); the leg stops once the BYE has its answer. */
  record HangUp() implements Command {}

  // ---- from the legs to their call ----------------------------------------------------------

  /**
   * A UacLeg's first provisional, and each later one above 100 (a retransmitted reliable one is
   * not handed up again). A reliable one waits for the call's {@link Prack}.
   */
  record Progressed(int leg, SipResponse provisional, boolean reliable) implements Call.Command {}

  /** A UacLeg sent its INVITE again (credentials, a longer session): its provisional timer starts over. */
  record Retried(int leg) implements Call.Command {}

  /**
   * A UacLeg's 2xx: its dialog is confirmed and ACKed, unless the call owes it a late-offer ACK;
   * {@code state} is the dialog as a value when the call is to be kept ({@link CallStore}), else null.
   */
  record Answered(int leg, SipResponse ok, DialogView dialog, LegState state) implements Call.Command {}

  /**
   * A UacLeg's INVITE failed: its final (after any challenge or 422 it answered itself), or for
   * a timeout (408, {@code failure} "timeout") or a transport error (503, "transport") none.
   */
  record Refused(int leg, int status, SipResponse response, String failure) implements Call.Command {}

  /** Leg A's caller cancelled (section 9.2): the INVITE is answered 487. */
  record Cancelled(int leg) implements Call.Command {}

  /** Leg A's 2xx is sent: its dialog. */
  record Confirmed(int leg, DialogView dialog) implements Call.Command {}

  /** Leg A's caller acknowledged its 2xx; {@code ack} carries the answer of a late offer. */
  record Acked(int leg, SipRequest ack) implements Call.Command {}

  /** Leg A's 2xx got no ACK within 64*T1 (section 13.3.1.4). */
  record AckTimedOut(int leg) implements Call.Command {}

  /** Leg A's caller sent PRACK for the reliable provisional that stood for {@code of}. */
  record PrackReceived(int leg, PrackOf of, SipRequest prack, int txId) implements Call.Command {}

  /** A request within the dialog for the call to act on or relay, to be answered as {@code txId}. */
  record RequestReceived(int leg, SipRequest request, int txId) implements Call.Command {}

  /** The ACK of the 2xx the leg gave the re-INVITE it handed up as {@code txId}. */
  record ReInviteAcked(int leg, int txId, SipRequest ack) implements Call.Command {}

  /** The peer hung up; its BYE is answered. */
  record ByeReceived(int leg) implements Call.Command {}

  /**
   * The answer to what the call had the leg send as {@code relayId} ({@link Relay}, {@link
   * Prack}, {@link Notify}, {@link Reoffer}): a final, a provisional of a relayed request, or
   * for a timeout (408) or transport error (503) one the leg made up.
   */
  record RelayAnswered(int leg, int relayId, SipResponse answer) implements Call.Command {}

  /** RFC 4028 section 10: the leg's session expired, or a refresh of it failed (408, 481). */
  record SessionEnded(int leg) implements Call.Command {}

  /** A leg's actor stopped. */
  record Stopped(int leg) implements Call.Command {}

  /**
   * A leg's dialog as its call may need it: to find it by a Replaces (RFC 3891), and to send
   * its peer an INVITE that replaces it.
   */
  record DialogView(String callId, String local, String remote, String remoteTarget, Peer destination) {
    String localTag() {
      return NameAddr.parse(local).tag().orElse("");
    }

    String remoteTag() {
      return NameAddr.parse(remote).tag().orElse("");
    }
  }
}
