package io.tandem.transaction;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Identifiers;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;

/** Responses a UAS generates itself (RFC 3261 section 8.2.6). */
public final class Responses {
  private Responses() {}

  /**
   * A builder for a response to {@code request} with a To tag added when the request's To has
   * none (section 8.2.6.2), except for 100 Trying, which carries no tag.
   */
  public static SipResponse.Builder builder(SipRequest request, int status) {
    SipResponse.Builder b = SipResponse.builderFor(request, status);
    if (status != 100 && request.toTag().isEmpty()) {
      b.set(HeaderName.TO, request.to().withTag(Identifiers.newTag()));
    }
    return b;
  }

  /** The response built by {@link #builder}, with no other header and no body. */
  public static SipResponse withToTag(SipRequest request, int status) {
    return builder(request, status).build();
  }
}
