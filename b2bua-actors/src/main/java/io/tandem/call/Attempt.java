package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.sip.message.SipRequest;
import io.tandem.transport.Peer;

/** One leg-B INVITE of a {@link Call} toward one destination, and what came of it. */
final class Attempt {
  final int number;
  final Destination destination;
  final SipRequest invite;
  boolean provisional;
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
  /** Its INVITE was sent again asking for a 422's Min-SE (RFC 4028 section 7.3): once only. */
  boolean sessionIntervalRaised;

  Attempt(int number, Destination destination, SipRequest invite) {
    this.number = number;
    this.destination = destination;
    this.invite = invite;
  }
}
