package io.tandem.call;

import java.util.concurrent.atomic.AtomicInteger;

/** How many leg actors ({@link UasLeg}, {@link UacLeg}) a node's calls have alive. */
public final class LiveLegs {
  private final AtomicInteger alive = new AtomicInteger();

  void started() {
    alive.incrementAndGet();
  }

  void stopped() {
    alive.decrementAndGet();
  }

  public int count() {
    return alive.get();
  }
}
