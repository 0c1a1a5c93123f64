package io.tandem.sip.message;

import io.tandem.sip.syntax.Text;
import java.util.Objects;

/** A SIP response: status code, reason phrase, header fields and body (RFC 3261 section 7.2). */
public final class SipResponse extends SipMessage {
  private final int statusCode;
  private final int reasonStart;
  private final int reasonEnd;

  SipResponse(Core core, int statusCode, int reasonStart, int reasonEnd) {
    super(core);
    this.statusCode = statusCode;
    this.reasonStart = reasonStart;
    this.reasonEnd = reasonEnd;
  }

  /** A builder for a response with {@code statusCode} and its default reason phrase. */
  public static Builder builder(int statusCode) {
    return new Builder(statusCode, StatusCode.reasonPhrase(statusCode));
  }

  /**
   * A builder for a response to {@code request}: Via, From, To, Call-ID and CSeq copied as RFC
   * 3261 section 8.2.6.2 says (a To tag, where needed, is the caller's to add).
   */
  public static Builder builderFor(SipRequest request, int statusCode) {
    Builder b = builder(statusCode);
    Headers h = request.headers();
    for (HeaderName name :
        new HeaderName[] {HeaderName.VIA, HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID,
            HeaderName.CSEQ}) {
      for (int i = h.indexOf(name, 0); i >= 0; i = h.indexOf(name, i + 1)) {
        b.addRaw(name, Text.unfold(h.raw(), h.valueStart(i), h.valueEnd(i)));
      }
    }
    return b;
  }

  @Override
  public boolean isRequest() {
    return false;
  }

  public int statusCode() {
    return statusCode;
  }

  public StatusCode.StatusClass statusClass() {
    return StatusCode.classOf(statusCode);
  }

  /** The reason phrase as sent (possibly empty). */
  public String reasonPhrase() {
    return Text.decode(raw(), reasonStart, reasonEnd);
  }

  @Override
  public String startLine() {
    return "SIP/2.0 " + statusCode + " " + reasonPhrase();
  }

  @Override
  public Builder toBuilder() {
    return copyInto(new Builder(statusCode, reasonPhrase()));
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SipResponse)) {
      return false;
    }
    SipResponse r = (SipResponse) o;
    return statusCode == r.statusCode
        && reasonPhrase().equals(r.reasonPhrase())
        && sameHeadersAndBody(r);
  }

  @Override
  public int hashCode() {
    return Objects.hash(statusCode, headers());
  }

  /** Builds a {@link SipResponse}. */
  public static final class Builder extends MessageBuilder<Builder> {
    private int statusCode;
    private String reason;

    Builder(int statusCode, String reason) {
      status(statusCode, reason);
    }

    /** Sets the status code and reason phrase. */
    public Builder status(int statusCode, String reason) {
      if (!StatusCode.isValid(statusCode)) {
        throw new IllegalArgumentException("status code out of range: " + statusCode);
      }
      if (reason.indexOf('\r') >= 0 || reason.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("CR or LF in reason phrase");
      }
      this.statusCode = statusCode;
      this.reason = reason;
      return this;
    }

    @Override
    String startLine() {
      return "SIP/2.0 " + statusCode + " " + reason;
    }

    /** The response; throws {@link IllegalArgumentException} if it would not be sound. */
    public SipResponse build() {
      return (SipResponse) buildMessage();
    }
  }
}
