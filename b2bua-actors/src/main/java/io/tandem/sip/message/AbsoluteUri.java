package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.Text;
import io.tandem.sip.syntax.UriGrammar;

/** A URI of a scheme Tandem does not interpret (e.g. http, urn, im), kept as written. */
public final class AbsoluteUri implements Uri {
  private final String text;
  private final String scheme;

  private AbsoluteUri(String text, int schemeLength) {
    this.text = text;
    this.scheme = Ascii.lower(text.substring(0, schemeLength));
  }

  static AbsoluteUri read(byte[] b, int[] o, int k) {
    int s = o[k + UriGrammar.U_START];
    int e = o[k + UriGrammar.U_END];
    return new AbsoluteUri(
        Text.ascii(b, s, e), o[k + UriGrammar.U_SCHEME_END] - s);
  }

  @Override
  public String scheme() {
    return scheme;
  }

  /** What follows the scheme and its colon. */
  public String schemeSpecificPart() {
    return text.substring(scheme.length() + 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AbsoluteUri
        && ((AbsoluteUri) o).scheme.equals(scheme)
        && ((AbsoluteUri) o).schemeSpecificPart().equals(schemeSpecificPart());
  }

  @Override
  public int hashCode() {
    return scheme.hashCode() * 31 + schemeSpecificPart().hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
