package io.tandem.sip.message;

import io.tandem.sip.syntax.Text;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Builds a message in canonical form: the start line, each header field as
 * {@code Name: value CRLF} with its long name, then Content-Length from the body, an empty line
 * and the body. {@link #build()} reads the result back through {@link MessageScanner}, so a
 * message Tandem builds is held to the same rules as one it receives, and a value that would
 * break the framing (a CR or LF) is refused up front.
 */
public abstract sealed class MessageBuilder<B extends MessageBuilder<B>>
    permits SipRequest.Builder, SipResponse.Builder {
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] COLON_SP = {':', ' '};
  private static final byte[] CONTENT_LENGTH = "Content-Length: ".getBytes(StandardCharsets.US_ASCII);

  private final List<HeaderName> names = new ArrayList<>();
  private final List<byte[]> values = new ArrayList<>();
  private byte[] body = new byte[0];

  MessageBuilder() {}

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  /** Appends a header field. */
  public B header(HeaderName name, String value) {
    return addRaw(name, checkedValue(name, value));
  }

  /** Appends a header field whose value is a typed header's text (Via, NameAddr, CSeq ...). */
  public B header(HeaderName name, Object typedValue) {
    return header(name, typedValue.toString());
  }

  /** Inserts a header field before the first field of the same name (or appends it): a new top Via. */
  public B headerFirst(HeaderName name, Object value) {
    byte[] bytes = checkedValue(name, value.toString());
    int at = names.indexOf(name);
    if (at < 0) {
      return addRaw(name, bytes);
    }
    names.add(at, name);
    values.add(at, bytes);
    return self();
  }

  /** Replaces every field named {@code name} by one with {@code value}, where the first one was. */
  public B set(HeaderName name, Object value) {
    byte[] bytes = checkedValue(name, value.toString());
    int at = names.indexOf(name);
    remove(name);
    if (at < 0 || at > names.size()) {
      return addRaw(name, bytes);
    }
    names.add(at, name);
    values.add(at, bytes);
    return self();
  }

  /** Removes every field named {@code name}. */
  public B remove(HeaderName name) {
    for (int i = names.size() - 1; i >= 0; i--) {
      if (names.get(i).equals(name)) {
        names.remove(i);
        values.remove(i);
      }
    }
    return self();
  }

  /** Removes the first field named {@code name} (e.g. the top Via when a response goes back). */
  public B removeFirst(HeaderName name) {
    int at = names.indexOf(name);
    if (at >= 0) {
      names.remove(at);
      values.remove(at);
    }
    return self();
  }

  /** Sets the body and its Content-Type. */
  public B body(MediaType type, byte[] body) {
    set(HeaderName.CONTENT_TYPE, type);
    return bodyOnly(body);
  }

  /** Sets no body and no Content-Type. */
  public B noBody() {
    remove(HeaderName.CONTENT_TYPE);
    return bodyOnly(new byte[0]);
  }

  B bodyOnly(byte[] body) {
    this.body = body.clone();
    return self();
  }

  B addRaw(HeaderName name, byte[] value) {
    names.add(Objects.requireNonNull(name));
    values.add(value);
    return self();
  }

  private static byte[] checkedValue(HeaderName name, String value) {
    if (name.equals(HeaderName.CONTENT_LENGTH)) {
      throw new IllegalArgumentException("Content-Length follows from the body; set the body");
    }
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("CR or LF in the value of " + name);
    }
    return Text.utf8(value.strip());
  }

  /** The start line without CRLF. */
  abstract String startLine();

  /**
   * The message.
   *
   * @throws IllegalArgumentException if it would not be a sound message, saying why
   */
  public SipMessage buildMessage() {
    byte[] start = startLine().getBytes(StandardCharsets.UTF_8);
    byte[] length = Integer.toString(body.length).getBytes(StandardCharsets.US_ASCII);
    int size = start.length + 2 + CONTENT_LENGTH.length + length.length + 4 + body.length;
    byte[][] nameBytes = new byte[names.size()][];
    for (int i = 0; i < names.size(); i++) {
      nameBytes[i] = names.get(i).name().getBytes(StandardCharsets.US_ASCII);
      size += nameBytes[i].length + 2 + values.get(i).length + 2;
    }
    byte[] out = new byte[size];
    int p = put(out, 0, start);
    p = put(out, p, CRLF);
    for (int i = 0; i < nameBytes.length; i++) {
      p = put(out, p, nameBytes[i]);
      p = put(out, p, COLON_SP);
      p = put(out, p, values.get(i));
      p = put(out, p, CRLF);
    }
    p = put(out, p, CONTENT_LENGTH);
    p = put(out, p, length);
    p = put(out, p, CRLF);
    p = put(out, p, CRLF);
    int bodyStart = p;
    put(out, p, body);
    MessageScanner scanner = new MessageScanner(Integer.MAX_VALUE, Integer.MAX_VALUE);
    if (!scanner.scan(out, 0, bodyStart)) {
      throw new IllegalArgumentException(
          "not a sound message: " + scanner.defect().reason() + " (" + scanner.defect().detail() + ")");
    }
    return scanner.toMessage(bodyStart, body.length, false, true);
  }

  private static int put(byte[] out, int p, byte[] src) {
    System.arraycopy(src, 0, out, p, src.length);
    return p + src.length;
  }
}
