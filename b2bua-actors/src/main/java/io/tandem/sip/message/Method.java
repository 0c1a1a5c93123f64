package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.CharClass;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A SIP request method: one of the methods Tandem knows, or an extension method carried as its
 * token (RFC 3261 section 7.1; methods are case-sensitive).
 */
public final class Method {
  public static final Method INVITE = new Method("INVITE");
  public static final Method ACK = new Method("ACK");
  public static final Method BYE = new Method("BYE");
  public static final Method CANCEL = new Method("CANCEL");
  public static final Method OPTIONS = new Method("OPTIONS");
  public static final Method REGISTER = new Method("REGISTER");
  public static final Method SUBSCRIBE = new Method("SUBSCRIBE");
  public static final Method NOTIFY = new Method("NOTIFY");
  public static final Method PUBLISH = new Method("PUBLISH");
  public static final Method REFER = new Method("REFER");
  public static final Method MESSAGE = new Method("MESSAGE");
  public static final Method PRACK = new Method("PRACK");
  public static final Method UPDATE = new Method("UPDATE");
  public static final Method INFO = new Method("INFO");

  /** RFC 3261 methods and the extensions carriers use around them (3262, 3311, 3428, ...). */
  public static final List<Method> KNOWN =
      List.of(
          INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER, SUBSCRIBE, NOTIFY, PUBLISH, REFER, MESSAGE,
          PRACK, UPDATE, INFO);

  private final String name;

  private Method(String name) {
    this.name = name;
  }

  /** The method named {@code token}; an extension method if it is none of {@link #KNOWN}. */
  public static Method of(String token) {
    if (!CharClass.isToken(token)) {
      throw new IllegalArgumentException("method must be a token: " + token);
    }
    for (Method m : KNOWN) {
      if (m.name.equals(token)) {
        return m;
      }
    }
    return new Method(token);
  }

  /** The method whose token is octets [s, e), which the caller has checked to be a token. */
  public static Method of(byte[] b, int s, int e) {
    for (Method m : KNOWN) {
      if (Ascii.equals(b, s, e, m.name)) {
        return m;
      }
    }
    return new Method(new String(b, s, e - s, StandardCharsets.ISO_8859_1));
  }

  public String name() {
    return name;
  }

  /** Whether this is one of {@link #KNOWN} rather than an extension method. */
  public boolean isKnown() {
    return KNOWN.contains(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Method && ((Method) o).name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public String toString() {
    return name;
  }
}
