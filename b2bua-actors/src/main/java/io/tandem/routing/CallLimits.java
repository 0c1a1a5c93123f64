package io.tandem.routing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Concurrent-call limits, in total and per carrier (DESIGN section 7: every limit is explicit;
 * over one, Tandem answers 503 with Retry-After rather than slowing down for everyone).
 *
 * <p>A Call takes a call slot when its INVITE arrives and gives it back when it ends; it takes
 * a carrier slot before sending leg B to a carrier and gives it back when that leg ends. A
 * carrier at its limit is skipped like one that refused. Thread-safe: every Call shares one
 * instance, and a slot is never granted beyond a limit, even under contention.
 *
 * <p>A carrier may also have a rate: the most new legs per second ({@code max-cps}), a token
 * bucket that holds one second's worth. A carrier over its rate is skipped like one at its limit.
 *
 * <p>A carrier name that has no limit (not configured, such as {@code registered:alice} for a
 * registered Contact) is unlimited; its counter exists only while it has legs, so that names
 * made up per call do not pile up.
 *
 * <p>In a cluster the limits are the cluster's: what the other nodes hold ({@link Elsewhere},
 * as they last published it) counts against each limit, and each node takes its share of a
 * carrier's rate (the rate over the nodes up). Between two publications the nodes can together
 * exceed a limit by what they take meanwhile.
 */
public final class CallLimits {
  /** What the cluster's other nodes hold, as last heard: nothing on a node alone. */
  public interface Elsewhere {
    /** Calls up on the other nodes. */
    int calls();

    /** Legs on {@code carrier} on the other nodes. */
    int onCarrier(String carrier);

    /** Nodes up, this one included: each takes this share of a carrier's rate. */
    int nodes();
  }

  /** A node alone. */
  public static final Elsewhere ALONE = new Elsewhere() {
    @Override
    public int calls() {
      return 0;
    }

    @Override
    public int onCarrier(String carrier) {
      return 0;
    }

    @Override
    public int nodes() {
      return 1;
    }
  };

  private volatile Elsewhere elsewhere = ALONE;
  private final int maxCalls;
  private final Map<String, Integer> perCarrier;
  private final AtomicInteger calls = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> onCarrier = new ConcurrentHashMap<>();
  private final Map<String, Rate> rates;
  private final LongSupplier nanos;

  /**
   * @param maxCalls the most calls at once, 0 for unlimited
   * @param perCarrier the most calls at once per carrier name, 0 (or no entry) for unlimited
   */
  public CallLimits(int maxCalls, Map<String, Integer> perCarrier) {
    this(maxCalls, perCarrier, Map.of(), System::nanoTime);
  }

  /**
   * @param perSecond the most new legs per second per carrier name (no entry: no rate)
   * @param nanos the clock of the rates (System::nanoTime; tests move their own)
   */
  public CallLimits(int maxCalls, Map<String, Integer> perCarrier, Map<String, Double> perSecond,
      LongSupplier nanos) {
    perSecond.forEach((carrier, rate) -> {
      if (!(rate > 0)) {
        throw new IllegalArgumentException("max-cps of carrier " + carrier + " must be positive: " + rate);
      }
    });
    Map<String, Rate> r = new java.util.HashMap<>();
    perSecond.forEach((carrier, rate) -> r.put(carrier, new Rate(rate)));
    this.rates = Map.copyOf(r);
    this.nanos = nanos;
    if (maxCalls < 0) {
      throw new IllegalArgumentException("max-calls must not be negative: " + maxCalls);
    }
    perCarrier.forEach((carrier, max) -> {
      if (max < 0) {
        throw new IllegalArgumentException(
            "max-calls of carrier " + carrier + " must not be negative: " + max);
      }
    });
    this.maxCalls = maxCalls;
    this.perCarrier = Map.copyOf(perCarrier);
  }

  /** From now on, {@code others} count against the limits ({@link Elsewhere}). */
  public void shareWith(Elsewhere others) {
    this.elsewhere = others;
  }

  /** Takes a call slot; false if {@code maxCalls} calls are already up (answer 503). */
  public boolean tryAcquireCall() {
    return tryAcquire(calls, maxCalls, maxCalls == 0 ? 0 : elsewhere.calls());
  }

  /**
   * Counts a call brought back from another node (its node is gone): it was admitted there, so
   * it is counted here whatever the limit, and never refused.
   */
  public void acquireRecoveredCall() {
    calls.incrementAndGet();
  }

  /** Counts a leg on {@code carrier} of a call brought back from another node: no limit, no rate. */
  public void acquireRecoveredCarrier(String carrier) {
    if (perCarrier.containsKey(carrier)) {
      counter(carrier).incrementAndGet();
    } else {
      onCarrier.compute(carrier, (c, n) -> n == null ? new AtomicInteger(1) : incremented(n));
    }
  }

  /** Gives back a call slot; a release without an acquire is ignored (never below zero). */
  public void releaseCall() {
    release(calls);
  }

  /**
   * Takes a slot on {@code carrier}; false if it is at its limit or over its rate (try the next
   * one).
   */
  public boolean tryAcquireCarrier(String carrier) {
    if (!tryAcquireSlot(carrier)) {
      return false;
    }
    Rate rate = rates.get(carrier);
    if (rate != null && !rate.take(nanos.getAsLong(), Math.max(1, elsewhere.nodes()))) {
      releaseCarrier(carrier);
      return false;
    }
    return true;
  }

  private boolean tryAcquireSlot(String carrier) {
    if (!perCarrier.containsKey(carrier)) {
      onCarrier.compute(carrier, (c, n) -> n == null ? new AtomicInteger(1) : incremented(n));
      return true;
    }
    int max = perCarrier.get(carrier);
    return tryAcquire(counter(carrier), max, max == 0 ? 0 : elsewhere.onCarrier(carrier));
  }

  /** Gives back a slot on {@code carrier}; a release without an acquire is ignored. */
  public void releaseCarrier(String carrier) {
    if (!perCarrier.containsKey(carrier)) {
      // Atomic with the acquire above: the counter goes when its last leg does.
      onCarrier.computeIfPresent(carrier, (c, n) -> n.decrementAndGet() <= 0 ? null : n);
      return;
    }
    release(counter(carrier));
  }

  /** Carrier names with a counter now: the configured ones used so far, and unlimited ones in use. */
  int trackedCarriers() {
    return onCarrier.size();
  }

  private static AtomicInteger incremented(AtomicInteger n) {
    n.incrementAndGet();
    return n;
  }

  /** The most calls at once, 0 for unlimited. */
  public int maxCalls() {
    return maxCalls;
  }

  /** Every configured carrier with its most calls at once (0 for unlimited). */
  public Map<String, Integer> carrierLimits() {
    return perCarrier;
  }

  /** Calls holding a slot now. */
  public int activeCalls() {
    return calls.get();
  }

  /** Legs holding a slot on {@code carrier} now. */
  public int activeOn(String carrier) {
    AtomicInteger count = onCarrier.get(carrier);
    return count == null ? 0 : count.get();
  }

  private AtomicInteger counter(String carrier) {
    return onCarrier.computeIfAbsent(carrier, c -> new AtomicInteger());
  }

  /**
   * Compare-and-set, so that two threads racing for the last slot cannot both win it;
   * {@code others} is what other nodes hold of the same limit.
   */
  private static boolean tryAcquire(AtomicInteger count, int max, int others) {
    while (true) {
      int now = count.get();
      if (max > 0 && now + others >= max) {
        return false;
      }
      if (count.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** A token bucket of one second's legs, refilled continuously; in a cluster, this node's share. */
  private static final class Rate {
    private final double perSecond;
    private double tokens;
    private long last = Long.MIN_VALUE;

    Rate(double perSecond) {
      this.perSecond = perSecond;
      this.tokens = Math.max(1, perSecond);
    }

    synchronized boolean take(long now, int nodes) {
      double share = perSecond / nodes;
      if (last != Long.MIN_VALUE) {
        tokens = Math.min(Math.max(1, share), tokens + (now - last) / 1e9 * share);
      } else {
        tokens = Math.min(tokens, Math.max(1, share));
      }
      last = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }

  private static void release(AtomicInteger count) {
    count.getAndUpdate(n -> n > 0 ? n - 1 : 0);
  }
}
