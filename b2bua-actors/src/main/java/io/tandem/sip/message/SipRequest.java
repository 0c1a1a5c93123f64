package io.tandem.sip.message;

import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.UriGrammar;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/** A SIP request: method, Request-URI, header fields and body (RFC 3261 section 7.1). */
public final class SipRequest extends SipMessage {
  private final Method method;
  private final int uriStart;
  private final int uriEnd;
  private Uri requestUri;

  SipRequest(Core core, Method method, int uriStart, int uriEnd) {
    super(core);
    this.method = method;
    this.uriStart = uriStart;
    this.uriEnd = uriEnd;
  }

  /** A builder for a request with {@code method} to {@code uri}. */
  public static Builder builder(Method method, Uri uri) {
    return new Builder(method, uri.toString());
  }

  @Override
  public boolean isRequest() {
    return true;
  }

  public Method method() {
    return method;
  }

  public Uri requestUri() {
    Uri uri = requestUri;
    if (uri == null) {
      int[] o = new int[UriGrammar.URI_SIZE];
      UriGrammar.uri(new Cursor(raw(), uriStart, uriEnd), uriEnd, o, 0);
      requestUri = uri = Uri.read(raw(), o, 0);
    }
    return uri;
  }

  /** The Request-URI exactly as written. */
  public String requestUriText() {
    return new String(raw(), uriStart, uriEnd - uriStart, StandardCharsets.UTF_8);
  }

  @Override
  public String startLine() {
    return method + " " + requestUriText() + " SIP/2.0";
  }

  @Override
  public Builder toBuilder() {
    return copyInto(new Builder(method, requestUriText()));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SipRequest)) {
      return false;
    }
    SipRequest r = (SipRequest) o;
    return method.equals(r.method)
        && Arrays.equals(raw(), uriStart, uriEnd, r.raw(), r.uriStart, r.uriEnd)
        && sameHeadersAndBody(r);
  }

  @Override
  public int hashCode() {
    return Objects.hash(method, requestUriText(), headers());
  }

  /** Builds a {@link SipRequest}. */
  public static final class Builder extends MessageBuilder<Builder> {
    private final Method method;
    private String uri;

    Builder(Method method, String uri) {
      this.method = Objects.requireNonNull(method);
      this.uri = uri;
    }

    public Builder requestUri(Uri uri) {
      this.uri = uri.toString();
      return this;
    }

    @Override
    String startLine() {
      return method + " " + uri + " SIP/2.0";
    }

    /** The request; throws {@link IllegalArgumentException} if it would not be sound. */
    public SipRequest build() {
      return (SipRequest) buildMessage();
    }
  }
}
