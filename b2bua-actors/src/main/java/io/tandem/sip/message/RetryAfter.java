package io.tandem.sip.message;

import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Text;
import java.util.OptionalLong;

/** Retry-After (RFC 3261 section 20.33): delta-seconds [ comment ] *( SEMI retry-param ). */
public record RetryAfter(long seconds, String comment, Parameters params) {
  public static RetryAfter of(long seconds) {
    return new RetryAfter(seconds, null, Parameters.EMPTY);
  }

  /** The duration parameter: how long the service stays available, if given. */
  public OptionalLong duration() {
    return params.get("duration").map(v -> OptionalLong.of(Long.parseLong(v))).orElse(OptionalLong.empty());
  }

  static RetryAfter read(Cursor c) {
    if (!Grammar.number(c, Grammar.MAX_UINT32)) {
      return null;
    }
    long seconds = c.number();
    String comment = null;
    int save = c.pos();
    c.skipLws();
    if (c.peek() == '(') {
      int start = c.pos();
      if (!comment(c)) {
        return null;
      }
      comment = Text.decode(c.bytes(), start + 1, c.pos() - 1);
    } else {
      c.pos(save);
    }
    Parameters params = SipHeaders.readParams(c);
    if (params == null) {
      return null;
    }
    String duration = params.get("duration").orElse(null);
    if (params.contains("duration") && (duration == null || !SipHeaders.isDeltaSeconds(duration))) {
      c.fail("invalid duration parameter");
      return null;
    }
    return new RetryAfter(seconds, comment, params);
  }

  /** comment = LPAREN *( ctext / quoted-pair / comment ) RPAREN, nested. */
  private static boolean comment(Cursor c) {
    byte[] b = c.bytes();
    int depth = 0;
    int p = c.pos();
    while (p < c.end()) {
      byte x = b[p];
      if (x == '\\') {
        p += 2;
        continue;
      }
      if (x == '(') {
        depth++;
      } else if (x == ')') {
        depth--;
        if (depth == 0) {
          c.pos(p + 1);
          return true;
        }
      }
      p++;
    }
    return c.fail("unterminated comment");
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder().append(seconds);
    if (comment != null) {
      out.append(" (").append(comment).append(')');
    }
    params.render(out);
    return out.toString();
  }
}
