package io.tandem.transport;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts a drop or failure and logs it with rate sense: the first of each kind in a ten-second
 * window at WARN, the rest at DEBUG, so a flood of bad datagrams cannot flood the log.
 */
final class DropLog {
  private static final Logger LOG = LoggerFactory.getLogger(SipTransport.class);
  private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final TransportCounters counters;
  private final ConcurrentHashMap<String, Long> lastWarned = new ConcurrentHashMap<>();

  DropLog(TransportCounters counters) {
    this.counters = counters;
  }

  TransportCounters counters() {
    return counters;
  }

  /** Counts {@code counter} and logs {@code what} about {@code peer}. */
  void count(String counter, Object peer, String what) {
    counters.increment(counter);
    long now = System.nanoTime();
    Long last = lastWarned.get(counter);
    if (last == null || now - last > WINDOW_NANOS) {
      lastWarned.put(counter, now);
      LOG.warn("{} from/to {}: {} ({} so far; more at DEBUG for 10 s)", counter, peer, what,
          counters.get(counter));
    } else if (LOG.isDebugEnabled()) {
      LOG.debug("{} from/to {}: {}", counter, peer, what);
    }
  }

  /** Counts a send failure and logs it. */
  void sendFailed(Object peer, String reason) {
    count("send-failed", peer, reason);
  }
}
