package io.tandem.call;

import io.tandem.sip.message.Replaces;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.Uri;

/**
 * One transfer a {@link Call} carries out for a REFER ({@link Transferring}): who asked (the
 * referrer's side), who moves (the transferee, the other side), where to, and how far it got.
 */
final class Transfer {
  final Side referrer;
  final Side transferee;
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
  Attempt current;
  Attempt answered;
  /** The relay ids of the re-INVITE that re-pairs the transferee, and of the final NOTIFY (0: none). */
  int repair;
  int finalNotify;
  /** The referrer hung up before the transfer ended: no NOTIFY, no BYE to it. */
  boolean referrerGone;
  boolean referrerReleased;
  boolean over;

  Transfer(Side referrer, Side transferee, SipRequest refer, long eventId, boolean notifies, Uri target,
      Replaces replaces) {
    this.referrer = referrer;
    this.transferee = transferee;
    this.refer = refer;
    this.eventId = eventId;
    this.notifies = notifies;
    this.target = target;
    this.replaces = replaces;
  }
}
