package io.tandem.app.access;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.tandem.app.auth.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Who may start anything at Tandem ({@code tandem.access}): new requests (out of any dialog:
 * INVITE, MESSAGE, REGISTER, OPTIONS ...) from sources outside {@code allow} are refused (403) or
 * dropped, and each source's new requests are limited to a rate (503 with Retry-After beyond
 * it, RFC 3261 section 21.5.4). Requests within a dialog, CANCEL and ACK always pass: they
 * create nothing, and refusing them would break calls already admitted.
 *
 * <p>Thread-safe: the transport's handler calls it for every request.
 */
public final class AccessControl {
  /** What to do with one new request. */
  public enum Verdict {
    ADMIT,
    /** Outside {@code allow}: answer 403 Forbidden. */
    FORBID,
    /** Outside {@code allow}, {@code refuse = drop}: no answer at all. */
    DROP,
    /** Over the source's rate: 503 Service Unavailable with Retry-After. */
    THROTTLE
  }

  /** Counts of what was refused, for logs, metrics and tests. */
  public static final class Counters {
    final LongAdder forbidden = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder throttled = new LongAdder();

    public long forbidden() {
      return forbidden.sum();
    }

    public long dropped() {
      return dropped.sum();
    }

    public long throttled() {
      return throttled.sum();
    }
  }

  private final List<Cidr> allow;
  private final boolean drop;
  private final double perSecond;
  private final double burst;
  private final int maxSources;
  private final Counters counters = new Counters();
  /** Token buckets by source address, least recently used first (bounded: {@code maxSources}). */
  private final Map<InetAddress, double[]> buckets;

  /**
   * @param allow the networks that may send new requests; empty: every source
   * @param drop whether a refused source gets no answer (rather than 403)
   * @param perSecond new requests per second per source address; 0: no limit
   * @param burst how many may come at once above that rate
   * @param maxSources source addresses tracked at once; the least recently seen goes first
   */
  public AccessControl(List<Cidr> allow, boolean drop, double perSecond, double burst, int maxSources) {
    this.allow = List.copyOf(allow);
    this.drop = drop;
    this.perSecond = perSecond;
    this.burst = Math.max(1, burst);
    this.maxSources = maxSources;
    this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<InetAddress, double[]> eldest) {
        return size() > AccessControl.this.maxSources;
      }
    };
  }

  /** Reads {@code tandem.access}; an error names the key. */
  public static AccessControl fromConfig(Config config) {
    Config c = config.getConfig("tandem.access");
    try {
      List<Cidr> allow = new ArrayList<>();
      for (String text : c.getStringList("allow")) {
        try {
          allow.add(Cidr.parse(text));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("tandem.access.allow: " + e.getMessage(), e);
        }
      }
      String refuse = c.getString("refuse").toLowerCase(Locale.ROOT);
      if (!refuse.equals("reject") && !refuse.equals("drop")) {
        throw new IllegalArgumentException("tandem.access.refuse: '" + refuse + "' is not reject or drop");
      }
      double perSecond = c.getDouble("rate-limit.requests-per-second");
      double burst = c.getDouble("rate-limit.burst");
      int maxSources = c.getInt("rate-limit.max-sources");
      if (perSecond < 0 || burst < 1 || maxSources < 1) {
        throw new IllegalArgumentException("tandem.access.rate-limit: requests-per-second >= 0, burst >= 1 and"
            + " max-sources >= 1, not " + perSecond + ", " + burst + ", " + maxSources);
      }
      return new AccessControl(allow, refuse.equals("drop"), perSecond, burst, maxSources);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("tandem.access: " + e.getMessage(), e);
    }
  }

  /** The verdict on a new request from {@code source} at {@code nanos} (System.nanoTime()). */
  public Verdict check(InetAddress source, long nanos) {
    if (!allow.isEmpty() && allow.stream().noneMatch(n -> n.contains(source))) {
      if (drop) {
        counters.dropped.increment();
        return Verdict.DROP;
      }
      counters.forbidden.increment();
      return Verdict.FORBID;
    }
    if (perSecond > 0 && !take(source, nanos)) {
      counters.throttled.increment();
      return Verdict.THROTTLE;
    }
    return Verdict.ADMIT;
  }

  /** Token bucket: {@code burst} tokens, refilled at {@code perSecond}; one per request. */
  private synchronized boolean take(InetAddress source, long nanos) {
    double[] bucket = buckets.get(source); // [tokens, last refill nanos]
    if (bucket == null) {
      bucket = new double[] {burst, nanos};
      buckets.put(source, bucket);
    }
    double elapsed = Math.max(0, nanos - bucket[1]) / 1e9;
    bucket[0] = Math.min(burst, bucket[0] + elapsed * perSecond);
    bucket[1] = nanos;
    if (bucket[0] < 1) {
      return false;
    }
    bucket[0] -= 1;
    return true;
  }

  /** The Retry-After of a throttled request: when the next token comes, at least 1 s. */
  public Duration retryAfter() {
    return Duration.ofSeconds(Math.max(1, (long) Math.ceil(1 / Math.max(perSecond, 1e-9))));
  }

  /** Whether anything is checked at all. */
  public boolean active() {
    return !allow.isEmpty() || perSecond > 0;
  }

  public Counters counters() {
    return counters;
  }

  /** Source addresses with a bucket now (bounded by max-sources). */
  synchronized int trackedSources() {
    return buckets.size();
  }
}
