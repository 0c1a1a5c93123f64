package io.tandem.auth;

import io.tandem.sip.message.AuthHeader;
import io.tandem.sip.message.HeaderType;
import io.tandem.sip.message.Parameters;
import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.Text;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The auth-params of one Digest header as a name (lower case) to unquoted value map, read with
 * the codec's {@link AuthHeader} grammar (RFC 3261 section 25.1): quoted strings lose their
 * quotes and escapes; names compare case-insensitively; a repeated parameter is an error
 * (RFC 7616 section 3.3: each directive at most once).
 */
final class AuthParams {
  private final Map<String, String> values;

  private AuthParams(Map<String, String> values) {
    this.values = values;
  }

  /** The Digest params of a parsed header, or the reason it is no Digest header. */
  static DigestParse<AuthParams> of(AuthHeader header) {
    if (header == null || !header.isDigest()) {
      return DigestParse.invalid("not a Digest header: " + (header == null ? "none" : header.scheme()));
    }
    if (header.token68() != null) {
      return DigestParse.invalid("Digest takes auth-params, not a token68");
    }
    Map<String, String> values = new HashMap<>();
    Parameters params = header.params();
    for (Parameters.Parameter p : params) {
      String name = Ascii.lower(p.name());
      if (values.containsKey(name)) {
        return DigestParse.invalid("repeated parameter " + name);
      }
      values.put(name, unquoted(p.value()));
    }
    return new DigestParse.Ok<>(new AuthParams(values));
  }

  /** The header value {@code text} as one field of {@code type}, then {@link #of(AuthHeader)}. */
  static DigestParse<AuthParams> of(HeaderType<AuthHeader> type, String text) {
    List<AuthHeader> read;
    try {
      read = type.parse(text);
    } catch (IllegalArgumentException e) {
      return DigestParse.invalid(e.getMessage());
    }
    return read.size() == 1 ? of(read.get(0)) : DigestParse.invalid("one value expected");
  }

  String get(String name) {
    return values.get(name);
  }

  /** A value that must be there, or null after noting what is missing. */
  boolean has(String name) {
    return values.get(name) != null;
  }

  private static String unquoted(String raw) {
    if (raw != null && raw.length() >= 2 && raw.charAt(0) == '"') {
      byte[] b = Text.utf8(raw);
      return Text.unquote(b, 0, b.length);
    }
    return raw;
  }

  /** Renders {@code Digest name=value, name="value", ...}, skipping null values. */
  static final class Writer {
    private final StringBuilder out = new StringBuilder("Digest");
    private char separator = ' ';

    /** A quoted-string value (RFC 7616 section 3.3 says which directives are quoted). */
    Writer quoted(String name, String value) {
      return value == null ? this : append(name, Text.quote(value));
    }

    /** A token value (algorithm, nc, qop in credentials, stale). */
    Writer token(String name, String value) {
      return value == null ? this : append(name, value);
    }

    private Writer append(String name, String value) {
      out.append(separator).append(name).append('=').append(value);
      separator = ',';
      return this;
    }

    @Override
    public String toString() {
      return out.toString();
    }
  }
}
