package io.tandem.health;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which carriers are down, as their probes last found: shared by the probes (which write) and
 * routing (which reads, from many calls at once). A carrier without a probe is always up.
 */
public final class CarrierHealth {
  private final Map<String, Boolean> up = new ConcurrentHashMap<>();

  /** Whether calls may go to {@code carrier}: true unless its probe marked it down. */
  public boolean isUp(String carrier) {
    return up.getOrDefault(carrier, Boolean.TRUE);
  }

  /** What a probe found: {@code carrier} is up (answers) or down. */
  public void set(String carrier, boolean isUp) {
    up.put(carrier, isUp);
  }

  /** Each probed carrier and whether it is up, by name. */
  public Map<String, Boolean> snapshot() {
    return new TreeMap<>(up);
  }
}
