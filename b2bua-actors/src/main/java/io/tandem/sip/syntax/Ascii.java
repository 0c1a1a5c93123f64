package io.tandem.sip.syntax;

/** Case-insensitive comparison of ASCII text held as octets. */
public final class Ascii {
  private Ascii() {}

  /** Whether octets [s, e) equal {@code text} ignoring ASCII case. */
  public static boolean equalsIgnoreCase(byte[] b, int s, int e, String text) {
    if (e - s != text.length()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if (CharClass.lower(b[s + i]) != CharClass.lower(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether octets [s, e) equal {@code text} exactly. */
  public static boolean equals(byte[] b, int s, int e, String text) {
    if (e - s != text.length()) {
      return false;
    }
    for (int i = 0; i < text.length(); i++) {
      if ((b[s + i] & 0xff) != text.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** ASCII lower case of {@code s} (locale-independent). */
  public static String lower(String s) {
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch >= 'A' && ch <= 'Z') {
        char[] chars = s.toCharArray();
        for (int j = i; j < chars.length; j++) {
          if (chars[j] >= 'A' && chars[j] <= 'Z') {
            chars[j] = (char) (chars[j] | 0x20);
          }
        }
        return new String(chars);
      }
    }
    return s;
  }
}
