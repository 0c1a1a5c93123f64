package io.tandem.sip.message;

import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Text;
import java.util.Optional;
import java.util.OptionalInt;

/** One Reason value (RFC 3326): a protocol ("SIP", "Q.850") with cause and text. */
public record Reason(String protocol, Parameters params) {
  public OptionalInt cause() {
    return params.get("cause").map(v -> OptionalInt.of(Integer.parseInt(v))).orElse(OptionalInt.empty());
  }

  public Optional<String> text() {
    return params.text("text");
  }

  static Reason read(Cursor c) {
    int start = c.pos();
    if (!c.token()) {
      c.fail("protocol expected");
      return null;
    }
    String protocol = Text.decode(c.bytes(), start, c.pos());
    Parameters params = SipHeaders.readParams(c);
    if (params == null) {
      return null;
    }
    Optional<String> cause = params.get("cause");
    if (params.contains("cause")
        && (cause.isEmpty() || cause.get().length() > 9 || !SipHeaders.isDeltaSeconds(cause.get()))) {
      c.fail("invalid cause parameter");
      return null;
    }
    return new Reason(protocol, params);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(protocol);
    params.render(out);
    return out.toString();
  }
}
