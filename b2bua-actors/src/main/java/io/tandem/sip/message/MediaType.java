package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Text;

/** A media type (RFC 3261 section 20.15, Content-Type): type/subtype and parameters. */
public final class MediaType {
  public static final MediaType SDP = parse("application/sdp");

  private final String type;
  private final String subtype;
  private final Parameters params;

  private MediaType(String type, String subtype, Parameters params) {
    this.type = type;
    this.subtype = subtype;
    this.params = params;
  }

  public static MediaType parse(String text) {
    byte[] b = Text.utf8(text);
    Cursor c = new Cursor(b, 0, b.length);
    int[] o = new int[Grammar.MT_SIZE];
    c.skipLws();
    if (!Grammar.mediaType(c, o, 0)) {
      throw new IllegalArgumentException("invalid media type (" + c.error() + "): " + text);
    }
    return read(b, o, 0);
  }

  static MediaType read(byte[] b, int[] o, int k) {
    return new MediaType(
        Text.ascii(b, o[k + Grammar.MT_TYPE_S], o[k + Grammar.MT_TYPE_E]),
        Text.ascii(b, o[k + Grammar.MT_SUBTYPE_S], o[k + Grammar.MT_SUBTYPE_E]),
        Parameters.readHeader(b, o[k + Grammar.MT_PARAMS_S], o[k + Grammar.MT_PARAMS_E]));
  }


  /** The type in lower case, e.g. "application". */
  public String type() {
    return Ascii.lower(type);
  }

  /** The subtype in lower case, e.g. "sdp". */
  public String subtype() {
    return Ascii.lower(subtype);
  }

  public Parameters params() {
    return params;
  }

  /** Whether type and subtype equal {@code type/subtype}, ignoring case and parameters. */
  public boolean is(String typeSlashSubtype) {
    return typeSlashSubtype.equalsIgnoreCase(type + "/" + subtype);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(type).append('/').append(subtype);
    params.render(out);
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MediaType
        && ((MediaType) o).type.equalsIgnoreCase(type)
        && ((MediaType) o).subtype.equalsIgnoreCase(subtype)
        && ((MediaType) o).params.equals(params);
  }

  @Override
  public int hashCode() {
    return type().hashCode() * 31 + subtype().hashCode();
  }
}
