package io.tandem.app.cdr;

/**
 * A JSON writer just big enough for call detail records: one object per line, strings escaped
 * as RFC 8259 section 7 requires (quote, backslash and every control character), everything
 * else written as is, so a line never breaks however odd a SIP user part is.
 */
final class Json {
  private final StringBuilder out = new StringBuilder(512);
  /** Per nesting level: nothing written yet at this level (no comma before the next member). */
  private final java.util.ArrayDeque<Boolean> first = new java.util.ArrayDeque<>();

  Json beginObject() {
    separate();
    out.append('{');
    first.push(true);
    return this;
  }

  Json endObject() {
    first.pop();
    out.append('}');
    return this;
  }

  Json beginArray(String name) {
    name(name);
    out.append('[');
    first.push(true);
    return this;
  }

  Json endArray() {
    first.pop();
    out.append(']');
    return this;
  }

  /** A member {@code name: value}; null writes JSON null. */
  Json field(String name, String value) {
    name(name);
    if (value == null) {
      out.append("null");
    } else {
      quote(out, value);
    }
    return this;
  }

  Json field(String name, long value) {
    name(name);
    out.append(value);
    return this;
  }

  Json bool(String name, boolean value) {
    name(name);
    out.append(value);
    return this;
  }

  /** A number written exactly as given (decimal seconds, say). */
  Json number(String name, String decimal) {
    name(name);
    out.append(decimal);
    return this;
  }

  /** A string element of the array being written. */
  Json element(String value) {
    separate();
    quote(out, value);
    return this;
  }

  private void name(String name) {
    separate();
    quote(out, name);
    out.append(':');
  }

  private void separate() {
    if (!first.isEmpty()) {
      if (!first.peek()) {
        out.append(',');
      }
      first.pop();
      first.push(false);
    }
  }

  @Override
  public String toString() {
    return out.toString();
  }

  /** {@code value} as a JSON string, quotes included. */
  static String quote(String value) {
    StringBuilder b = new StringBuilder(value.length() + 2);
    quote(b, value);
    return b.toString();
  }

  private static void quote(StringBuilder b, String value) {
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          // Other control characters have no short form; U+2028/2029 are escaped too, since
          // some JSON readers (JavaScript before ES2019) take them as line ends.
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            b.append(String.format("\\u%04x", (int) c));
          } else if (Character.isHighSurrogate(c) && i + 1 < value.length()
              && Character.isLowSurrogate(value.charAt(i + 1))) {
            b.append(c).append(value.charAt(++i)); // a pair: one character beyond the BMP
          } else if (Character.isSurrogate(c)) {
            b.append(String.format("\\u%04x", (int) c)); // alone it has no UTF-8 form
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
