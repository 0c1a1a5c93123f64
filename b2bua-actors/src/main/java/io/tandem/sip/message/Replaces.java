package io.tandem.sip.message;

import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Text;
import java.util.Optional;

/** Replaces (RFC 3891): the dialog to replace, named by Call-ID, to-tag and from-tag. */
public record Replaces(String callId, Parameters params) {
  public String toTag() {
    return params.get("to-tag").orElse(null);
  }

  public String fromTag() {
    return params.get("from-tag").orElse(null);
  }

  /** Whether early-only is set: replace only a dialog that is still early. */
  public boolean earlyOnly() {
    return params.contains("early-only");
  }

  static Replaces read(Cursor c) {
    int start = c.pos();
    int end = start;
    byte[] b = c.bytes();
    while (end < c.end() && b[end] != ';' && b[end] != ' ' && b[end] != '\t' && b[end] != '\r') {
      end++;
    }
    Cursor id = new Cursor(b, start, end);
    if (!Grammar.callId(id)) {
      c.fail(id.error());
      return null;
    }
    c.pos(end);
    Parameters params = SipHeaders.readParams(c);
    if (params == null) {
      return null;
    }
    Optional<String> to = params.get("to-tag");
    Optional<String> from = params.get("from-tag");
    if (to.isEmpty() || from.isEmpty()) {
      c.fail("to-tag and from-tag are required");
      return null;
    }
    return new Replaces(Text.decode(b, start, end), params);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(callId);
    params.render(out);
    return out.toString();
  }
}
