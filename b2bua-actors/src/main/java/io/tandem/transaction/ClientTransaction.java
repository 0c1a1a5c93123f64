package io.tandem.transaction;

import io.tandem.sip.message.SipResponse;

/**
 * The protocol both client transaction machines ({@link ClientInviteTransaction}, {@link
 * ClientNonInviteTransaction}) speak.
 */
public final class ClientTransaction {
  private ClientTransaction() {}

  /** What a client transaction accepts; the machines add their own private timer messages. */
  public interface Command {}

  /** A response the transaction layer matched to this transaction (section 17.1.3). */
  public record ResponseArrived(SipResponse response) implements Command {}
}
