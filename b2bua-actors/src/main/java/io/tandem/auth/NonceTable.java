package io.tandem.auth;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last nonce count seen per nonce (RFC 7616 section 3.4 and 5.5: a request whose nc is not
 * greater than the last one seen for its nonce is a replay), in bounded memory.
 *
 * <p>A nonce is tracked from its first use until it expires. When the table is full, expired
 * nonces go first; if none has expired, the oldest goes and the table remembers the latest
 * issue time it ever dropped: a nonce issued no later than that and not in the table may have
 * been used already, so it is refused as stale (its client just gets a fresh nonce) rather
 * than taken for a first use. Not thread-safe; {@link DigestServer} guards it.
 */
final class NonceTable {
  private record Seen(long issuedMillis, long lastCount) {}

  private final int capacity;
  private final long ttlMillis;
  private final Map<String, Seen> seen = new LinkedHashMap<>();
  private long droppedIssuedUpTo = Long.MIN_VALUE;

  NonceTable(int capacity, long ttlMillis) {
    if (capacity < 1) {
      throw new IllegalArgumentException("max-tracked-nonces must be at least 1: " + capacity);
    }
    this.capacity = capacity;
    this.ttlMillis = ttlMillis;
  }

  /**
   * Records count {@code nc} for {@code nonce} (issued at {@code issuedMillis}): true if it is
   * greater than every count seen for it, false for a replay or a nonce whose history was lost.
   */
  boolean advance(String nonce, long issuedMillis, long nc, long nowMillis) {
    Seen last = seen.get(nonce);
    if (last != null) {
      if (nc <= last.lastCount()) {
        return false;
      }
      seen.put(nonce, new Seen(issuedMillis, nc));
      return true;
    }
    if (issuedMillis <= droppedIssuedUpTo) {
      return false;
    }
    if (seen.size() >= capacity) {
      purge(nowMillis);
    }
    if (seen.size() >= capacity) {
      Iterator<Map.Entry<String, Seen>> oldest = seen.entrySet().iterator();
      droppedIssuedUpTo = Math.max(droppedIssuedUpTo, oldest.next().getValue().issuedMillis());
      oldest.remove();
      if (issuedMillis <= droppedIssuedUpTo) {
        return false;
      }
    }
    seen.put(nonce, new Seen(issuedMillis, nc));
    return true;
  }

  /** Forgets the nonces that have expired: their requests are refused as stale anyway. */
  void purge(long nowMillis) {
    seen.values().removeIf(s -> nowMillis - s.issuedMillis() > ttlMillis);
  }

  int size() {
    return seen.size();
  }
}
