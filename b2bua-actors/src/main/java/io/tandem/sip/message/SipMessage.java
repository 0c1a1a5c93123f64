package io.tandem.sip.message;

import io.tandem.sip.syntax.Text;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A SIP message: a {@link SipRequest} or a {@link SipResponse} (RFC 3261 section 7).
 *
 * <p>A message is immutable and always sound: it is made only by reading octets that pass
 * {@link MessageScanner}, whether they came from the network or from a builder. It keeps those
 * octets and decodes what it is asked for; the core headers (Via, From, To, Call-ID, CSeq,
 * Max-Forwards, Contact, Route, Record-Route, Content-Type) were checked on arrival, so their
 * accessors return values directly, and are computed once.
 *
 * <p>Two messages are equal when they have the same start line, the same header fields in the
 * same order (names compared as names, compact or long, any case; values as unfolded text) and
 * the same body. Content-Length is not a header field here: the body defines it.
 */
public abstract sealed class SipMessage permits SipRequest, SipResponse {
  /** What both kinds of message share, as the scanner found it. */
  record Core(
      Headers headers,
      int start,
      int bodyStart,
      int bodyLength,
      long cseqNumber,
      Method cseqMethod,
      int maxForwards,
      boolean contactWildcard,
      boolean canonical,
      Keys keys) {}

  /**
   * Where the values transactions and dialogs key on lie in the octets, recorded by the
   * scanner so that reading them needs no second parse: the top Via's branch, the From and To
   * tags, the Call-ID. -1 where absent.
   */
  record Keys(int branchS, int branchE, int fromTagS, int fromTagE, int toTagS, int toTagE,
      int callIdS, int callIdE) {
    static final int BRANCH_S = 0;
    static final int BRANCH_E = 1;
    static final int FROM_TAG_S = 2;
    static final int FROM_TAG_E = 3;
    static final int TO_TAG_S = 4;
    static final int TO_TAG_E = 5;
    static final int CALL_ID_S = 6;
    static final int CALL_ID_E = 7;
    static final int SIZE = 8;

    /** The keys in {@code k}, moved {@code by} octets towards the start. */
    static Keys of(int[] k, int by) {
      return new Keys(at(k, BRANCH_S, by), at(k, BRANCH_E, by), at(k, FROM_TAG_S, by),
          at(k, FROM_TAG_E, by), at(k, TO_TAG_S, by), at(k, TO_TAG_E, by), at(k, CALL_ID_S, by),
          at(k, CALL_ID_E, by));
    }

    private static int at(int[] k, int i, int by) {
      return k[i] < 0 ? -1 : k[i] - by;
    }
  }

  final Core core;
  private List<Via> vias;
  private NameAddr from;
  private NameAddr to;
  private String callId;
  private List<NameAddr> contacts;

  SipMessage(Core core) {
    this.core = core;
  }

  public final Headers headers() {
    return core.headers;
  }

  public abstract boolean isRequest();

  /** The start line without its CRLF, e.g. "INVITE sip:bob@example.com SIP/2.0". */
  public abstract String startLine();

  /** The Via values, top first. */
  public final List<Via> vias() {
    List<Via> v = vias;
    if (v == null) {
      vias = v = core.headers.getAll(SipHeaders.VIA).value();
    }
    return v;
  }

  /** The topmost Via: the one this hop's transaction is keyed on. */
  public final Via topVia() {
    List<Via> v = vias;
    return v != null ? v.get(0) : SipHeaders.VIA.firstElementOfChecked(core.headers).value();
  }

  /**
   * The branch of the topmost Via (RFC 3261 section 17.2.3), if it has one, read without
   * building the Via.
   */
  public final Optional<String> topViaBranch() {
    return slice(core.keys.branchS(), core.keys.branchE());
  }

  /** The From tag, read without building the address. */
  public final Optional<String> fromTag() {
    return slice(core.keys.fromTagS(), core.keys.fromTagE());
  }

  /** The To tag, read without building the address. */
  public final Optional<String> toTag() {
    return slice(core.keys.toTagS(), core.keys.toTagE());
  }

  private Optional<String> slice(int s, int e) {
    return s < 0 ? Optional.empty() : Optional.of(Text.ascii(core.headers.raw(), s, e));
  }

  public final NameAddr from() {
    NameAddr f = from;
    if (f == null) {
      from = f = core.headers.get(SipHeaders.FROM).value();
    }
    return f;
  }

  public final NameAddr to() {
    NameAddr t = to;
    if (t == null) {
      to = t = core.headers.get(SipHeaders.TO).value();
    }
    return t;
  }

  public final String callId() {
    String id = callId;
    if (id == null) {
      callId = id = Text.ascii(core.headers.raw(), core.keys.callIdS(), core.keys.callIdE());
    }
    return id;
  }

  public final CSeq cseq() {
    return new CSeq(core.cseqNumber, core.cseqMethod);
  }

  /** Max-Forwards, if present (it is optional on arrival for RFC 2543 senders). */
  public final OptionalInt maxForwards() {
    return core.maxForwards < 0 ? OptionalInt.empty() : OptionalInt.of(core.maxForwards);
  }

  /** The Contact addresses; empty for none and for the wildcard {@code Contact: *}. */
  public final List<NameAddr> contacts() {
    List<NameAddr> c = contacts;
    if (c == null) {
      contacts = c = core.contactWildcard ? List.of() : core.headers.getAll(SipHeaders.CONTACT).value();
    }
    return c;
  }

  /** Whether the message carries {@code Contact: *} (a REGISTER removing all bindings). */
  public final boolean isContactWildcard() {
    return core.contactWildcard;
  }

  public final List<NameAddr> routes() {
    return core.headers.getAll(SipHeaders.ROUTE).value();
  }

  public final List<NameAddr> recordRoutes() {
    return core.headers.getAll(SipHeaders.RECORD_ROUTE).value();
  }

  public final Optional<MediaType> contentType() {
    return core.headers.get(SipHeaders.CONTENT_TYPE).toOptional();
  }

  /** A typed header; see {@link SipHeaders}. */
  public final <T> HeaderResult<T> header(HeaderType<T> type) {
    return core.headers.get(type);
  }

  /** Every value of a typed header. */
  public final <T> HeaderResult<List<T>> headerValues(HeaderType<T> type) {
    return core.headers.getAll(type);
  }

  public final int bodyLength() {
    return core.bodyLength;
  }

  /** A copy of the body. */
  public final byte[] body() {
    return Arrays.copyOfRange(core.headers.raw(), core.bodyStart, core.bodyStart + core.bodyLength);
  }

  /** The body as a read-only buffer, without copying. */
  public final ByteBuffer bodyBuffer() {
    return ByteBuffer.wrap(core.headers.raw(), core.bodyStart, core.bodyLength).asReadOnlyBuffer();
  }

  /** The body read as UTF-8 text. */
  public final String bodyText() {
    return new String(core.headers.raw(), core.bodyStart, core.bodyLength, StandardCharsets.UTF_8);
  }

  /**
   * Whether this message's octets are already in canonical form (it was built, not received),
   * so rendering it is a copy.
   */
  public final boolean isCanonical() {
    return core.canonical;
  }

  /** The message's octets as stored, from the start line to the end of the body. */
  public final ByteBuffer octets() {
    int end = core.bodyStart + core.bodyLength;
    return ByteBuffer.wrap(core.headers.raw(), core.start, end - core.start).asReadOnlyBuffer();
  }

  final byte[] raw() {
    return core.headers.raw();
  }

  /** A builder holding this message's start line, header fields and body, to derive a new one. */
  public abstract MessageBuilder<?> toBuilder();

  final <B extends MessageBuilder<B>> B copyInto(B builder) {
    Headers h = core.headers;
    for (int i = 0; i < h.size(); i++) {
      byte[] value =
          h.isFolded(i)
              ? io.tandem.sip.syntax.Text.unfold(h.raw(), h.valueStart(i), h.valueEnd(i))
              : Arrays.copyOfRange(h.raw(), h.valueStart(i), h.valueEnd(i));
      builder.addRaw(h.name(i), value);
    }
    builder.bodyOnly(body());
    return builder;
  }

  final boolean sameHeadersAndBody(SipMessage m) {
    return core.headers.equals(m.core.headers)
        && Arrays.equals(
            raw(), core.bodyStart, core.bodyStart + core.bodyLength,
            m.raw(), m.core.bodyStart, m.core.bodyStart + m.core.bodyLength);
  }

  /** The message as text (body read as UTF-8), for logs and tests. */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(256).append(startLine()).append("\r\n");
    out.append(core.headers);
    out.append("Content-Length: ").append(core.bodyLength).append("\r\n\r\n");
    return out.append(bodyText()).toString();
  }
}
