package io.tandem.transport;

import io.tandem.sip.message.SipMessage;

/**
 * A parsed message handed up by an ingress stage. For a request the top Via already carries
 * {@code received} and {@code rport} as RFC 3261 section 18.2.1 and RFC 3581 require.
 *
 * @param message the message
 * @param source where it came from
 */
public record Inbound(SipMessage message, Peer source) {}
