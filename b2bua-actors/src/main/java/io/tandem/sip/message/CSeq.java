package io.tandem.sip.message;

import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Text;
import java.util.Objects;

/** The CSeq header (RFC 3261 section 20.16): a sequence number below 2**32 and a method. */
public record CSeq(long sequence, Method method) {
  public CSeq {
    if (sequence < 0 || sequence > Grammar.MAX_UINT32) {
      throw new IllegalArgumentException("CSeq number out of range: " + sequence);
    }
    Objects.requireNonNull(method, "method");
  }

  public static CSeq parse(String text) {
    byte[] b = Text.utf8(text);
    Cursor c = new Cursor(b, 0, b.length);
    int[] o = new int[2];
    c.skipLws();
    if (!Grammar.cseq(c, o, 0)) {
      throw new IllegalArgumentException("invalid CSeq (" + c.error() + "): " + text);
    }
    return new CSeq(c.number(), Method.of(b, o[0], o[1]));
  }

  @Override
  public String toString() {
    return sequence + " " + method;
  }
}
