package io.tandem.app.registrar;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Peer;
import java.util.Optional;

/**
 * The hook where REGISTER is authenticated and authorized (RFC 3261 section 10.3 steps 3 and 4:
 * who sent it, and may that user change the bindings of the To address-of-record?), before the
 * registrar reads a single Contact.
 *
 * <p>Digest authentication (io.tandem.auth) plugs in here: it answers a REGISTER without valid
 * credentials with its 401 challenge, and one whose user may not touch the AOR with 403. Called
 * on the registrar's actor, once per REGISTER, so it must not block.
 */
@FunctionalInterface
public interface RegisterAuthorizer {
  /** Lets every REGISTER through: for a registrar on a trusted network, or until auth exists. */
  RegisterAuthorizer ACCEPT_ALL = (register, source) -> Optional.empty();

  /**
   * The response that ends {@code register} here (a 401 challenge, 403 ...), or empty to let
   * the registrar process it.
   */
  Optional<SipResponse> refuse(SipRequest register, Peer source);
}
