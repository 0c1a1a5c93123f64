/**
 * SIP Digest authentication (RFC 3261 section 22, RFC 7616, RFC 8760): reading and writing
 * challenges and credentials, the digest itself (MD5, SHA-256 and their -sess forms, qop=auth),
 * the client that answers a carrier's challenge on leg B, the server that challenges callers
 * on leg A, and the {@link io.tandem.auth.InboundAuth} SPI through which the call manager asks
 * the server's policy before it starts a call.
 *
 * <pre>
 *   caller --INVITE--> CallManager --InboundAuth.check--> Respond(407 + challenges)   no call
 *          --INVITE + Proxy-Authorization (CSeq+1)-->     Accept --> Call --> leg B
 *   Call --INVITE--> carrier --401/407--> DigestClient.answer --> INVITE + Authorization (CSeq+1)
 * </pre>
 *
 * <p>Everything here is pure logic with no actors and no configuration.
 */
package io.tandem.auth;
