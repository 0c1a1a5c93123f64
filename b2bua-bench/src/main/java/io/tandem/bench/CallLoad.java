package io.tandem.bench;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A load driver for whole calls (INVITE, 180, 200, ACK, BYE) through a running Tandem in
 * another process, with {@link CallDriver} as both the caller and the carrier. It reports:
 *
 * <ol>
 *   <li>calls per second at no failed call: fixed-rate steps, stopping at the first step with
 *       a failed call or a setup p99 over the limit; the highest clean step is the figure;
 *   <li>the server's CPU per call (from /proc) over each step and over a run at half that rate;
 *   <li>INVITE-in to INVITE-out latency (leg A sent to leg B received) p50 and p99 in that run;
 *   <li>the heap per established call: N calls held up, heap after a full GC against the heap
 *       before; then all hung up, and the heap must come back.
 * </ol>
 *
 * <pre>
 *   java -cp benchmarks.jar io.tandem.bench.CallLoad PORT CARRIER_PORT PID [key=value...]
 * </pre>
 *
 * Keys (defaults in {@link #DEFAULTS}): rates (the steps, calls/s, comma-separated), step-s,
 * warmup-rate, warmup-s, hold-ms (answer to BYE in the rate runs), timeout-ms, max-setup-p99-ms,
 * latency-s, held (N), held-rate (0 = the latency run's rate), settle-s (longer than 64*T1, so
 * the transactions of what came before have ended), server-cdr (Tandem's CDR directory: counts
 * the answered calls that ended with a BYE, from the records it writes when a call is over).
 */
public final class CallLoad {
  private static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry("rates", "100,200,300,400,500,600,800,1000,1200,1500,2000,2500,3000"),
      Map.entry("step-s", "10"),
      Map.entry("warmup-rate", "100"),
      Map.entry("warmup-s", "10"),
      Map.entry("hold-ms", "0"),
      Map.entry("timeout-ms", "5000"),
      Map.entry("max-setup-p99-ms", "500"),
      Map.entry("latency-s", "10"),
      Map.entry("held", "20000"),
      Map.entry("held-rate", "0"),
      Map.entry("settle-s", "40"),
      Map.entry("server-cdr", ""));

  private final CallDriver driver;
  private final ServerProbe server;
  private final Map<String, String> options;
  private final long timeoutNanos;
  private final long holdNanos;

  private CallLoad(CallDriver driver, ServerProbe server, Map<String, String> options) {
    this.driver = driver;
    this.server = server;
    this.options = options;
    this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(number("timeout-ms"));
    this.holdNanos = TimeUnit.MILLISECONDS.toNanos(number("hold-ms"));
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: CallLoad PORT CARRIER_PORT PID [key=value...]; keys: " + DEFAULTS.keySet());
      System.exit(2);
    }
    Map<String, String> options = new HashMap<>(DEFAULTS);
    for (String arg : Arrays.copyOfRange(args, 3, args.length)) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2 || !DEFAULTS.containsKey(kv[0])) {
        throw new IllegalArgumentException("unknown option " + arg + "; keys: " + DEFAULTS.keySet());
      }
      options.put(kv[0], kv[1]);
    }
    InetSocketAddress tandem = new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0]));
    try (CallDriver driver = new CallDriver(tandem, Integer.parseInt(args[1]))) {
      new CallLoad(driver, new ServerProbe(Long.parseLong(args[2])), options).run();
    }
  }

  private void run() throws Exception {
    long total = 0;
    System.out.printf("options: %s%n", new TreeMap<>(options));
    CallResult warm = rateRun("warm-up", number("warmup-rate"), number("warmup-s"));
    total += warm.answered();
    double idleCores = settleAndMeasureIdle();
    long heapStart = server.heapAfterGcKb();
    System.out.printf("heap after full GC before the steps: %,d KB%n", heapStart);

    // 1. Calls per second: step up until a step fails a call or its setup p99 blows up.
    double maxClean = 0;
    int step = 0;
    for (String r : options.get("rates").split(",")) {
      double rate = Double.parseDouble(r.trim());
      CallResult res = rateRun("step " + ++step, rate, number("step-s"));
      total += res.answered();
      double p99 = CallResult.quantileMs(res.setup(), 0.99);
      if (res.failed() > 0 || !(p99 <= number("max-setup-p99-ms"))) {
        System.out.printf("  step failed (%d failed calls, setup p99 %.1f ms, limit %d ms): stop%n",
            res.failed(), p99, number("max-setup-p99-ms"));
        break;
      }
      maxClean = rate;
    }
    if (maxClean == 0) {
      System.out.println("max clean rate: none (the first step failed); nothing more to measure");
      return;
    }
    System.out.printf("max clean rate: %,.0f calls/s%n", maxClean);

    // 2. CPU per call and INVITE-in to INVITE-out latency at half of it, once what is left of
    // the steps (the last may have overloaded the server) has ended.
    double half = maxClean / 2;
    settle();
    double cpu0 = server.cpuSeconds();
    long t0 = System.nanoTime();
    CallResult lat = rateRun("latency run", half, number("latency-s"));
    total += lat.answered();
    System.out.printf("  INVITE in -> INVITE out at %,.0f calls/s: p50 %.2f ms, p99 %.2f ms (%,d calls)%n",
        half, CallResult.quantileMs(lat.inviteInToOut(), 0.5), CallResult.quantileMs(lat.inviteInToOut(), 0.99),
        lat.inviteInToOut().length);
    settle();
    double window = (System.nanoTime() - t0) / 1e9;
    double cpu = server.cpuSeconds() - cpu0 - idleCores * window;
    System.out.printf("  server CPU with the settle after it (its transactions' timers), less idle: %.3f ms per call%n",
        1e3 * cpu / Math.max(1, lat.ended()));

    // 3. Heap per established call.
    int n = (int) number("held");
    if (n > 0) {
      total += held(n, heapStart, options.get("held-rate").equals("0") ? half : number("held-rate"));
    }
    String cdr = options.get("server-cdr");
    if (!cdr.isEmpty()) {
      long answered = ServerProbe.countLines(Path.of(cdr), "\"answered\":true");
      long byes = ServerProbe.countLines(Path.of(cdr), "\"end_reason\":\"bye\"");
      // A call whose BYE the server never got (dropped in an overloaded step: the driver does
      // not retransmit) is still up there, and has no record yet.
      System.out.printf("server CDRs: %,d calls answered, %,d ended by BYE; the driver had %,d answered: %,d still up%n",
          answered, byes, total, total - answered);
    }
    System.out.printf("messages outside any call seen by the driver: %,d%n", driver.strays.get());
  }

  /**
   * Places {@code n} calls and keeps them up: the heap per established call once their
   * transactions have ended; then hangs them all up and reads the heap again. Returns how
   * many were answered.
   */
  private int held(int n, long heapStart, double heldRate) throws Exception {
    long heapBefore = server.heapAfterGcKb();
    System.out.printf("held calls: placing %,d at %,.0f calls/s; heap after full GC before: %,d KB (%+,d KB since before the steps)%n",
        n, heldRate, heapBefore, heapBefore - heapStart);
    CallDriver.Batch held = driver.newBatch(n, -1);
    long sending = driver.offer(held, heldRate);
    await(held.finals, timeoutNanos);
    CallResult up = CallResult.of(held, timeoutNanos, false);
    System.out.printf("  %,d established in %.1f s, %,d failed %s; setup p50 %.2f ms, p99 %.2f ms%n",
        up.answered(), sending / 1e9, up.failed(), up.failures(),
        CallResult.quantileMs(up.setup(), 0.5), CallResult.quantileMs(up.setup(), 0.99));
    long heapNow = server.heapAfterGcKb();
    System.out.printf("  heap right after (their INVITE transactions still alive): %,d KB = %,.0f bytes per call%n",
        heapNow, 1024.0 * (heapNow - heapBefore) / Math.max(1, up.answered()));
    settle();
    long heapHeld = server.heapAfterGcKb();
    System.out.printf("  heap with %,d established calls, transactions ended: %,d KB = %,.0f bytes per established call%n",
        up.answered(), heapHeld, 1024.0 * (heapHeld - heapBefore) / Math.max(1, up.answered()));
    long byeing = driver.byeAll(held, heldRate);
    await(held.ends, timeoutNanos);
    CallResult down = CallResult.of(held, timeoutNanos, true);
    System.out.printf("  BYE sent to all in %.1f s: %,d ended with 200, %,d failed in all %s%n",
        byeing / 1e9, down.ended(), down.failed(), down.failures());
    settle();
    long heapAfter = server.heapAfterGcKb();
    System.out.printf("  heap after full GC once they ended: %,d KB (%+,d KB since before the held calls)%n",
        heapAfter, heapAfter - heapBefore);
    return up.answered();
  }

  /** One fixed-rate run of calls held {@code hold-ms}, reported in one line. */
  private CallResult rateRun(String name, double rate, long seconds) throws Exception {
    CallDriver.Batch batch = driver.newBatch((int) Math.round(rate * seconds), holdNanos);
    double cpu0 = server.cpuSeconds();
    long start = System.nanoTime();
    long sending = driver.offer(batch, rate);
    await(batch.ends, holdNanos + 2 * timeoutNanos);
    double window = (System.nanoTime() - start) / 1e9; // the sending, then the last calls' ends
    double cpu = server.cpuSeconds() - cpu0;
    CallResult r = CallResult.of(batch, timeoutNanos, true);
    System.out.printf("%s: %,.0f calls/s for %d s (sent at %,.1f/s): %,d calls, %,d answered, %,d ended with BYE 200, %,d failed %s%n",
        name, rate, seconds, r.calls() / (sending / 1e9), r.calls(), r.answered(), r.ended(), r.failed(), r.failures());
    System.out.printf("  setup (INVITE to 200) p50 %.2f ms, p99 %.2f ms; INVITE in -> out p50 %.2f ms, p99 %.2f ms;"
            + " retransmissions seen: %d 2xx, %d INVITE%n",
        CallResult.quantileMs(r.setup(), 0.5), CallResult.quantileMs(r.setup(), 0.99),
        CallResult.quantileMs(r.inviteInToOut(), 0.5), CallResult.quantileMs(r.inviteInToOut(), 0.99),
        r.okRetransmits(), r.inviteRetransmits());
    System.out.printf("  server CPU %.2f s = %.0f%% of one core, %.3f ms per call%n",
        cpu, 100 * cpu / window, 1e3 * cpu / Math.max(1, r.ended()));
    return r;
  }

  /** Waits for a latch at most {@code graceNanos} more (the sending is over by now). */
  private static void await(CountDownLatch latch, long graceNanos) throws InterruptedException {
    latch.await(graceNanos, TimeUnit.NANOSECONDS);
  }

  private void settle() throws InterruptedException {
    System.out.printf("  waiting %d s for the transactions to end (64*T1)%n", number("settle-s"));
    TimeUnit.SECONDS.sleep(number("settle-s"));
  }

  /** Settles, then measures the idle server's CPU over 5 s, as a share of one core. */
  private double settleAndMeasureIdle() throws Exception {
    settle();
    double cpu0 = server.cpuSeconds();
    TimeUnit.SECONDS.sleep(5);
    double idle = (server.cpuSeconds() - cpu0) / 5;
    System.out.printf("idle server CPU: %.1f%% of one core%n", 100 * idle);
    return idle;
  }

  private long number(String key) {
    return Long.parseLong(options.get(key));
  }
}
