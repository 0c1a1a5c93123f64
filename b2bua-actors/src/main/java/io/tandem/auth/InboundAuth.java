package io.tandem.auth;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Peer;
import java.util.Objects;

/**
 * The SPI the {@link io.tandem.call.CallManager} asks about each new INVITE before it spawns a
 * Call: let it through, or answer it (a 401/407 challenge, 403, 400). The server implements it
 * from its configuration; a challenged caller retries with a new transaction (same Call-ID,
 * CSeq + 1, RFC 3261 section 22.2), which starts a fresh call if it passes.
 *
 * <p>Implementations are thread-safe and do not block.
 */
public interface InboundAuth {
  /** What to do with one INVITE. */
  sealed interface Decision {}

  /** Go on: route the call. */
  enum Accept implements Decision {
    INSTANCE
  }

  /** Answer the INVITE with this final response, and start no call. */
  record Respond(SipResponse response) implements Decision {
    public Respond {
      Objects.requireNonNull(response, "response");
    }
  }

  /** Lets every call through. */
  InboundAuth NONE = (invite, source) -> Accept.INSTANCE;

  /** The decision for {@code invite}, an out-of-dialog INVITE from {@code source}. */
  Decision check(SipRequest invite, Peer source);
}
