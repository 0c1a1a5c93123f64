package io.tandem.sip.codec;

import com.typesafe.config.Config;
import io.tandem.sip.message.Defect;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.HeaderResult;
import io.tandem.sip.message.Headers;
import io.tandem.sip.message.MessageScanner;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.StatusCode;
import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.UriGrammar;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Parses SIP messages from octets, within {@link ParserLimits}, and never throws.
 *
 * <pre>
 *   octets -> skip leading CRLFs (keep-alive)
 *          -> head: up to CRLF CRLF                      [MessageScanner]
 *          -> body: datagram: Content-Length or the rest of the datagram
 *                   stream:   Content-Length, mandatory
 *          -> limits: 413 body, 513 message
 *          -> acceptance (requests): 416 Request-URI scheme, 420 Require
 *          -> Parsed | NeedMoreData | KeepAlive | Malformed(status, reason, header)
 * </pre>
 *
 * <p>In datagram mode (UDP, RFC 3261 section 18.3) a datagram holds one message: octets after
 * Content-Length are ignored, and a missing Content-Length means the rest of the datagram. In
 * stream mode (TCP) Content-Length is mandatory; {@link SipStreamFramer} feeds this parser.
 *
 * <p>Requests whose Request-URI is not sip, sips or tel get 416; a Require naming an option tag
 * not in {@code supportedOptionTags} gets 420 (except on ACK and CANCEL, RFC 3261 section
 * 8.2.2.3). Proxy-Require is for proxies (section 16.3) and is not acted on here.
 *
 * <p>A parser holds scratch state: use one per stream stage or connection, not from two
 * threads at once.
 */
public final class SipParser {
  private final ParserLimits limits;
  private final Set<String> supportedOptionTags;
  private final MessageScanner scanner;

  public SipParser(ParserLimits limits) {
    this(limits, Set.of());
  }

  public SipParser(ParserLimits limits, Set<String> supportedOptionTags) {
    this.limits = limits;
    this.supportedOptionTags =
        supportedOptionTags.stream().map(Ascii::lower).collect(Collectors.toUnmodifiableSet());
    this.scanner = new MessageScanner(limits.maxLineLength(), limits.maxHeaderCount());
  }

  /** A parser with the limits and option tags at {@code tandem.sip.parser} in {@code config}. */
  public static SipParser fromConfig(Config config) {
    return new SipParser(ParserLimits.fromConfig(config),
        Set.copyOf(config.getStringList("tandem.sip.parser.supported-option-tags")));
  }

  /** The option tags a Require may name without a 420, in lower case. */
  public Set<String> supportedOptionTags() {
    return supportedOptionTags;
  }

  public ParserLimits limits() {
    return limits;
  }

  /** Parses one datagram; the message keeps {@code datagram}, which must not change afterwards. */
  public ParseResult parseDatagram(byte[] datagram) {
    return parse(datagram, 0, datagram.length, false, false);
  }

  /** Parses one datagram held at [off, off + len); the message gets its own copy. */
  public ParseResult parseDatagram(byte[] b, int off, int len) {
    return parse(b, off, len, false, true);
  }

  /**
   * Parses the message at the start of [off, off + len) of a stream buffer, which must not
   * start with CRLF (see {@link SipStreamFramer}); the message gets its own copy.
   */
  ParseResult parseStream(byte[] b, int off, int len) {
    return parse(b, off, len, true, true);
  }

  private ParseResult parse(byte[] b, int off, int len, boolean stream, boolean copy) {
    int end = off + len;
    int p = off;
    while (!stream && p + 1 < end && b[p] == '\r' && b[p + 1] == '\n') {
      p += 2;
    }
    if (p == end) {
      return new ParseResult.KeepAlive(false, len);
    }
    int searchEnd = Math.min(end, p + limits.maxMessageBytes());
    int headEnd = MessageScanner.findHeadEnd(b, p, searchEnd);
    if (headEnd < 0) {
      if (searchEnd - p >= limits.maxMessageBytes()) {
        return malformed(StatusCode.MESSAGE_TOO_LARGE, "Message Too Large", null,
            "no end of headers within max-message-bytes", looksLikeRequest(b, p, end), null, -1);
      }
      if (stream) {
        return new ParseResult.NeedMoreData(-1);
      }
      return malformed(StatusCode.BAD_REQUEST, "Incomplete Message", null,
          "no empty line after the headers", looksLikeRequest(b, p, end), null, -1);
    }
    boolean sound = scanner.scan(b, p, headEnd);
    long contentLength = scanner.contentLength();
    int consumedIfFramed = -1;
    if (stream && contentLength >= 0 && contentLength <= limits.maxBodyBytes()) {
      long total = headEnd - off + contentLength;
      if (headEnd - p + contentLength > limits.maxMessageBytes()) {
        return rejectHead(StatusCode.MESSAGE_TOO_LARGE, "Message Too Large", null,
            "message larger than max-message-bytes", headEnd, -1);
      }
      if (total > len) {
        return new ParseResult.NeedMoreData((int) total);
      }
      consumedIfFramed = (int) total;
    }
    if (!sound) {
      Defect d = scanner.defect();
      return malformed(d.status(), d.reason(), d.header(), d.detail(), scanner.isRequest(),
          scanner.headersSoFar(headEnd),
          stream ? consumedIfFramed : len);
    }
    int available = end - headEnd;
    int bodyLength;
    if (contentLength < 0) {
      if (stream) {
        return rejectHead(StatusCode.BAD_REQUEST, "Missing Content-Length",
            HeaderName.CONTENT_LENGTH, "Content-Length is mandatory on stream transports", headEnd,
            -1);
      }
      bodyLength = available;
    } else if (contentLength > limits.maxBodyBytes()) {
      return rejectHead(StatusCode.REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large",
          HeaderName.CONTENT_LENGTH, "body larger than max-body-bytes", headEnd,
          stream ? -1 : len);
    } else if (contentLength > available) {
      return rejectHead(StatusCode.BAD_REQUEST, "Invalid Content-Length",
          HeaderName.CONTENT_LENGTH, "Content-Length larger than the datagram", headEnd, len);
    } else {
      bodyLength = (int) contentLength;
    }
    if (bodyLength > limits.maxBodyBytes()) {
      return rejectHead(StatusCode.REQUEST_ENTITY_TOO_LARGE, "Request Entity Too Large", null,
          "body larger than max-body-bytes", headEnd, len);
    }
    int consumed = stream ? headEnd - off + bodyLength : len;
    if (headEnd - p + bodyLength > limits.maxMessageBytes()) {
      return rejectHead(StatusCode.MESSAGE_TOO_LARGE, "Message Too Large", null,
          "message larger than max-message-bytes", headEnd, stream ? -1 : len);
    }
    SipMessage message = scanner.toMessage(headEnd, bodyLength, copy, false);
    if (message instanceof SipRequest) {
      ParseResult refused = accept((SipRequest) message, consumed);
      if (refused != null) {
        return refused;
      }
    }
    return new ParseResult.Parsed(message, consumed);
  }

  /** 416 and 420: requests that are sound but ask for what Tandem does not serve. */
  private ParseResult accept(SipRequest request, int consumed) {
    int kind = scanner.requestUriKind();
    if (kind != UriGrammar.KIND_SIP && kind != UriGrammar.KIND_SIPS && kind != UriGrammar.KIND_TEL) {
      return malformed(StatusCode.UNSUPPORTED_URI_SCHEME, "Unsupported URI Scheme", null,
          "Request-URI scheme " + request.requestUri().scheme() + " is not served", true,
          request.headers(), consumed);
    }
    Method m = request.method();
    if (!scanner.hasRequire() || m.equals(Method.ACK) || m.equals(Method.CANCEL)) {
      return null;
    }
    HeaderResult<List<String>> required = request.headerValues(SipHeaders.REQUIRE);
    List<String> unsupported = new ArrayList<>();
    for (String tag : required.value()) {
      if (!supportedOptionTags.contains(Ascii.lower(tag)) && !unsupported.contains(tag)) {
        unsupported.add(tag);
      }
    }
    if (unsupported.isEmpty()) {
      return null;
    }
    return new ParseResult.Malformed(StatusCode.BAD_EXTENSION, "Bad Extension",
        HeaderName.REQUIRE, "unsupported option tags " + unsupported, true, request.headers(),
        List.copyOf(unsupported), consumed);
  }

  private ParseResult rejectHead(int status, String reason, HeaderName header, String detail,
      int headEnd, int consumed) {
    return malformed(status, reason, header, detail, scanner.isRequest(),
        scanner.headersSoFar(headEnd), consumed);
  }

  private static ParseResult malformed(int status, String reason, HeaderName header,
      String detail, boolean request, Headers headers, int consumed) {
    return new ParseResult.Malformed(status, reason, header, detail, request, headers, List.of(),
        consumed);
  }

  private static boolean looksLikeRequest(byte[] b, int p, int end) {
    return !(end - p >= 4 && b[p] == 'S' && b[p + 1] == 'I' && b[p + 2] == 'P' && b[p + 3] == '/');
  }
}
