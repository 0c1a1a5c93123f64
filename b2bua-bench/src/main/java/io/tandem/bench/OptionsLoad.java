package io.tandem.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A load driver for OPTIONS transactions over UDP against a running Tandem (another process),
 * reporting transactions per second, the server's CPU per transaction (from /proc), and the
 * server's heap after a full GC: before the load, with a round's transactions alive (the
 * heap one live transaction takes), and after each of two rounds once its transactions have
 * ended (no growth from round to round means nothing leaks).
 *
 * <pre>
 *   java -cp benchmarks.jar io.tandem.bench.OptionsLoad PORT PID [TRANSACTIONS] [WINDOW] [SETTLE_S]
 * </pre>
 *
 * At most WINDOW transactions are outstanding; each new OPTIONS has a fresh branch and
 * Call-ID, so every one is a new server transaction. A response not back within 2 s is counted
 * lost and its slot reused (the driver does not retransmit).
 */
public final class OptionsLoad {
  private static final Pattern BRANCH = Pattern.compile("branch=z9hG4bK-load-(\\d+)");
  private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

  private OptionsLoad() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    long pid = Long.parseLong(args[1]);
    int transactions = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 200;
    int settleSeconds = args.length > 4 ? Integer.parseInt(args[4]) : 40;
    InetSocketAddress server = new InetSocketAddress("127.0.0.1", port);

    try (DatagramChannel channel = DatagramChannel.open()) {
      channel.bind(new InetSocketAddress("127.0.0.1", 0));
      channel.socket().setReceiveBufferSize(4 << 20);
      channel.socket().setSoTimeout(2000);
      channel.connect(server);
      OptionsLoad.Run warm = run(channel, Math.max(transactions / 5, 5_000), window, 0);
      System.out.printf("warm-up: %,d transactions, %,d lost%n", warm.answered, warm.lost);
      System.out.printf("waiting %d s for the warm-up's transactions to end (Timer J = 64*T1)%n", settleSeconds);
      TimeUnit.SECONDS.sleep(settleSeconds);
      long heapBefore = heapAfterGc(pid);

      long sent = warm.sent;
      long previousHeap = heapBefore;
      for (int round = 1; round <= 2; round++) {
        long cpuBefore = cpuTicks(pid);
        Run run = run(channel, transactions, window, sent);
        sent += run.sent;
        long cpuTicks = cpuTicks(pid) - cpuBefore;
        double seconds = run.nanos / 1e9;
        double cpuSeconds = cpuTicks / 100.0; // USER_HZ is 100 on Linux
        System.out.printf("round %d: %,d OPTIONS transactions in %.2f s = %,.0f transactions/s, %,d lost%n",
            round, run.answered, seconds, run.answered / seconds, run.lost);
        System.out.printf("  server CPU: %.2f s = %.0f%% of one core, %.1f us per transaction%n",
            cpuSeconds, 100 * cpuSeconds / seconds, 1e6 * cpuSeconds / run.answered);
        // The transactions are all alive now (Timer J): what one costs while it lives.
        long heapLive = heapAfterGc(pid);
        System.out.printf("  heap with them alive: %,d KB = %,.0f bytes per live server transaction%n",
            heapLive, 1024.0 * (heapLive - previousHeap) / run.answered);
        System.out.printf("  waiting %d s for them to end%n", settleSeconds);
        TimeUnit.SECONDS.sleep(settleSeconds);
        long heapAfter = heapAfterGc(pid);
        System.out.printf("  heap after full GC once they ended: %,d KB (%+,d KB since before the round)%n",
            heapAfter, heapAfter - previousHeap);
        previousHeap = heapAfter;
      }
      System.out.printf("heap growth over both rounds: %+,d KB (%,d KB before, %,d KB after)%n",
          previousHeap - heapBefore, heapBefore, previousHeap);
    }
  }

  private record Run(long sent, long answered, long lost, long nanos) {}

  private static Run run(DatagramChannel channel, int count, int window, long firstId) throws Exception {
    Semaphore slots = new Semaphore(window);
    ConcurrentHashMap<Long, Long> outstanding = new ConcurrentHashMap<>();
    AtomicLong answered = new AtomicLong();
    AtomicLong lost = new AtomicLong();
    Thread receiver = new Thread(() -> receive(channel, count, slots, outstanding, answered, lost), "load-rx");
    String local = ((InetSocketAddress) channel.getLocalAddress()).getAddress().getHostAddress();
    int localPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    long start = System.nanoTime();
    receiver.start();
    for (long id = firstId; id < firstId + count; id++) {
      if (!slots.tryAcquire(2, TimeUnit.SECONDS)) {
        expire(outstanding, slots, lost);
        id--;
        continue;
      }
      outstanding.put(id, System.nanoTime());
      channel.write(ByteBuffer.wrap(options(id, local, localPort)));
    }
    receiver.join(TimeUnit.SECONDS.toMillis(10));
    receiver.interrupt();
    lost.addAndGet(outstanding.size());
    return new Run(firstId + count, answered.get(), lost.get(), System.nanoTime() - start);
  }

  private static void receive(DatagramChannel channel, int count, Semaphore slots,
      ConcurrentHashMap<Long, Long> outstanding, AtomicLong answered, AtomicLong lost) {
    ByteBuffer buf = ByteBuffer.allocate(65_535);
    try {
      while (answered.get() + lost.get() < count) {
        buf.clear();
        try {
          channel.socket().receive(new java.net.DatagramPacket(buf.array(), buf.capacity()));
        } catch (SocketTimeoutException idle) {
          expire(outstanding, slots, lost);
          continue;
        }
        String text = new String(buf.array(), 0, 400, StandardCharsets.US_ASCII);
        Matcher m = BRANCH.matcher(text);
        if (text.startsWith("SIP/2.0 200") && m.find() && outstanding.remove(Long.parseLong(m.group(1))) != null) {
          answered.incrementAndGet();
          slots.release();
        }
      }
    } catch (IOException e) {
      System.err.println("receiver: " + e);
    }
  }

  /** Gives up on transactions outstanding for more than 2 s. */
  private static void expire(ConcurrentHashMap<Long, Long> outstanding, Semaphore slots, AtomicLong lost) {
    long cutoff = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
    outstanding.forEach((id, at) -> {
      if (at < cutoff && outstanding.remove(id) != null) {
        lost.incrementAndGet();
        slots.release();
      }
    });
  }

  private static byte[] options(long id, String host, int port) {
    return ("OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP " + host + ":" + port + ";branch=z9hG4bK-load-" + id + ";rport\r\n"
        + "Max-Forwards: 70\r\n"
        + "From: <sip:load@" + host + ">;tag=ld" + id + "\r\n"
        + "To: <sip:ping@127.0.0.1>\r\n"
        + "Call-ID: load-" + id + "@" + host + "\r\n"
        + "CSeq: 1 OPTIONS\r\n"
        + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** utime + stime of the process, in clock ticks (proc(5), fields 14 and 15). */
  private static long cpuTicks(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** The server's used heap in KB after a full GC, through jcmd. */
  private static long heapAfterGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher m = HEAP_USED.matcher(info);
    if (!m.find()) {
      throw new IllegalStateException("cannot read the heap from jcmd GC.heap_info:\n" + info);
    }
    return Long.parseLong(m.group(1));
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("jcmd " + command + " failed:\n" + out);
    }
    return out;
  }
}
