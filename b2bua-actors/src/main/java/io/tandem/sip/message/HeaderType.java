package io.tandem.sip.message;

import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Text;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to read one header as typed values: its name, its shape, and a reader for one element.
 * {@link SipHeaders} holds the types Tandem knows.
 *
 * <p>Shapes: {@code SINGLE} headers have one value in one field (CSeq, Expires); {@code LIST}
 * headers have comma-separated values, possibly over several fields (Via, Supported);
 * {@code PER_FIELD} headers have one value per field, commas being part of it
 * (WWW-Authenticate).
 */
public final class HeaderType<T> {
  /** Reads one element at {@code c.pos}; returns null (with {@code c.error()}) if it is invalid. */
  @FunctionalInterface
  public interface Reader<T> {
    T read(Cursor c);
  }

  enum Shape {
    SINGLE,
    LIST,
    /** A list whose value may be empty (Accept, Allow, Supported: RFC 3261 section 25.1). */
    OPTIONAL_LIST,
    PER_FIELD
  }

  private final HeaderName name;
  private final Shape shape;
  private final Reader<T> reader;

  private HeaderType(HeaderName name, Shape shape, Reader<T> reader) {
    this.name = Objects.requireNonNull(name);
    this.shape = shape;
    this.reader = reader;
  }

  public static <T> HeaderType<T> single(HeaderName name, Reader<T> reader) {
    return new HeaderType<>(name, Shape.SINGLE, reader);
  }

  public static <T> HeaderType<T> list(HeaderName name, Reader<T> reader) {
    return new HeaderType<>(name, Shape.LIST, reader);
  }

  /**
   * A comma-separated list that may be empty: an empty value is no values, which differs from
   * the header being absent (an empty Accept accepts no body, RFC 3261 section 20.1).
   */
  public static <T> HeaderType<T> optionalList(HeaderName name, Reader<T> reader) {
    return new HeaderType<>(name, Shape.OPTIONAL_LIST, reader);
  }

  public static <T> HeaderType<T> perField(HeaderName name, Reader<T> reader) {
    return new HeaderType<>(name, Shape.PER_FIELD, reader);
  }

  public HeaderName name() {
    return name;
  }

  /** Parses {@code text} as the value of one field of this header. */
  public List<T> parse(String text) {
    byte[] b = Text.utf8(text);
    List<T> out = new ArrayList<>(1);
    String error = readField(b, 0, b.length, out);
    if (error != null) {
      throw new IllegalArgumentException("invalid " + name + " (" + error + "): " + text);
    }
    return out;
  }

  /** Reads the elements of field value [s, e) into {@code out}; returns null or the reason it is invalid. */
  String readField(byte[] b, int s, int e, List<T> out) {
    return readField(b, s, e, out, false);
  }

  /** With {@code firstOnly}, stops after the first element of a list. */
  private String readField(byte[] b, int s, int e, List<T> out, boolean firstOnly) {
    Cursor c = new Cursor(b, s, e);
    c.skipLws();
    boolean list = shape == Shape.LIST || shape == Shape.OPTIONAL_LIST;
    if (shape == Shape.OPTIONAL_LIST && c.atEnd()) {
      return null;
    }
    while (true) {
      T value = reader.read(c);
      if (value == null) {
        return c.error() == null ? "invalid value" : c.error();
      }
      out.add(value);
      if (!list || !c.acceptSeparator(',')) {
        break;
      }
      if (firstOnly) {
        return null;
      }
    }
    c.skipLws();
    return c.atEnd() ? null : "unexpected text after value";
  }

  /**
   * The first value in {@code headers}: for a SINGLE header the only one (more than one field is
   * invalid); for a list the first element, provided the whole field is valid.
   */
  HeaderResult<T> first(Headers headers) {
    return first(headers, false);
  }

  /**
   * The first element of the first field without reading the elements after it: for headers
   * the parser has already checked (the top Via).
   */
  HeaderResult<T> firstElementOfChecked(Headers headers) {
    return first(headers, true);
  }

  private HeaderResult<T> first(Headers headers, boolean firstOnly) {
    int field = headers.indexOf(name, 0);
    if (field < 0) {
      return new HeaderResult.Absent<>();
    }
    if (shape == Shape.SINGLE && headers.indexOf(name, field + 1) >= 0) {
      return new HeaderResult.Invalid<>(name, "more than one " + name + " header");
    }
    List<T> values = new ArrayList<>(1);
    String error =
        readField(headers.raw(), headers.valueStart(field), headers.valueEnd(field), values,
            firstOnly);
    if (error != null) {
      return new HeaderResult.Invalid<>(name, error);
    }
    return values.isEmpty() ? new HeaderResult.Absent<>() : new HeaderResult.Present<>(values.get(0));
  }

  /** Every value in {@code headers}, in order; an empty list if the header is absent. */
  HeaderResult<List<T>> all(Headers headers) {
    List<T> values = new ArrayList<>(2);
    int fields = 0;
    for (int i = headers.indexOf(name, 0); i >= 0; i = headers.indexOf(name, i + 1)) {
      if (shape == Shape.SINGLE && ++fields > 1) {
        return new HeaderResult.Invalid<>(name, "more than one " + name + " header");
      }
      String error = readField(headers.raw(), headers.valueStart(i), headers.valueEnd(i), values);
      if (error != null) {
        return new HeaderResult.Invalid<>(name, error);
      }
    }
    return new HeaderResult.Present<>(List.copyOf(values));
  }

  @Override
  public String toString() {
    return name.name();
  }
}
