package io.tandem.sip.message;

import io.tandem.sip.syntax.Text;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The header fields of a message, in order, as slices of the message's octets.
 *
 * <p>Nothing is decoded until asked for: {@link #value(int)} turns a slice into text, and
 * {@link #get(HeaderType)} reads typed values. Unknown headers keep their name and value as
 * written. Content-Length is not among them: a message's body defines it.
 */
public final class Headers implements Iterable<HeaderField> {
  /** Index layout per field: meta (name id, fold flag, name length), name start, value start, value end. */
  static final int STRIDE = 4;

  static final int UNKNOWN_ID = 0xFFFF;
  static final int FOLDED = 1 << 16;
  static final int NAME_LENGTH_SHIFT = 17;
  static final int MAX_NAME_LENGTH = (1 << (32 - NAME_LENGTH_SHIFT - 1)) - 1;

  private final byte[] raw;
  private final int[] index;
  private final int count;

  Headers(byte[] raw, int[] index, int count) {
    this.raw = raw;
    this.index = index;
    this.count = count;
  }

  static int meta(int nameId, boolean folded, int nameLength) {
    return nameId | (folded ? FOLDED : 0) | nameLength << NAME_LENGTH_SHIFT;
  }

  byte[] raw() {
    return raw;
  }

  int nameId(int i) {
    return index[i * STRIDE] & 0xFFFF;
  }

  int nameStart(int i) {
    return index[i * STRIDE + 1];
  }

  int nameLength(int i) {
    return index[i * STRIDE] >>> NAME_LENGTH_SHIFT;
  }

  int valueStart(int i) {
    return index[i * STRIDE + 2];
  }

  int valueEnd(int i) {
    return index[i * STRIDE + 3];
  }

  boolean isFolded(int i) {
    return (index[i * STRIDE] & FOLDED) != 0;
  }

  /** The number of header fields. */
  public int size() {
    return count;
  }

  /** The name of field {@code i}. */
  public HeaderName name(int i) {
    int id = nameId(i);
    if (id != UNKNOWN_ID) {
      return HeaderName.byId(id);
    }
    return HeaderName.of(new String(raw, nameStart(i), nameLength(i), StandardCharsets.ISO_8859_1));
  }

  /** The value of field {@code i} as text. */
  public String value(int i) {
    return Text.decode(raw, valueStart(i), valueEnd(i));
  }

  public HeaderField field(int i) {
    return new HeaderField(name(i), value(i));
  }

  /** The index of the first field named {@code name} at or after {@code from}, or -1. */
  public int indexOf(HeaderName name, int from) {
    int id = name.id();
    for (int i = from; i < count; i++) {
      int fieldId = nameId(i);
      if (fieldId == id && id >= 0 || id < 0 && fieldId == UNKNOWN_ID && name.equals(name(i))) {
        return i;
      }
    }
    return -1;
  }

  public boolean contains(HeaderName name) {
    return indexOf(name, 0) >= 0;
  }

  /** The value of the first field named {@code name}. */
  public Optional<String> first(HeaderName name) {
    int i = indexOf(name, 0);
    return i < 0 ? Optional.empty() : Optional.of(value(i));
  }

  /** The values of every field named {@code name}, in order (not split at commas). */
  public List<String> values(HeaderName name) {
    List<String> out = new ArrayList<>(2);
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      out.add(value(i));
    }
    return out;
  }

  /** The typed value of a header: the first value, or for a single-valued header the only one. */
  public <T> HeaderResult<T> get(HeaderType<T> type) {
    return type.first(this);
  }

  /** Every typed value of a header, across all its fields; an empty list if absent. */
  public <T> HeaderResult<List<T>> getAll(HeaderType<T> type) {
    return type.all(this);
  }

  /** The fields as a list. */
  public List<HeaderField> asList() {
    return new AbstractList<>() {
      @Override
      public HeaderField get(int i) {
        return field(i);
      }

      @Override
      public int size() {
        return count;
      }
    };
  }

  @Override
  public Iterator<HeaderField> iterator() {
    return asList().iterator();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Headers)) {
      return false;
    }
    Headers h = (Headers) o;
    if (h.count != count) {
      return false;
    }
    for (int i = 0; i < count; i++) {
      if (!name(i).equals(h.name(i)) || !sameValue(h, i)) {
        return false;
      }
    }
    return true;
  }

  private boolean sameValue(Headers h, int i) {
    if (!isFolded(i) && !h.isFolded(i)) {
      int len = valueEnd(i) - valueStart(i);
      return len == h.valueEnd(i) - h.valueStart(i)
          && java.util.Arrays.equals(
              raw, valueStart(i), valueEnd(i), h.raw, h.valueStart(i), h.valueEnd(i));
    }
    return java.util.Arrays.equals(
        Text.unfold(raw, valueStart(i), valueEnd(i)),
        Text.unfold(h.raw, h.valueStart(i), h.valueEnd(i)));
  }

  @Override
  public int hashCode() {
    int hash = count;
    for (int i = 0; i < count; i++) {
      hash = hash * 31 + name(i).hashCode();
    }
    return hash;
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (HeaderField f : this) {
      out.append(f).append("\r\n");
    }
    return out.toString();
  }
}
