package io.tandem.sip.syntax;

/**
 * Character classes of the RFC 3261 section 25 grammar, as one bit mask per octet.
 *
 * <p>Every test is a table load and a mask: no branches per class, no allocation. Octets at or
 * above 0x80 belong to no class here; the few rules that admit UTF-8 (quoted strings, TEXT)
 * test for them explicitly.
 */
public final class CharClass {
  /** alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~" */
  public static final int TOKEN = 1;
  /** token chars plus "(" / ")" / "<" / ">" / ":" / "\" / DQUOTE / "/" / "[" / "]" / "?" / "{" / "}" */
  public static final int WORD = 1 << 1;
  /** alphanum / mark: "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")" */
  public static final int UNRESERVED = 1 << 2;
  /** unreserved plus user-unreserved: "&" / "=" / "+" / "$" / "," / ";" / "?" / "/" */
  public static final int USER = 1 << 3;
  /** unreserved plus "&" / "=" / "+" / "$" / "," */
  public static final int PASSWORD = 1 << 4;
  /** unreserved plus param-unreserved: "[" / "]" / "/" / ":" / "&" / "+" / "$" */
  public static final int PARAM = 1 << 5;
  /** unreserved plus hnv-unreserved: "[" / "]" / "/" / "?" / ":" / "+" / "$" */
  public static final int HNV = 1 << 6;
  /** alphanum / "-" / "." and, as deployed hosts use it, "_" */
  public static final int HOST = 1 << 7;
  public static final int DIGIT = 1 << 8;
  public static final int HEX = 1 << 9;
  public static final int ALPHA = 1 << 10;
  /** SP / HTAB */
  public static final int WSP = 1 << 11;
  /** ALPHA / DIGIT / "+" / "-" / "." (URI scheme after its first letter) */
  public static final int SCHEME = 1 << 12;
  /** RFC 2396 uric: reserved / unreserved (escaped is tested separately) */
  public static final int URIC = 1 << 13;
  /** RFC 3966 phonedigit-hex / "*" / "#" / visual separators / "+" */
  public static final int TEL = 1 << 14;
  /** %x20-7E and HTAB: printable US-ASCII for TEXT-UTF8 and reason phrases */
  public static final int TEXT = 1 << 15;

  private static final int[] TABLE = new int[256];

  static {
    for (int c = 'a'; c <= 'z'; c++) {
      add(c, ALPHA);
      add(Character.toUpperCase(c), ALPHA);
    }
    for (int c = '0'; c <= '9'; c++) {
      add(c, DIGIT | HEX);
    }
    for (int c : "abcdefABCDEF".toCharArray()) {
      add(c, HEX);
    }
    int alphanum = ALPHA | DIGIT;
    for (int c = 0; c < 256; c++) {
      if ((TABLE[c] & alphanum) != 0) {
        add(c, TOKEN | WORD | UNRESERVED | USER | PASSWORD | PARAM | HNV | HOST | SCHEME | URIC);
      }
    }
    addAll("-.!%*_+`'~", TOKEN | WORD);
    addAll("()<>:\\\"/[]?{}", WORD);
    addAll("-_.!~*'()", UNRESERVED | USER | PASSWORD | PARAM | HNV | URIC);
    addAll("&=+$,;?/", USER);
    addAll("&=+$,", PASSWORD);
    addAll("[]/:&+$", PARAM);
    addAll("[]/?:+$", HNV);
    addAll("-._", HOST);
    addAll("+-.", SCHEME);
    addAll(";/?:@&=+$,[]#", URIC);
    addAll("0123456789abcdefABCDEF*#-.()+", TEL);
    addAll(" \t", WSP);
    add('\t', TEXT);
    for (int c = 0x20; c < 0x7f; c++) {
      add(c, TEXT);
    }
  }

  private CharClass() {}

  private static void add(int c, int mask) {
    TABLE[c] |= mask;
  }

  private static void addAll(String chars, int mask) {
    for (int i = 0; i < chars.length(); i++) {
      add(chars.charAt(i), mask);
    }
  }

  /** Whether octet {@code b} (any byte, signed or not) is in every class of {@code mask}. */
  public static boolean is(int b, int mask) {
    return (TABLE[b & 0xff] & mask) != 0;
  }

  public static boolean isToken(int b) {
    return (TABLE[b & 0xff] & TOKEN) != 0;
  }

  public static boolean isDigit(int b) {
    return (TABLE[b & 0xff] & DIGIT) != 0;
  }

  public static boolean isWsp(int b) {
    return b == ' ' || b == '\t';
  }

  /** Value of a hex digit, or -1. */
  public static int hexValue(int b) {
    if (b >= '0' && b <= '9') {
      return b - '0';
    }
    int lower = b | 0x20;
    return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
  }

  /** ASCII lower case of an octet; other octets unchanged. */
  public static int lower(int b) {
    return b >= 'A' && b <= 'Z' ? b | 0x20 : b & 0xff;
  }

  /** Whether {@code s} is a non-empty token. */
  public static boolean isToken(CharSequence s) {
    if (s.length() == 0) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c > 0xff || !isToken(c)) {
        return false;
      }
    }
    return true;
  }
}
