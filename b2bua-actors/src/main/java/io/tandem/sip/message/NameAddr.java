package io.tandem.sip.message;

import io.tandem.sip.syntax.AddressGrammar;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Text;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * An address with optional display name and header parameters: the value of From, To, Contact,
 * Route, Record-Route, Refer-To, Referred-By, P-Asserted-Identity and the like.
 *
 * <p>It renders in name-addr form ({@code "Display" <uri>;params}), which RFC 3261 section 20
 * allows wherever addr-spec is allowed. Every instance is valid: the {@code with...} methods
 * check what they build.
 */
public final class NameAddr {
  private final String display;
  private final Uri uri;
  private final Parameters params;

  private NameAddr(String display, Uri uri, Parameters params) {
    this.display = display;
    this.uri = Objects.requireNonNull(uri, "uri");
    this.params = params;
  }

  /** {@code <uri>} */
  public static NameAddr of(Uri uri) {
    return new NameAddr(null, uri, Parameters.EMPTY);
  }

  /** {@code "displayName" <uri>}; a null display name gives {@link #of(Uri)}. */
  public static NameAddr of(String displayName, Uri uri) {
    return new NameAddr(displayName == null ? null : Text.quote(displayName), uri, Parameters.EMPTY);
  }

  /** Parses one name-addr or addr-spec with its parameters. */
  public static NameAddr parse(String text) {
    byte[] b = Text.utf8(text);
    Cursor c = new Cursor(b, 0, b.length);
    int[] o = new int[AddressGrammar.NA_SIZE];
    c.skipLws();
    if (!AddressGrammar.nameAddr(c, o, 0, true, Grammar.ParamRules.GENERIC) || !Grammar.endOfValue(c)) {
      throw new IllegalArgumentException("invalid address (" + c.error() + "): " + text);
    }
    return read(b, o, 0);
  }

  /** Builds the address whose offsets {@link Grammar#nameAddr} recorded at {@code o[k]}. */
  static NameAddr read(byte[] b, int[] o, int k) {
    int ds = o[k + AddressGrammar.NA_DISPLAY_S];
    String display = ds < 0 ? null : Text.decode(b, ds, o[k + AddressGrammar.NA_DISPLAY_E]);
    Uri uri = Uri.read(b, o, k + AddressGrammar.NA_URI);
    Parameters params =
        Parameters.readHeader(b, o[k + AddressGrammar.NA_PARAMS_S], o[k + AddressGrammar.NA_PARAMS_E]);
    return new NameAddr(display, uri, params);
  }

  /** The display name with quotes and escapes removed, or null if there is none. */
  public String displayName() {
    if (display == null) {
      return null;
    }
    if (display.startsWith("\"")) {
      byte[] b = display.getBytes(StandardCharsets.UTF_8);
      return Text.unquote(b, 0, b.length);
    }
    return display;
  }

  public Uri uri() {
    return uri;
  }

  /** The URI if it is a sip or sips URI. */
  public Optional<SipUri> sipUri() {
    return uri instanceof SipUri ? Optional.of((SipUri) uri) : Optional.empty();
  }

  public Parameters params() {
    return params;
  }

  /** The tag parameter (From, To; RFC 3261 section 19.3), if present. */
  public Optional<String> tag() {
    return params.get("tag");
  }

  public NameAddr withTag(String tag) {
    return withParam("tag", tag);
  }

  public NameAddr withUri(Uri uri) {
    return new NameAddr(display, uri, params);
  }

  /** A copy with {@code displayName} (quoted here), or without a display name for null. */
  public NameAddr withDisplayName(String displayName) {
    return new NameAddr(displayName == null ? null : Text.quote(displayName), uri, params);
  }

  /** A copy with header parameter {@code name=value}; the value must be a token, host or quoted-string. */
  public NameAddr withParam(String name, String value) {
    return validated(params.with(name, value));
  }

  public NameAddr withoutParam(String name) {
    return new NameAddr(display, uri, params.without(name));
  }

  public NameAddr withParams(Parameters params) {
    return validated(params);
  }

  /**
   * This address with {@code newParams}, checked by the grammar: the text must parse back into
   * exactly these parameters, so a value cannot smuggle in another parameter ({@code "a;b"}).
   */
  private NameAddr validated(Parameters newParams) {
    NameAddr candidate = new NameAddr(display, uri, newParams);
    NameAddr parsed = parse(candidate.toString());
    if (!parsed.params.asList().equals(newParams.asList()) || !parsed.uri.equals(uri)) {
      throw new IllegalArgumentException("not a valid parameter in " + candidate);
    }
    return parsed;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(64);
    if (display != null) {
      out.append(display).append(' ');
    }
    out.append('<').append(uri).append('>');
    params.render(out);
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof NameAddr)) {
      return false;
    }
    NameAddr a = (NameAddr) o;
    return Objects.equals(displayName(), a.displayName())
        && uri.equals(a.uri)
        && params.equals(a.params);
  }

  @Override
  public int hashCode() {
    return uri.hashCode() * 31 + params.hashCode();
  }
}
