package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;

/**
 * The protocol both server transaction machines ({@link ServerInviteTransaction}, {@link
 * ServerNonInviteTransaction}) speak, so that a user can answer either the same way.
 */
public final class ServerTransaction {
  private ServerTransaction() {}

  /** What a server transaction accepts; the machines add their own private timer messages. */
  public interface Command {}

  /** The user's response to the request (RFC 3261 sections 17.2.1 and 17.2.2). */
  public record Respond(SipResponse response) implements Command {}

  /**
   * A request the transaction layer matched to this transaction: a retransmission of the
   * request, or for an INVITE transaction the ACK.
   */
  public record RequestArrived(SipRequest request) implements Command {}
}
