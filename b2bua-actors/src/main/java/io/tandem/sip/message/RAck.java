package io.tandem.sip.message;

import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;

/** RAck (RFC 3262 section 7.2): the RSeq and CSeq of the reliable provisional response acknowledged. */
public record RAck(long rseq, long cseq, Method method) {
  static RAck read(Cursor c) {
    if (!Grammar.number(c, Grammar.MAX_UINT32)) {
      return null;
    }
    long rseq = c.number();
    if (!c.skipLws()) {
      c.fail("white space expected");
      return null;
    }
    int[] o = new int[2];
    if (!Grammar.cseq(c, o, 0)) {
      return null;
    }
    return new RAck(rseq, c.number(), Method.of(c.bytes(), o[0], o[1]));
  }

  @Override
  public String toString() {
    return rseq + " " + cseq + " " + method;
  }
}
