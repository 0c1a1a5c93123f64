package io.tandem.sip.syntax;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Turning octets of a message into Java text and back: unfolding, quoted strings, %-escapes.
 *
 * <p>SIP text is UTF-8 (RFC 3261 section 25.1, TEXT-UTF8). Legacy equipment still sends
 * ISO-8859-1 in display names; a value that is not valid UTF-8 is read as ISO-8859-1 rather than
 * rejected or mangled into U+FFFD, so the text a user sees keeps its letters.
 */
public final class Text {
  private Text() {}

  /** Decodes [s, e): each fold (LWS containing CRLF) becomes one SP. */
  public static String decode(byte[] b, int s, int e) {
    boolean plain = true;
    for (int i = s; i < e; i++) {
      byte x = b[i];
      if (x < 0 || x == '\r') {
        plain = false;
        break;
      }
    }
    if (plain) {
      return new String(b, s, e - s, StandardCharsets.ISO_8859_1);
    }
    byte[] unfolded = unfold(b, s, e);
    return utf8OrLatin1(unfolded, 0, unfolded.length);
  }

  /** The octets of [s, e) with every fold replaced by one SP. */
  public static byte[] unfold(byte[] b, int s, int e) {
    byte[] out = new byte[e - s];
    int n = 0;
    int i = s;
    while (i < e) {
      byte x = b[i];
      if (x == '\r' || x == '\n') {
        while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t')) {
          n--;
        }
        while (i < e && (b[i] == '\r' || b[i] == '\n' || b[i] == ' ' || b[i] == '\t')) {
          i++;
        }
        out[n++] = ' ';
      } else {
        out[n++] = x;
        i++;
      }
    }
    return n == out.length ? out : java.util.Arrays.copyOf(out, n);
  }

  /** Whether [s, e) contains a fold. */
  public static boolean hasFold(byte[] b, int s, int e) {
    for (int i = s; i < e; i++) {
      if (b[i] == '\r' || b[i] == '\n') {
        return true;
      }
    }
    return false;
  }

  /** UTF-8 if the octets are valid UTF-8, otherwise ISO-8859-1. */
  public static String utf8OrLatin1(byte[] b, int s, int len) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, s, len))
          .toString();
    } catch (CharacterCodingException notUtf8) {
      return new String(b, s, len, StandardCharsets.ISO_8859_1);
    }
  }

  /** The content of the quoted-string at [s, e) (quotes included), quoted-pairs resolved. */
  public static String unquote(byte[] b, int s, int e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(e - s);
    byte[] unfolded = unfold(b, s + 1, e - 1);
    for (int i = 0; i < unfolded.length; i++) {
      byte x = unfolded[i];
      if (x == '\\' && i + 1 < unfolded.length) {
        x = unfolded[++i];
      }
      out.write(x);
    }
    byte[] raw = out.toByteArray();
    return utf8OrLatin1(raw, 0, raw.length);
  }

  /** {@code s} as a quoted-string: DQUOTE, with DQUOTE and backslash escaped, DQUOTE. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"' || ch == '\\') {
        out.append('\\');
      }
      if (ch == '\r' || ch == '\n') {
        throw new IllegalArgumentException("CR or LF in quoted text");
      }
      out.append(ch);
    }
    return out.append('"').toString();
  }

  /** Decodes %HH escapes; the octets so found are read as UTF-8 (or ISO-8859-1). */
  public static String unescape(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length);
    for (int i = 0; i < raw.length; i++) {
      int hi = i + 2 < raw.length ? CharClass.hexValue(raw[i + 1]) : -1;
      int lo = i + 2 < raw.length ? CharClass.hexValue(raw[i + 2]) : -1;
      if (raw[i] == '%' && hi >= 0 && lo >= 0) {
        out.write(hi << 4 | lo);
        i += 2;
      } else {
        out.write(raw[i]);
      }
    }
    byte[] decoded = out.toByteArray();
    return utf8OrLatin1(decoded, 0, decoded.length);
  }

  /**
   * Escapes {@code s} for a URI component: characters of class {@code mask} stay, every other
   * octet of its UTF-8 form becomes %HH.
   */
  public static String escape(String s, int mask) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(raw.length + 8);
    for (byte x : raw) {
      if (x >= 0 && x != '%' && CharClass.is(x, mask)) {
        out.append((char) x);
      } else {
        out.append('%').append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
      }
    }
    return out.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * The canonical comparison form of an escaped URI component (RFC 3261 section 19.1.4): escapes
   * of unreserved characters are decoded, other escapes keep their octet with upper-case hex.
   */
  public static String normalizeEscapes(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '%' && i + 2 < s.length()) {
        int hi = CharClass.hexValue(s.charAt(i + 1));
        int lo = CharClass.hexValue(s.charAt(i + 2));
        if (hi >= 0 && lo >= 0) {
          int octet = hi << 4 | lo;
          if (octet < 0x80 && CharClass.is(octet, CharClass.UNRESERVED)) {
            out.append((char) octet);
          } else {
            out.append('%').append(HEX[hi]).append(HEX[lo]);
          }
          i += 2;
          continue;
        }
      }
      out.append(ch);
    }
    return out.toString();
  }

  /**
   * Octets [s, e) of ASCII-only syntax (tokens, URI parts, numbers) as text, or null for
   * s &lt; 0 (an absent part). The grammar has already checked they are ASCII.
   */
  public static String ascii(byte[] b, int s, int e) {
    return s < 0 ? null : new String(b, s, e - s, StandardCharsets.ISO_8859_1);
  }

  /** UTF-8 octets of {@code s}. */
  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
