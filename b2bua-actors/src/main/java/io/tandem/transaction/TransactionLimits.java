package io.tandem.transaction;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How many server transactions the layer keeps alive at once, and what it tells a client when
 * it is full (DESIGN section 7: under overload Tandem answers 503 with Retry-After rather than
 * slowing down for everyone).
 *
 * <p>Each server transaction lives 64*T1 after its final over UDP (Timer J, Timer H), so the
 * live count is about the request rate times 32 s: 20,000 requests/s keep some 640,000 alive.
 * The limit bounds the heap they take (see b2bua-bench/README.md for the measured cost of one).
 *
 * @param maxServerTransactions most live server transactions; a new request beyond it is
 *     answered 503 without a transaction
 * @param retryAfter the Retry-After of that 503, whole seconds
 */
public record TransactionLimits(int maxServerTransactions, Duration retryAfter) {
  /** The reference.conf defaults. */
  public static final TransactionLimits DEFAULTS = new TransactionLimits(100_000, Duration.ofSeconds(5));

  public TransactionLimits {
    if (maxServerTransactions < 1) {
      throw new IllegalArgumentException(
          "tandem.sip.transactions.max-server-transactions must be >= 1, is " + maxServerTransactions);
    }
    if (retryAfter.isNegative()) {
      throw new IllegalArgumentException(
          "tandem.sip.transactions.overload-retry-after must not be negative, is " + retryAfter);
    }
  }

  /** Reads {@code tandem.sip.transactions} (see reference.conf). */
  public static TransactionLimits fromConfig(Config config) {
    Config c = config.getConfig("tandem.sip.transactions");
    return new TransactionLimits(c.getInt("max-server-transactions"), c.getDuration("overload-retry-after"));
  }
}
