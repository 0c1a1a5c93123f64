package io.tandem.sip.syntax;

/**
 * A read position over a slice of octets, shared by the grammar rules.
 *
 * <p>A rule advances {@link #pos} past what it matched and returns {@code true}, or returns
 * {@code false} after recording why in {@link #error()} (the first reason wins). Rules never
 * throw and never allocate: what they find is recorded as offsets into {@link #bytes}.
 *
 * <p>Header values reach the rules already framed: a CR or LF inside a value is always part of a
 * CRLF followed by SP or HTAB (a fold), so linear white space is simply {@code [ \t\r\n]*} here.
 */
public final class Cursor {
  byte[] bytes;
  int pos;
  int end;
  private String error;
  /** The value of the last number a rule read (see {@link Grammar#number}). */
  long number;

  public Cursor(byte[] bytes, int pos, int end) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  /** Points this cursor at a new slice and clears any error. */
  public Cursor reset(byte[] bytes, int pos, int end) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
    this.error = null;
    return this;
  }

  public byte[] bytes() {
    return bytes;
  }

  public int pos() {
    return pos;
  }

  public void pos(int pos) {
    this.pos = pos;
  }

  public int end() {
    return end;
  }

  public long number() {
    return number;
  }

  /** Why the last rule failed, or null. */
  public String error() {
    return error;
  }

  /** Records {@code why} (unless a reason is already recorded) and returns false. */
  public boolean fail(String why) {
    if (error == null) {
      error = why;
    }
    return false;
  }

  public boolean atEnd() {
    return pos >= end;
  }

  /** The octet at the position (0..255), or -1 at the end. */
  public int peek() {
    return pos < end ? bytes[pos] & 0xff : -1;
  }

  /** Skips linear white space (SP, HTAB and folds); returns whether any was skipped. */
  public boolean skipLws() {
    int start = pos;
    while (pos < end) {
      byte b = bytes[pos];
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        break;
      }
      pos++;
    }
    return pos > start;
  }

  /** Consumes {@code c} if it is next; does not skip white space. */
  public boolean accept(char c) {
    if (pos < end && bytes[pos] == c) {
      pos++;
      return true;
    }
    return false;
  }

  /** Consumes SWS {@code c} SWS (RFC 3261 SEMI, COMMA, EQUAL, SLASH, COLON) if present. */
  public boolean acceptSeparator(char c) {
    int save = pos;
    skipLws();
    if (accept(c)) {
      skipLws();
      return true;
    }
    pos = save;
    return false;
  }

  /** Consumes 1*token; returns false (without recording an error) if none is there. */
  public boolean token() {
    int start = pos;
    while (pos < end && CharClass.isToken(bytes[pos])) {
      pos++;
    }
    return pos > start;
  }

  /** Whether the slice from the position to the end is only white space. */
  public boolean restIsLws() {
    int save = pos;
    skipLws();
    boolean blank = pos >= end;
    pos = save;
    return blank;
  }
}
