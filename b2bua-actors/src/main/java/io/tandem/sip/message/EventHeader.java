package io.tandem.sip.message;

import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Text;
import java.util.Optional;

/** Event (RFC 6665 section 8.2.1): an event package, optional templates, and an id parameter. */
public record EventHeader(String eventType, Parameters params) {
  /** The event package: the event type up to its first "." template. */
  public String eventPackage() {
    int dot = eventType.indexOf('.');
    return dot < 0 ? eventType : eventType.substring(0, dot);
  }

  public Optional<String> id() {
    return params.get("id");
  }

  static EventHeader read(Cursor c) {
    int start = c.pos();
    if (!c.token()) {
      c.fail("event type expected");
      return null;
    }
    String type = Text.decode(c.bytes(), start, c.pos());
    // event-type = event-package *( "." event-template ), each a token-nodot (RFC 6665 8.4)
    if (type.startsWith(".") || type.endsWith(".") || type.contains("..")) {
      c.fail("empty event package or template");
      return null;
    }
    Parameters params = SipHeaders.readParams(c);
    return params == null ? null : new EventHeader(type, params);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(eventType);
    params.render(out);
    return out.toString();
  }
}
