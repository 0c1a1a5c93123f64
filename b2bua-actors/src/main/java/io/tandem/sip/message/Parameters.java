package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.CharClass;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Text;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * An ordered list of {@code name[=value]} parameters, as on a URI or after a header value.
 *
 * <p>Names compare case-insensitively. Values are kept as written: escaped for URI parameters,
 * with their quotes for quoted-string header parameters ({@link #text} removes them). The
 * owner of the list (URI, address, Via) checks that what it renders is valid.
 */
public final class Parameters implements Iterable<Parameters.Parameter> {
  /** One parameter; {@code value} is null for a parameter without "=". */
  public record Parameter(String name, String value) {
    public Parameter {
      if (!isName(name)) {
        throw new IllegalArgumentException("invalid parameter name: " + name);
      }
    }

    /** A token (header parameters) or paramchar / hname characters with escapes (URIs). */
    private static boolean isName(String name) {
      int mask = CharClass.TOKEN | CharClass.PARAM | CharClass.HNV;
      for (int i = 0; i < name.length(); i++) {
        char ch = name.charAt(i);
        if (ch >= 0x80 || !CharClass.is(ch, mask)) {
          return false;
        }
      }
      return !name.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Parameter
          && ((Parameter) o).name.equalsIgnoreCase(name)
          && java.util.Objects.equals(((Parameter) o).value, value);
    }

    @Override
    public int hashCode() {
      return Ascii.lower(name).hashCode() * 31 + java.util.Objects.hashCode(value);
    }
  }

  public static final Parameters EMPTY = new Parameters(List.of());

  private final List<Parameter> list;

  private Parameters(List<Parameter> list) {
    this.list = list;
  }

  public static Parameters of(List<Parameter> list) {
    return list.isEmpty() ? EMPTY : new Parameters(List.copyOf(list));
  }

  /** The value of the first parameter named {@code name}; empty if absent or without value. */
  public Optional<String> get(String name) {
    for (Parameter p : list) {
      if (p.name.equalsIgnoreCase(name)) {
        return Optional.ofNullable(p.value);
      }
    }
    return Optional.empty();
  }

  /** Like {@link #get} with the quotes of a quoted-string value removed and its escapes resolved. */
  public Optional<String> text(String name) {
    return get(name)
        .map(
            v -> {
              if (v.length() >= 2 && v.charAt(0) == '"') {
                byte[] b = v.getBytes(StandardCharsets.UTF_8);
                return Text.unquote(b, 0, b.length);
              }
              return v;
            });
  }

  public boolean contains(String name) {
    for (Parameter p : list) {
      if (p.name.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** A copy with {@code name} set to {@code value} (null: no value), replacing the first one. */
  public Parameters with(String name, String value) {
    List<Parameter> copy = new ArrayList<>(list);
    Parameter p = new Parameter(name, value);
    for (int i = 0; i < copy.size(); i++) {
      if (copy.get(i).name.equalsIgnoreCase(name)) {
        copy.set(i, p);
        return new Parameters(Collections.unmodifiableList(copy));
      }
    }
    copy.add(p);
    return new Parameters(Collections.unmodifiableList(copy));
  }

  /** A copy without any parameter named {@code name}. */
  public Parameters without(String name) {
    List<Parameter> copy = new ArrayList<>(list);
    copy.removeIf(p -> p.name.equalsIgnoreCase(name));
    return copy.size() == list.size() ? this : of(copy);
  }

  public int size() {
    return list.size();
  }

  public boolean isEmpty() {
    return list.isEmpty();
  }

  public List<Parameter> asList() {
    return list;
  }

  @Override
  public Iterator<Parameter> iterator() {
    return list.iterator();
  }

  /** Appends {@code ;name=value} for each parameter. */
  public void render(StringBuilder out) {
    for (Parameter p : list) {
      out.append(';').append(p.name);
      if (p.value != null) {
        out.append('=').append(p.value);
      }
    }
  }

  /** URI parameters in a validated extent [s, e): {@code name[=value]} separated by ";". */
  static Parameters readUri(byte[] b, int s, int e) {
    if (s < 0) {
      return EMPTY;
    }
    List<Parameter> out = new ArrayList<>(4);
    int p = s;
    while (p < e) {
      int semi = p;
      while (semi < e && b[semi] != ';') {
        semi++;
      }
      int eq = p;
      while (eq < semi && b[eq] != '=') {
        eq++;
      }
      String name = Text.ascii(b, p, eq);
      String value = eq < semi ? Text.ascii(b, eq + 1, semi) : null;
      out.add(new Parameter(name, value));
      p = semi + 1;
    }
    return new Parameters(Collections.unmodifiableList(out));
  }

  /** Header parameters (SEMI generic-param) in a validated extent [s, e). */
  static Parameters readHeader(byte[] b, int s, int e) {
    if (s < 0) {
      return EMPTY;
    }
    List<Parameter> out = new ArrayList<>(2);
    Cursor c = new Cursor(b, s, e);
    int[] o = new int[Grammar.PARAM_SIZE];
    do {
      c.skipLws();
      if (!Grammar.genericParam(c, o, 0)) {
        throw new IllegalStateException("unvalidated parameters: " + c.error());
      }
      String name = Text.ascii(b, o[Grammar.P_NAME_S], o[Grammar.P_NAME_E]);
      int vs = o[Grammar.P_VALUE_S];
      String value = vs < 0 ? null : Text.decode(b, vs, o[Grammar.P_VALUE_E]);
      out.add(new Parameter(name, value));
    } while (c.acceptSeparator(';'));
    return new Parameters(Collections.unmodifiableList(out));
  }


  @Override
  public boolean equals(Object o) {
    return o instanceof Parameters && ((Parameters) o).list.equals(list);
  }

  @Override
  public int hashCode() {
    return list.hashCode();
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    render(out);
    return out.toString();
  }
}
