package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.Text;
import io.tandem.sip.syntax.UriGrammar;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/** A tel: URI (RFC 3966): a telephone number, global ("+" E.164) or local, with parameters. */
public final class TelUri implements Uri {
  private final String number;
  private final Parameters params;

  private TelUri(String number, Parameters params) {
    this.number = number;
    this.params = params;
  }

  /** Parses a tel: URI; throws {@link IllegalArgumentException} otherwise. */
  public static TelUri parse(String text) {
    Uri uri = Uri.parse(text);
    if (!(uri instanceof TelUri)) {
      throw new IllegalArgumentException("not a tel URI: " + text);
    }
    return (TelUri) uri;
  }

  static TelUri read(byte[] b, int[] o, int k) {
    String number = Text.ascii(b, o[k + UriGrammar.U_USER_S], o[k + UriGrammar.U_USER_E]);
    return new TelUri(
        number, Parameters.readUri(b, o[k + UriGrammar.U_PARAMS_S], o[k + UriGrammar.U_PARAMS_E]));
  }

  @Override
  public String scheme() {
    return "tel";
  }

  /** The number as written, visual separators included. */
  public String number() {
    return number;
  }

  /** The number without visual separators ("-", ".", "(", ")"). */
  public String digits() {
    return withoutVisualSeparators(number);
  }

  private static String withoutVisualSeparators(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch != '-' && ch != '.' && ch != '(' && ch != ')') {
        out.append(ch);
      }
    }
    return out.toString();
  }

  /** Whether this is a global number ("+" followed by digits). */
  public boolean isGlobal() {
    return number.startsWith("+");
  }

  public Parameters params() {
    return params;
  }

  public Optional<String> phoneContext() {
    return params.get("phone-context");
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("tel:").append(number);
    params.render(out);
    return out.toString();
  }

  /**
   * RFC 3966 section 4: numbers equal without visual separators (hex digits ignoring case),
   * and the same parameters in any order, compared case-insensitively.
   */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TelUri)) {
      return false;
    }
    TelUri t = (TelUri) o;
    return digits().equalsIgnoreCase(t.digits()) && paramSet().equals(t.paramSet());
  }

  private Set<String> paramSet() {
    Set<String> set = new HashSet<>();
    for (Parameters.Parameter p : params) {
      String name = Ascii.lower(p.name());
      String value = p.value() == null ? "" : Ascii.lower(Text.unescape(p.value()));
      if (name.equals("phone-context") && value.startsWith("+")) {
        value = withoutVisualSeparators(value);
      }
      set.add(name + "=" + value);
    }
    return set;
  }

  @Override
  public int hashCode() {
    return Ascii.lower(digits()).hashCode();
  }
}
