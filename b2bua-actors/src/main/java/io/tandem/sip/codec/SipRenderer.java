package io.tandem.sip.codec;

import io.tandem.sip.message.SipMessage;
import java.nio.ByteBuffer;

/**
 * Writes messages in canonical form: the start line, each header field as
 * {@code Long-Name: value} with folds removed, Content-Length computed from the body, an empty
 * line and the body (see {@link io.tandem.sip.message.MessageBuilder}).
 *
 * <p>A message Tandem built is canonical already and is written as it is. A received message is
 * rebuilt, which also keeps unknown headers in order and byte for byte.
 * {@code parse(render(m))} equals {@code m}.
 */
public final class SipRenderer {
  private SipRenderer() {}

  /** The canonical octets of {@code message}, as a read-only buffer (no copy when canonical). */
  public static ByteBuffer render(SipMessage message) {
    SipMessage canonical = message.isCanonical() ? message : message.toBuilder().buildMessage();
    return canonical.octets();
  }

  /** The canonical octets of {@code message} in a new array. */
  public static byte[] renderBytes(SipMessage message) {
    ByteBuffer buffer = render(message);
    byte[] out = new byte[buffer.remaining()];
    buffer.get(out);
    return out;
  }
}
