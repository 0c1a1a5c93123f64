package io.tandem.sip.codec;

import io.tandem.sip.syntax.Octets;
import java.util.Arrays;

/**
 * Cuts a byte stream (TCP, later TLS) into SIP messages: feed it octets as they arrive, at any
 * split point, then take results with {@link #next()} until it answers {@link
 * ParseResult.NeedMoreData}.
 *
 * <p>Between messages, a double CRLF is a keep-alive ping to be answered with one CRLF, and a
 * single CRLF is a pong (RFC 5626 section 3.5.1). Each message must carry Content-Length (RFC
 * 3261 section 18.3). Once a result reports lost framing, the framer repeats it: the
 * connection has to be closed.
 *
 * <p>Octets are buffered only up to the parser's max-message-bytes, and the head of a message
 * is read once it is complete, not again on every chunk. Not thread-safe: one per connection.
 */
public final class SipStreamFramer {
  private static final ParseResult.NeedMoreData NEED_HEAD = new ParseResult.NeedMoreData(-1);

  private final SipParser parser;
  private byte[] buffer = new byte[4096];
  private int readPos;
  private int writePos;
  /** Total length of the message at readPos once its head has been read, else -1. */
  private int expected = -1;
  private ParseResult.Malformed broken;
  /** How far the buffer has been searched for the end of the current head. */
  private int searchedTo;

  public SipStreamFramer(SipParser parser) {
    this.parser = parser;
  }

  /** Appends octets received on the stream. */
  public void feed(byte[] b, int off, int len) {
    if (broken != null) {
      return;
    }
    if (writePos + len > buffer.length) {
      int pending = writePos - readPos;
      if (pending + len <= buffer.length && readPos > 0) {
        System.arraycopy(buffer, readPos, buffer, 0, pending);
      } else {
        int size = Math.max(buffer.length * 2, pending + len);
        byte[] grown = new byte[size];
        System.arraycopy(buffer, readPos, grown, 0, pending);
        buffer = grown;
      }
      searchedTo -= readPos;
      readPos = 0;
      writePos = pending;
    }
    System.arraycopy(b, off, buffer, writePos, len);
    writePos += len;
  }

  public void feed(byte[] b) {
    feed(b, 0, b.length);
  }

  /** The next message, keep-alive or error in the stream, or NeedMoreData. */
  public ParseResult next() {
    if (broken != null) {
      return broken;
    }
    int available = writePos - readPos;
    if (available == 0) {
      return NEED_HEAD;
    }
    if (buffer[readPos] == '\r') {
      return keepAlive(available);
    }
    if (expected > 0 && available < expected) {
      return new ParseResult.NeedMoreData(expected);
    }
    if (expected < 0 && !headComplete(available)) {
      return NEED_HEAD;
    }
    ParseResult result = parser.parseStream(buffer, readPos, available);
    if (result instanceof ParseResult.NeedMoreData) {
      expected = ((ParseResult.NeedMoreData) result).expectedLength();
      return result;
    }
    expected = -1;
    if (result instanceof ParseResult.Parsed) {
      advance(((ParseResult.Parsed) result).consumed());
    } else if (result instanceof ParseResult.Malformed) {
      ParseResult.Malformed m = (ParseResult.Malformed) result;
      if (m.framingLost()) {
        lose(m);
      } else {
        advance(m.consumed());
      }
    }
    return result;
  }

  /**
   * Whether the head at readPos is complete (or over max-message-bytes, for the parser to
   * refuse). The search resumes where the last one stopped, so a head arriving octet by octet
   * is searched once, not once per octet.
   */
  private boolean headComplete(int available) {
    int from = Math.max(readPos, searchedTo - 3);
    if (Octets.endOfHead(buffer, from, writePos) >= 0
        || available >= parser.limits().maxMessageBytes()) {
      return true;
    }
    searchedTo = writePos;
    return false;
  }

  private ParseResult keepAlive(int available) {
    if (available < 2) {
      return NEED_HEAD;
    }
    if (buffer[readPos + 1] != '\n') {
      return lose("CR without LF between messages");
    }
    if (available < 3) {
      return NEED_HEAD;
    }
    if (buffer[readPos + 2] != '\r') {
      advance(2);
      return new ParseResult.KeepAlive(false, 2);
    }
    if (available < 4) {
      return NEED_HEAD;
    }
    if (buffer[readPos + 3] != '\n') {
      return lose("CR without LF between messages");
    }
    advance(4);
    return new ParseResult.KeepAlive(true, 4);
  }

  private ParseResult lose(String detail) {
    return lose(new ParseResult.Malformed(400, "Bad Framing", null, detail, false, null,
        java.util.List.of(), -1));
  }

  /** Framing is lost: keep the verdict, drop the octets. */
  private ParseResult lose(ParseResult.Malformed verdict) {
    broken = verdict;
    buffer = new byte[0];
    readPos = writePos = 0;
    return verdict;
  }

  private void advance(int n) {
    readPos += n;
    if (readPos == writePos) {
      readPos = writePos = 0;
      if (buffer.length > 65_536) {
        buffer = new byte[4096];
      }
    }
    searchedTo = readPos;
  }


  /** Octets received but not yet part of a result. */
  public int buffered() {
    return writePos - readPos;
  }

  @Override
  public String toString() {
    return "SipStreamFramer[" + Arrays.toString(new int[] {readPos, writePos, expected}) + "]";
  }
}
