package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Peer;

/**
 * What a transaction tells its user, the layer above (RFC 3261 section 17: "the transaction
 * layer ... passes to the TU"). Events are past tense; the user answers with commands.
 */
public sealed interface TransactionEvent extends TransactionUser {
  /** The transaction the event is about. */
  TransactionKey key();

  /**
   * A server transaction received a new request. Answer it with {@link
   * ServerTransaction#respond}; retransmissions are absorbed.
   */
  record RequestReceived(TransactionKey key, SipRequest request, Peer source, ServerTransaction transaction)
      implements TransactionEvent {}

  /**
   * A CANCEL matched a pending INVITE server transaction; the CANCEL itself has been answered
   * 200 (RFC 3261 section 9.2). The user answers the INVITE 487 if it has not sent a final
   * response yet.
   */
  record CancelReceived(TransactionKey key, SipRequest cancel, ServerTransaction invite)
      implements TransactionEvent {}

  /**
   * An ACK that no transaction absorbed: the ACK for a 2xx, which belongs to the dialog (RFC
   * 3261 section 17.1.1.3 and RFC 6026). Also delivered to the user of an INVITE server
   * transaction in the Accepted state.
   */
  record AckReceived(TransactionKey key, SipRequest ack, Peer source) implements TransactionEvent {}

  /**
   * A client transaction received a response: every provisional and final it passes up
   * (RFC 3261 section 17.1.1.2), including 2xx retransmissions in the Accepted state of RFC 6026.
   */
  record ResponseReceived(TransactionKey key, SipResponse response) implements TransactionEvent {}

  /**
   * A transaction timed out: {@code timer} is the RFC 3261 letter ('B' or 'F' for a client
   * without a final response, 'H' for a server INVITE whose final was never acknowledged).
   */
  record TimedOut(TransactionKey key, char timer) implements TransactionEvent {}

  /** The transport could not send a message of this transaction (RFC 3261 section 17.1.4). */
  record TransportFailed(TransactionKey key, String reason) implements TransactionEvent {}

  /**
   * A response that matched no client transaction (RFC 3261 section 17.1.3: passed to the
   * core), e.g. a 2xx retransmitted after Timer M, or a response to a request Tandem never sent.
   */
  record StrayResponseReceived(TransactionKey key, SipResponse response, Peer source)
      implements TransactionEvent {}

  /**
   * A client transaction's actor has done its work and stopped: no event of it follows but,
   * for an INVITE answered 2xx, retransmissions of that 2xx (RFC 6026 Accepted, until Timer M).
   */
  record Terminated(TransactionKey key) implements TransactionEvent {}

  /**
   * The SIP message a request, ACK, CANCEL or stray response event carries (what its call or
   * dialog is found by); empty for the transactions' own ends and timeouts.
   */
  static java.util.Optional<io.tandem.sip.message.SipMessage> messageOf(TransactionEvent event) {
    if (event instanceof RequestReceived r) {
      return java.util.Optional.of(r.request());
    } else if (event instanceof CancelReceived c) {
      return java.util.Optional.of(c.cancel());
    } else if (event instanceof AckReceived a) {
      return java.util.Optional.of(a.ack());
    } else if (event instanceof StrayResponseReceived s) {
      return java.util.Optional.of(s.response());
    }
    return java.util.Optional.empty();
  }
}
