package io.tandem.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** CallLimits: slots in total and per carrier, exact under contention. */
class CallLimitsTest {
  @Test
  void globalLimitRefusesBeyondMaxAndReleaseFreesASlot() {
    CallLimits limits = new CallLimits(2, Map.of());
    assertTrue(limits.tryAcquireCall());
    assertTrue(limits.tryAcquireCall());
    assertFalse(limits.tryAcquireCall());
    assertEquals(2, limits.activeCalls(), "a refusal takes no slot");
    limits.releaseCall();
    assertTrue(limits.tryAcquireCall());
  }

  @Test
  void zeroMeansUnlimitedButStillCounts() {
    CallLimits limits = new CallLimits(0, Map.of("lab", 0));
    for (int i = 0; i < 1000; i++) {
      assertTrue(limits.tryAcquireCall());
      assertTrue(limits.tryAcquireCarrier("lab"));
    }
    assertEquals(1000, limits.activeCalls());
    assertEquals(1000, limits.activeOn("lab"));
  }

  @Test
  void perCarrierLimitIsIndependentOfOtherCarriers() {
    CallLimits limits = new CallLimits(0, Map.of("lab", 1, "backup", 2));
    assertTrue(limits.tryAcquireCarrier("lab"));
    assertFalse(limits.tryAcquireCarrier("lab"));
    assertTrue(limits.tryAcquireCarrier("backup"));
    assertTrue(limits.tryAcquireCarrier("backup"));
    assertFalse(limits.tryAcquireCarrier("backup"));
    assertTrue(limits.tryAcquireCarrier("unlisted"), "a carrier without a limit is unlimited");
    limits.releaseCarrier("lab");
    assertEquals(0, limits.activeOn("lab"));
    assertTrue(limits.tryAcquireCarrier("lab"));
    assertEquals(0, limits.activeOn("never-used"));
  }

  /** Registered Contacts are carriers named per AOR ("registered:alice"): none may linger. */
  @Test
  void unconfiguredCarrierIsUnlimitedAndItsCounterGoesWithItsLastLeg() {
    CallLimits limits = new CallLimits(0, Map.of("lab", 1));
    for (int i = 0; i < 3; i++) {
      assertTrue(limits.tryAcquireCarrier("registered:alice"));
    }
    assertEquals(3, limits.activeOn("registered:alice"));
    for (int i = 0; i < 3; i++) {
      limits.releaseCarrier("registered:alice");
    }
    limits.releaseCarrier("registered:alice");
    assertEquals(0, limits.activeOn("registered:alice"));
    assertEquals(0, limits.trackedCarriers(), "no counter left for a name no leg uses");
    assertTrue(limits.tryAcquireCarrier("registered:alice"));
    assertEquals(1, limits.activeOn("registered:alice"));
  }

  @Test
  void extraReleaseNeverGoesBelowZero() {
    CallLimits limits = new CallLimits(1, Map.of("lab", 1));
    limits.releaseCall();
    limits.releaseCarrier("lab");
    assertEquals(0, limits.activeCalls());
    assertEquals(0, limits.activeOn("lab"));
    assertTrue(limits.tryAcquireCall());
    assertFalse(limits.tryAcquireCall(), "the extra release granted no extra slot");
  }

  @Test
  void concurrentAcquireAndReleaseEndsAtZeroAndNeverExceedsTheLimit() throws Exception {
    int threads = 8;
    int rounds = 10_000;
    CallLimits limits = new CallLimits(3, Map.of("lab", 2));
    AtomicInteger overLimit = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < rounds; i++) {
            if (limits.tryAcquireCall()) {
              if (limits.activeCalls() > 3) {
                overLimit.incrementAndGet();
              }
              if (limits.tryAcquireCarrier("lab")) {
                if (limits.activeOn("lab") > 2) {
                  overLimit.incrementAndGet();
                }
                limits.releaseCarrier("lab");
              }
              limits.releaseCall();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, overLimit.get());
    assertEquals(0, limits.activeCalls());
    assertEquals(0, limits.activeOn("lab"));
  }

  /** max-cps: a bucket of one second's legs, refilled as time passes; over it, the carrier is skipped. */
  @Test
  void aCarrierOverItsRateIsSkippedUntilTheBucketRefills() {
    long[] now = {0};
    CallLimits limits = new CallLimits(0, Map.of("slow", 10), Map.of("slow", 2.0), () -> now[0]);
    assertTrue(limits.tryAcquireCarrier("slow"));
    assertTrue(limits.tryAcquireCarrier("slow"));
    assertFalse(limits.tryAcquireCarrier("slow"), "a third leg within the same instant");
    assertEquals(2, limits.activeOn("slow"), "the refused leg holds no slot");
    now[0] += 500_000_000L;
    assertTrue(limits.tryAcquireCarrier("slow"), "half a second at 2/s: one more");
    assertFalse(limits.tryAcquireCarrier("slow"));
    assertTrue(limits.tryAcquireCarrier("other"), "a carrier without a rate is not held back");
    assertThrows(IllegalArgumentException.class, () -> new CallLimits(0, Map.of(), Map.of("x", 0.0), () -> 0));
  }

  /** In a cluster: the other nodes' calls and legs count against the limits, and rates are shared out. */
  @Test
  void inAClusterTheOtherNodesCountAndARateIsShared() {
    long[] now = {0};
    CallLimits limits = new CallLimits(3, Map.of("small", 2), Map.of("paced", 4.0), () -> now[0]);
    int[] elsewhere = {2, 1, 2}; // calls, legs on "small", nodes up
    limits.shareWith(new CallLimits.Elsewhere() {
      @Override
      public int calls() {
        return elsewhere[0];
      }

      @Override
      public int onCarrier(String carrier) {
        return carrier.equals("small") ? elsewhere[1] : 0;
      }

      @Override
      public int nodes() {
        return elsewhere[2];
      }
    });
    assertTrue(limits.tryAcquireCall(), "2 elsewhere + 0 here < 3");
    assertFalse(limits.tryAcquireCall(), "2 elsewhere + 1 here = 3");
    assertTrue(limits.tryAcquireCarrier("small"));
    assertFalse(limits.tryAcquireCarrier("small"), "1 elsewhere + 1 here = 2");
    elsewhere[0] = 0;
    assertTrue(limits.tryAcquireCall(), "the other node's calls ended");
    // 4 per second over 2 nodes: 2 here, refilled at 2 per second
    assertTrue(limits.tryAcquireCarrier("paced"));
    assertTrue(limits.tryAcquireCarrier("paced"));
    assertFalse(limits.tryAcquireCarrier("paced"), "this node's share of the second is taken");
    now[0] += 500_000_000L;
    assertTrue(limits.tryAcquireCarrier("paced"), "half a second refills one at 2 per second");
    assertFalse(limits.tryAcquireCarrier("paced"));
  }
}
