package io.tandem.call;

import io.tandem.sip.message.Replaces;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.Uri;
import io.tandem.transaction.TransactionKey;
import java.util.HashMap;
import java.util.Map;

/**
 * One transfer a {@link Call} carries out for a REFER (RFC 3515) on an answered call: who asked
 * (the referrer's leg), who moves (the transferee, the other leg), where to, and how far it got.
 * The call keeps the last one; {@link #over} once it succeeded, failed or was abandoned.
 *
 * <pre>
 *   referrer      Tandem                         transferee        target
 *   REFER  ---->  202, NOTIFY 100
 *                 blind: route Refer-To            INVITE (transferee's SDP) ---->
 *                 attended: the far leg of the     <---------------------- 200 (SDP)
 *                   call Replaces names            ACK ------------------------->
 *   <---- NOTIFY 200                     re-INVITE (target's SDP) -->
 *   ---- 200 ---->, <---- BYE
 *                                        <-- 200, ACK
 * </pre>
 */
final class Transfer {
  final Dialog referrer;
  final Dialog transferee;
  final SipRequest refer;
  /** The Event id parameter of its NOTIFYs: 0 (none) for the call's first REFER (RFC 3515 2.4.6). */
  final long eventId;
  /** False when the referrer asked for no implicit subscription (RFC 4488 Refer-Sub: false). */
  final boolean notifies;
  /** The Refer-To URI, its Replaces header included. */
  final Uri target;
  /** The Replaces the Refer-To carries (attended transfer), or null. */
  final Replaces replaces;

  /** The destinations of a blind transfer's route; null for an attended one (one target). */
  Hunt hunt;
  final Map<TransactionKey, Attempt> invites = new HashMap<>();
  Attempt current;
  Attempt answered;
  /** The re-INVITE that re-pairs the transferee with the new leg, and the ACK of its 2xx. */
  TransactionKey repair;
  SipRequest repairAck;
  /** The referrer hung up before the transfer ended: no NOTIFY, no BYE to it. */
  boolean referrerGone;
  /** The NOTIFY with the final status, until it has its answer; the referrer's BYE waits for it. */
  TransactionKey finalNotify;
  boolean referrerReleased;
  boolean over;

  Transfer(Dialog referrer, Dialog transferee, SipRequest refer, long eventId, boolean notifies,
      Uri target, Replaces replaces) {
    this.referrer = referrer;
    this.transferee = transferee;
    this.refer = refer;
    this.eventId = eventId;
    this.notifies = notifies;
    this.target = target;
    this.replaces = replaces;
  }
}
