package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Text;
import java.util.Optional;
import java.util.OptionalLong;

/** Subscription-State (RFC 6665 section 8.2.3): active, pending or terminated, with reason and expires. */
public record SubscriptionState(String state, Parameters params) {
  /** The state in lower case. */
  public String state() {
    return Ascii.lower(state);
  }

  public boolean isTerminated() {
    return "terminated".equals(state());
  }

  public Optional<String> reason() {
    return params.get("reason");
  }

  public OptionalLong expires() {
    return params.get("expires").map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
  }

  public OptionalLong retryAfter() {
    return params.get("retry-after").map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
  }

  static SubscriptionState read(Cursor c) {
    int start = c.pos();
    if (!c.token()) {
      c.fail("subscription state expected");
      return null;
    }
    String state = Text.decode(c.bytes(), start, c.pos());
    Parameters params = SipHeaders.readParams(c);
    if (params == null) {
      return null;
    }
    for (String name : new String[] {"expires", "retry-after"}) {
      Optional<String> v = params.get(name);
      if (params.contains(name) && (v.isEmpty() || !SipHeaders.isDeltaSeconds(v.get()))) {
        c.fail("invalid " + name + " parameter");
        return null;
      }
    }
    return new SubscriptionState(state, params);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(state);
    params.render(out);
    return out.toString();
  }
}
