package io.tandem.transport;

import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The protocol of the transport's sending side: the layers above hand it messages, it renders
 * and sends them, and it reports a failure to send as {@link SendFailed} (RFC 3261 section
 * 18.4: the transport tells the transaction, the transaction tells its user).
 */
public final class Egress {
  private Egress() {}

  /** What the sending side accepts. */
  public interface Command {}

  /**
   * Send a request to {@code destination}. For TCP an open connection to the destination is
   * reused; otherwise one is opened.
   */
  public record SendRequest(SipRequest request, Peer destination, ActorRef<SendFailed> replyTo)
      implements Command {}

  /**
   * Send a response to the request that came from {@code requestSource}, to where RFC 3261
   * section 18.2.2 and RFC 3581 say: the connection the request arrived on while it is open,
   * else the top Via's {@code received}/{@code rport}/sent-by.
   */
  public record SendResponse(SipResponse response, Peer requestSource, ActorRef<SendFailed> replyTo)
      implements Command {}

  /** A message could not be sent (no route, connection refused or lost, socket error). */
  public record SendFailed(SipMessage message, Peer destination, String reason) {}
}
