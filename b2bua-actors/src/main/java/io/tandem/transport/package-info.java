/**
 * The SIP transport layer (RFC 3261 section 18): sockets, connections, framing, and the Via
 * rules that belong to the transport.
 *
 * <pre>
 *  UDP socket ── reader thread ──► Source.queue(udp.ingress-queue) ──► parseDatagram ──┐
 *               (oversize: count)   (Dropped: count queue-full)                         │
 *                                                                                       │
 *  TCP listener ──► connection ──► SipStreamFramer ──► takeWhile(framing kept) ─────────┤
 *  (over max-connections:          (ping: CRLF pong)   (lost: close it, count)          │
 *   close, count)                                                                       ▼
 *                   Ingress: Parsed request ─► top Via received / rport ─► handler(Inbound)
 *                            Malformed request with a Via ─► answered by the stage itself
 *                            Malformed response, unanswerable, handler failure ─► counted
 *
 *  Egress.Command ──► EgressActor ──► UDP: from the listener (responses: the one the request
 *                                          came in on), to ViaRules.udp
 *                                     TCP: ConnectionRegistry (by id, by remote) or connect;
 *                                          each connection has a bounded outgoing queue
 *                                     failure ──► SendFailed to replyTo, counted
 * </pre>
 *
 * <p>Entry point: {@link io.tandem.transport.SipTransport#start}. Every drop is counted in
 * {@link io.tandem.transport.TransportCounters} and logged with rate sense; no message can fail
 * a stream or the actor system.
 */
package io.tandem.transport;
