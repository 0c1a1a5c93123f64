package io.tandem.call;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.HeaderResult;
import io.tandem.sip.message.MediaType;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The body types a new call may carry ({@code tandem.call.accepted-body-types}, widened by its
 * route's {@code accept-body-types}), and the INVITE refused for its body or its Accept:
 *
 * <pre>
 *   a body of a type not accepted                     --> 415 with Accept (RFC 3261 section 8.2.3)
 *   an Accept that names none of the accepted types   --> 406 (section 21.4.7; RFC 4475 3.3.12)
 *   otherwise                                         --> the call goes on
 * </pre>
 *
 * Types compare by type and subtype, without case or parameters; an Accept range ({@code *}{@code /*},
 * {@code application/*}) matches the types it covers.
 */
final class BodyTypes {
  private BodyTypes() {}

  /** A type as "type/subtype" in lower case, or an error naming {@code where} for one that is not. */
  static String normalise(String type, String where) {
    String t = type.trim().toLowerCase(Locale.ROOT);
    if (!t.matches("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")) {
      throw new IllegalArgumentException(where + ": '" + type + "' is not a media type (type/subtype)");
    }
    return t;
  }

  /** {@code base} and {@code wider} together, in order, each once. */
  static List<String> union(List<String> base, List<String> wider) {
    Set<String> all = new LinkedHashSet<>(base);
    all.addAll(wider);
    return List.copyOf(all);
  }

  /**
   * The answer that refuses {@code invite} for its body or its Accept, with Tandem's To tag
   * {@code tag}; empty when the call may go on.
   */
  static Optional<SipResponse> refusal(SipRequest invite, String tag, List<String> accepted) {
    if (invite.bodyLength() > 0) {
      Optional<MediaType> type = invite.contentType();
      if (type.isPresent() && !accepted.contains(type.get().type() + "/" + type.get().subtype())) {
        return Optional.of(SipResponse.builderFor(invite, 415).set(HeaderName.TO, invite.to().withTag(tag))
            .header(HeaderName.ACCEPT, String.join(", ", accepted)).build());
      }
    }
    // No Accept is application/sdp (RFC 3261 section 20.1); an empty one accepts nothing.
    if (invite.headers().first(HeaderName.ACCEPT).isPresent()
        && invite.headerValues(SipHeaders.ACCEPT) instanceof HeaderResult.Present<List<MediaType>> accept
        && accept.value().stream().noneMatch(range -> covers(range, accepted))) {
      return Optional.of(SipResponse.builderFor(invite, 406).set(HeaderName.TO, invite.to().withTag(tag))
          .header(HeaderName.ACCEPT, String.join(", ", accepted)).build());
    }
    return Optional.empty();
  }

  /** Whether the Accept range {@code range} takes one of the {@code accepted} types. */
  private static boolean covers(MediaType range, List<String> accepted) {
    if (range.type().equals("*")) {
      return true;
    }
    String prefix = range.type() + "/";
    return range.subtype().equals("*") ? accepted.stream().anyMatch(t -> t.startsWith(prefix))
        : accepted.contains(prefix + range.subtype());
  }
}
