package io.tandem.call;

import io.tandem.routing.Destination;

/** What a {@link Call} keeps of one INVITE it had a {@link UacLeg} send, and what came of it. */
final class Attempt {
  final int number;
  final Destination destination;
  /** The INVITE's To, as text: who the leg's peer is, as other legs may be told (a transfer's From). */
  final String to;
  /** A transfer's target, not a hunt's destination. */
  final boolean transfer;
  boolean provisional;
  /** It sent an 18x: the route's ring-timeout runs. */
  boolean ringing;
  boolean holdsCarrier;
  /** Its {@link CallObserver.AttemptEnded} went out: once per attempt. */
  boolean observedEnd;
  /** The From and dialled users as its INVITE gave them (a call detail record's from_out, to_out). */
  String fromUser;
  String toUser;

  Attempt(int number, Destination destination, String to, boolean transfer) {
    this.number = number;
    this.destination = destination;
    this.to = to;
    this.transfer = transfer;
  }
}
