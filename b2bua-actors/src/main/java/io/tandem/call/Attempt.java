package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.sip.message.SipRequest;
import io.tandem.transport.Peer;
import java.util.Set;

/** One leg-B INVITE of a {@link Call} toward one destination, and what came of it. */
final class Attempt {
  final int number;
  final Destination destination;
  /** The INVITE in flight: a new one once a challenge was answered ({@link CarrierAuth}). */
  SipRequest invite;
  boolean provisional;
  /** It sent an 18x: the route's ring-timeout runs. */
  boolean ringing;
  boolean cancelPending;
  boolean holdsCarrier;
  String answeredTag;
  SipRequest ack;
  /** Where {@link #ack} went, to send it again for a retransmitted 2xx. */
  Peer ackTo;
  /** The early dialog of its reliable provisionals (RFC 3262), where its PRACKs go. */
  Dialog early;
  /** The RSeq of the last reliable provisional taken; a repeat is a retransmission. */
  long lastRseq;
  /** The realms whose challenge this attempt answered: a second one for a realm fails it. */
  Set<String> answeredRealms = Set.of();
  /** Its INVITE was sent again asking for a 422's Min-SE (RFC 4028 section 7.3): once only. */
  boolean sessionIntervalRaised;
  /** Its {@link CallObserver.AttemptEnded} went out: once per attempt. */
  boolean observedEnd;

  Attempt(int number, Destination destination, SipRequest invite) {
    this.number = number;
    this.destination = destination;
    this.invite = invite;
  }

  /**
   * {@code retry}, the INVITE again with credentials, is now in flight: what was learned from
   * the challenged one (provisionals, early dialog) no longer holds.
   */
  void resent(SipRequest retry) {
    invite = retry;
    provisional = false;
    early = null;
    lastRseq = 0;
  }
}
