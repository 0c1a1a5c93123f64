package io.tandem.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** What a {@link CallDriver.Batch} did: counts, failures by reason, latencies in nanoseconds. */
record CallResult(int calls, int answered, int ended, Map<String, Integer> failures,
    long[] setup, long[] inviteInToOut, int okRetransmits, int inviteRetransmits) {

  int failed() {
    return failures.values().stream().mapToInt(Integer::intValue).sum();
  }

  /**
   * Tallies a batch once it is over. A call fails once, for its first fault: no final within
   * {@code timeoutNanos} of its INVITE, a non-2xx final, a 2xx without To tag or Contact, no
   * ACK reaching the carrier; and, when {@code ended}, no BYE reaching the carrier, or the BYE
   * not answered 200 within {@code timeoutNanos}.
   */
  static CallResult of(CallDriver.Batch batch, long timeoutNanos, boolean ended) {
    Map<String, Integer> failures = new TreeMap<>();
    long[] setup = new long[batch.calls.length];
    long[] inOut = new long[batch.calls.length];
    int answered = 0;
    int endedOk = 0;
    int nInOut = 0;
    for (CallDriver.Call c : batch.calls) {
      if (c.legBAt != 0) {
        inOut[nInOut++] = c.legBAt - c.inviteAt;
      }
      String fault = null;
      if (c.finalAt == 0 || c.finalAt - c.inviteAt > timeoutNanos) {
        fault = "no final response within the timeout";
      } else if (c.status >= 300) {
        fault = "final " + c.status;
      } else if (c.ack == null) {
        fault = "2xx without To tag or Contact";
      } else if (!c.carrierAcked) {
        fault = "no ACK reached the carrier";
      } else {
        setup[answered++] = c.finalAt - c.inviteAt;
        if (ended) {
          if (c.byeFinalAt == 0 || c.byeFinalAt - c.byeAt > timeoutNanos) {
            fault = "BYE not answered within the timeout";
          } else if (c.byeStatus != 200) {
            fault = "BYE answered " + c.byeStatus;
          } else if (!c.carrierByed) {
            fault = "no BYE reached the carrier";
          } else {
            endedOk++;
          }
        }
      }
      if (fault != null) {
        failures.merge(fault, 1, Integer::sum);
      }
    }
    return new CallResult(batch.calls.length, answered, endedOk, failures,
        Arrays.copyOf(setup, answered), Arrays.copyOf(inOut, nInOut),
        batch.okRetransmits.get(), batch.inviteRetransmits.get());
  }

  /** The {@code q} quantile (nearest rank) of some latencies, in milliseconds. */
  static double quantileMs(long[] nanos, double q) {
    if (nanos.length == 0) {
      return Double.NaN;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }
}
