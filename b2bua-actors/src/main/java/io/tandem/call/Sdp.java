package io.tandem.call;

import io.tandem.sip.message.MediaType;
import io.tandem.sip.message.MessageBuilder;
import io.tandem.sip.message.SipMessage;
import java.util.Optional;

/** A session description as one side of a call sent it last (RFC 3264 offer or answer). */
record Sdp(MediaType type, byte[] body) {
  /** The SDP {@code message} carries, or null if it carries none. */
  static Sdp of(SipMessage message) {
    Optional<MediaType> type = message.contentType();
    if (message.bodyLength() > 0 && type.isPresent() && type.get().is("application/sdp")) {
      MediaType shared = type.get().equals(MediaType.SDP) ? MediaType.SDP : type.get(); // most have no parameters
      return new Sdp(shared, message.body());
    }
    return null;
  }

  /** {@code latest}'s SDP if it carries one, else {@code previous}. */
  static Sdp latest(Sdp previous, SipMessage latest) {
    Sdp sdp = of(latest);
    return sdp == null ? previous : sdp;
  }

  void copyInto(MessageBuilder<?> to) {
    to.body(type, body);
  }
}
