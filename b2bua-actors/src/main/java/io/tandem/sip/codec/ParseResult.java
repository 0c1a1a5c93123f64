package io.tandem.sip.codec;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Headers;
import io.tandem.sip.message.SipMessage;
import java.util.List;

/** What {@link SipParser} and {@link SipStreamFramer} make of some octets. */
public sealed interface ParseResult {
  /** A sound message, which took {@code consumed} octets of the input. */
  record Parsed(SipMessage message, int consumed) implements ParseResult {}

  /**
   * Stream mode: the message is not complete yet. {@code expectedLength} is its total length
   * once the head has been read, or -1 while the head is still incomplete.
   */
  record NeedMoreData(int expectedLength) implements ParseResult {}

  /**
   * A keep-alive between messages on a stream (RFC 5626 section 3.5.1): a double CRLF
   * {@code ping}, to be answered with a single CRLF, or a single CRLF pong. On UDP, a datagram
   * holding only CRLFs.
   */
  record KeepAlive(boolean ping, int consumed) implements ParseResult {}

  /**
   * Octets that are not a message Tandem accepts.
   *
   * @param status the status to answer a request with: 400, 413, 414, 416, 420, 505 or 513
   * @param reason the reason phrase, naming the header at fault where there is one
   * @param header the header at fault, or null
   * @param detail what exactly is wrong, for logs and a Warning header
   * @param request whether the octets are (or look like) a request; a malformed response is
   *     dropped, never answered
   * @param headers the header fields that could be read, to answer from (Via, From, To,
   *     Call-ID, CSeq), or null if none could
   * @param unsupported for 420, the option tags to list in Unsupported
   * @param consumed octets to skip to the next message, or -1 if the framing is lost (a stream
   *     must then be closed)
   */
  record Malformed(
      int status,
      String reason,
      HeaderName header,
      String detail,
      boolean request,
      Headers headers,
      List<String> unsupported,
      int consumed)
      implements ParseResult {
    /** Whether the stream's framing is lost, so the connection must be closed. */
    public boolean framingLost() {
      return consumed < 0;
    }

    /**
     * Whether a response can be sent: a request whose Via was read (RFC 3261 section 18.2.2
     * sends the response by it). The response copies From, To, Call-ID and CSeq as far as they
     * were read (RFC 4475 section 3.3.1 asks for a 400 even when some are missing).
     */
    public boolean answerable() {
      return request && headers != null && headers.contains(HeaderName.VIA);
    }
  }
}
