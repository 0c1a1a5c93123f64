package io.tandem.sip.message;

import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Text;
import io.tandem.sip.syntax.UriGrammar;

/**
 * A URI as SIP carries it: a {@link SipUri} (sip, sips), a {@link TelUri} (tel, RFC 3966), or an
 * {@link AbsoluteUri} kept opaque for any other scheme.
 */
public sealed interface Uri permits SipUri, TelUri, AbsoluteUri {
  /** The scheme in lower case, e.g. "sip". */
  String scheme();

  /** The URI as text, suitable for a message. */
  @Override
  String toString();

  /**
   * Parses {@code text} as a URI.
   *
   * @throws IllegalArgumentException naming what is wrong, if it is not one
   */
  static Uri parse(String text) {
    byte[] b = Text.utf8(text);
    Cursor c = new Cursor(b, 0, b.length);
    int[] o = new int[UriGrammar.URI_SIZE];
    if (!UriGrammar.uri(c, b.length, o, 0)) {
      throw new IllegalArgumentException("invalid URI (" + c.error() + "): " + text);
    }
    return read(b, o, 0);
  }

  /** Builds the URI whose offsets {@link UriGrammar#uri} recorded at {@code o[k]}. */
  static Uri read(byte[] b, int[] o, int k) {
    switch (o[k + UriGrammar.U_KIND]) {
      case UriGrammar.KIND_SIP:
      case UriGrammar.KIND_SIPS:
        return SipUri.read(b, o, k);
      case UriGrammar.KIND_TEL:
        return TelUri.read(b, o, k);
      default:
        return AbsoluteUri.read(b, o, k);
    }
  }
}
