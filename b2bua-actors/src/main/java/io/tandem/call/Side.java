package io.tandem.call;

/** One side of the pairing: the leg there now, and what the call keeps of it. */
final class Side {
  final int leg;
  /** Who the peer is, as the other side may be told (a transfer's From): a name-address's text. */
  final String party;
  /** The carrier of a leg Tandem called; null for leg A. */
  final String carrier;
  Leg.DialogView view;
  /** The SDP the peer sent last, offer or answer (a transfer offers it to the target). */
  Sdp sdp;

  Side(int leg, String party, String carrier, Sdp sdp) {
    this.leg = leg;
    this.party = party;
    this.carrier = carrier;
    this.sdp = sdp;
  }
}
