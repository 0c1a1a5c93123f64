package io.tandem.app.registrar;

import io.tandem.sip.message.NameAddr;
import io.tandem.transport.Peer;
import java.time.Instant;
import java.util.Objects;

/**
 * One binding of an address-of-record to a Contact (RFC 3261 section 10.3): the Contact as
 * registered, when it expires, the Call-ID and CSeq of the REGISTER that last wrote it (step 7
 * orders updates by them), and where that REGISTER came from.
 *
 * @param contact the Contact as it came in the REGISTER, its {@code expires} parameter removed
 * @param q the preference, 0 to 1 (the {@code q} parameter; 1 when absent)
 * @param callId the Call-ID of the REGISTER that created or last refreshed the binding
 * @param cseq that REGISTER's CSeq number
 * @param expiresAt when the binding lapses
 * @param source the REGISTER's source address and transport: a Contact behind NAT is reachable
 *     there and not at the address it names
 * @param order creation order, which orders bindings of equal q (the older first)
 */
public record Binding(
    NameAddr contact, double q, String callId, long cseq, Instant expiresAt, Peer source, long order) {

  public Binding {
    Objects.requireNonNull(contact, "contact");
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(source, "source");
  }

  /** Whether the binding has lapsed at {@code now}. */
  public boolean expired(Instant now) {
    return !now.isBefore(expiresAt);
  }

  /** Whole seconds left at {@code now}, rounded up so that a live binding never shows 0. */
  public long remainingSeconds(Instant now) {
    long millis = expiresAt.toEpochMilli() - now.toEpochMilli();
    return millis <= 0 ? 0 : (millis + 999) / 1000;
  }

  /** The Contact as the 200 to a REGISTER lists it: with its remaining {@code expires}. */
  public NameAddr contactWithExpires(Instant now) {
    return contact.withParam("expires", Long.toString(remainingSeconds(now)));
  }
}
