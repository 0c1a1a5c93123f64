package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import java.util.Optional;

/** Session-Expires (RFC 4028 section 4): the session interval and which side refreshes. */
public record SessionExpires(long seconds, Parameters params) {
  /** "uac" or "uas" if the refresher parameter is present. */
  public Optional<String> refresher() {
    return params.get("refresher").map(Ascii::lower);
  }

  static SessionExpires read(Cursor c) {
    if (!Grammar.number(c, Grammar.MAX_UINT32)) {
      return null;
    }
    long seconds = c.number();
    Parameters params = SipHeaders.readParams(c);
    if (params == null) {
      return null;
    }
    Optional<String> refresher = params.get("refresher");
    if (params.contains("refresher")
        && refresher.map(r -> !r.equalsIgnoreCase("uac") && !r.equalsIgnoreCase("uas")).orElse(true)) {
      c.fail("refresher must be uac or uas");
      return null;
    }
    return new SessionExpires(seconds, params);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder().append(seconds);
    params.render(out);
    return out.toString();
  }
}
