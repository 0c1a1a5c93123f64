package io.tandem.transport;

import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Identifiers;
import io.tandem.sip.message.Headers;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.Via;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The answer the transport itself gives a request it could not parse (RFC 3261 section 8.2,
 * RFC 4475 section 3.3): the status and reason of the {@link ParseResult.Malformed} verdict,
 * with Via, From, To (plus a tag), Call-ID and CSeq copied as far as they could be read.
 *
 * <p>The answer is written as octets, not built as a {@code SipResponse}: a request missing
 * From or Call-ID still gets its 400, and such a response would not pass the builder.
 */
final class MalformedAnswer {
  /**
   * The answer's octets and the stamped top Via it is routed by, or null when the Via could
   * not be read: the answer then goes back to the source address.
   */
  record Answer(byte[] octets, Via topVia) {}

  private MalformedAnswer() {}

  /**
   * The answer to {@code m}, received from {@code source}; empty if it cannot be answered: no
   * Via header at all, or an ACK (which never gets a response, RFC 3261 section 17.2.1).
   */
  static Optional<Answer> of(ParseResult.Malformed m, InetSocketAddress source) {
    if (!m.answerable()) {
      return Optional.empty();
    }
    Headers h = m.headers();
    Optional<CSeq> cseq = parsed(h, HeaderName.CSEQ, v -> SipHeaders.CSEQ.parse(v).get(0));
    if (cseq.isPresent() && Method.ACK.equals(cseq.get().method())) {
      return Optional.empty();
    }
    StringBuilder out = new StringBuilder(512);
    out.append("SIP/2.0 ").append(m.status()).append(' ').append(oneLine(m.reason())).append("\r\n");
    String firstVia = value(h, h.indexOf(HeaderName.VIA, 0));
    Via top;
    try {
      List<Via> firstField = SipHeaders.VIA.parse(firstVia);
      top = ViaRules.stamp(firstField.get(0), source);
      out.append("Via: ").append(top);
      firstField.stream().skip(1).forEach(v -> out.append(", ").append(v));
    } catch (IllegalArgumentException e) {
      // The Via itself is what is wrong (RFC 4475 badinv01): echo it as received, so that the
      // client can still match the 400, which goes back to the source address.
      top = null;
      out.append("Via: ").append(firstVia);
    }
    out.append("\r\n");
    for (int i = h.indexOf(HeaderName.VIA, h.indexOf(HeaderName.VIA, 0) + 1); i >= 0;
        i = h.indexOf(HeaderName.VIA, i + 1)) {
      String v = value(h, i);
      if (valid(() -> SipHeaders.VIA.parse(v))) {
        out.append("Via: ").append(v).append("\r\n");
      }
    }
    copy(h, HeaderName.FROM, v -> SipHeaders.FROM.parse(v).get(0).toString(), out);
    // RFC 3261 section 8.2.6.2: a To tag when the request had none.
    copy(h, HeaderName.TO, v -> {
      NameAddr to = SipHeaders.TO.parse(v).get(0);
      return to.tag().isPresent() ? v : to.withTag(Identifiers.newTag()).toString();
    }, out);
    copy(h, HeaderName.CALL_ID, v -> SipHeaders.CALL_ID.parse(v).get(0), out);
    copy(h, HeaderName.CSEQ, v -> SipHeaders.CSEQ.parse(v).get(0).toString(), out);
    if (m.status() == 420 && !m.unsupported().isEmpty()) {
      out.append("Unsupported: ").append(String.join(", ", m.unsupported())).append("\r\n");
    }
    out.append("Content-Length: 0\r\n\r\n");
    return Optional.of(new Answer(out.toString().getBytes(StandardCharsets.UTF_8), top));
  }

  private interface Reader<T> {
    T read(String value);
  }

  private static <T> Optional<T> parsed(Headers h, HeaderName name, Reader<T> reader) {
    int i = h.indexOf(name, 0);
    if (i < 0) {
      return Optional.empty();
    }
    try {
      return Optional.of(reader.read(value(h, i)));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Appends the first {@code name} field as {@code reader} renders it, if it can be read. */
  private static void copy(Headers h, HeaderName name, Reader<String> reader, StringBuilder out) {
    parsed(h, name, reader).ifPresent(v -> out.append(name.name()).append(": ").append(v).append("\r\n"));
  }

  private static boolean valid(Runnable check) {
    try {
      check.run();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String value(Headers h, int i) {
    return oneLine(h.value(i));
  }

  /** Folds removed and stray CR or LF blanked, so a copied value cannot break the framing. */
  private static String oneLine(String s) {
    return s.replace("\r\n", "").replace('\r', ' ').replace('\n', ' ').strip();
  }
}
