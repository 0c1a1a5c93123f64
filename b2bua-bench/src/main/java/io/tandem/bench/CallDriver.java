package io.tandem.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Both ends of the calls {@link CallLoad} puts through Tandem: the caller (one UDP socket,
 * sends INVITE, ACKs the 2xx, hangs up with BYE) and the carrier Tandem routes them to
 * (another UDP socket, answers 180 and 200 with SDP at once and 200 to BYE). One clock for
 * both, so the time from the INVITE on leg A to the INVITE on leg B is Tandem's own.
 *
 * <pre>
 *   caller socket            Tandem               carrier socket
 *   INVITE (offer)  ---->              ---->  INVITE: 180, 200 (answer)
 *   200: ACK, then BYE after the hold  ---->  ACK, BYE: 200
 * </pre>
 *
 * The driver does not retransmit its requests: a lost one is a failed call. It does answer
 * retransmissions: a 2xx again gets its ACK again, an INVITE again gets its 200 again.
 */
final class CallDriver implements AutoCloseable {
  /** One call's progress, written by the receive threads, read once its batch is over. */
  static final class Call {
    final long id;
    final Batch batch;
    volatile long inviteAt;
    volatile long legBAt;
    volatile long finalAt;
    volatile long byeAt;
    volatile long byeFinalAt;
    volatile int status;
    volatile int byeStatus;
    volatile boolean carrierAcked;
    volatile boolean carrierByed;
    volatile String toTag;
    volatile InetSocketAddress target;
    volatile String targetUri;
    volatile byte[] ack;
    /** The two ends of a hang-up: the BYE's final at the caller, the BYE at the carrier. */
    final AtomicInteger hangUpParts = new AtomicInteger();

    Call(long id, Batch batch) {
      this.id = id;
      this.batch = batch;
    }
  }

  /** Calls placed together; {@code holdNanos} < 0 keeps them up until {@link #byeAll}. */
  static final class Batch {
    final Call[] calls;
    final long holdNanos;
    final CountDownLatch finals;
    final CountDownLatch ends;
    final AtomicInteger okRetransmits = new AtomicInteger();
    final AtomicInteger inviteRetransmits = new AtomicInteger();

    Batch(int count, long holdNanos) {
      this.calls = new Call[count];
      this.holdNanos = holdNanos;
      this.finals = new CountDownLatch(count);
      this.ends = new CountDownLatch(count);
    }
  }

  private final DatagramChannel caller;
  private final DatagramChannel carrier;
  private final InetSocketAddress server;
  private final int callerPort;
  private final int carrierPort;
  /** Call ids (in Call-IDs, tags and branches) start from the clock, unique across runs. */
  private final AtomicLong nextId = new AtomicLong(System.currentTimeMillis() / 1000 * 1_000_000);
  private final Map<Long, Call> byId = new ConcurrentHashMap<>();
  private final Map<String, Call> byLegB = new ConcurrentHashMap<>();
  private final ScheduledExecutorService hangUps = Executors.newSingleThreadScheduledExecutor();
  private final List<Thread> receivers = new ArrayList<>();
  /** Messages that fit no call: requests from Tandem on leg A, unknown Call-IDs, send errors. */
  final AtomicInteger strays = new AtomicInteger();

  CallDriver(InetSocketAddress server, int carrierPort) throws IOException {
    this.server = server;
    this.caller = open(0);
    this.carrier = open(carrierPort);
    this.callerPort = ((InetSocketAddress) caller.getLocalAddress()).getPort();
    this.carrierPort = carrierPort;
    receivers.add(new Thread(() -> receive(caller, this::onCallerMessage), "caller-rx"));
    receivers.add(new Thread(() -> receive(carrier, this::onCarrierMessage), "carrier-rx"));
    receivers.forEach(Thread::start);
  }

  private static DatagramChannel open(int port) throws IOException {
    DatagramChannel ch = DatagramChannel.open();
    ch.socket().setReceiveBufferSize(4 << 20);
    ch.socket().setSendBufferSize(1 << 20);
    ch.bind(new InetSocketAddress("127.0.0.1", port));
    return ch;
  }

  Batch newBatch(int count, long holdNanos) {
    Batch batch = new Batch(count, holdNanos);
    for (int i = 0; i < count; i++) {
      batch.calls[i] = new Call(nextId.getAndIncrement(), batch);
    }
    return batch;
  }

  /** Sends the batch's INVITEs at {@code rate} per second; returns how long that took. */
  long offer(Batch batch, double rate) {
    return paced(batch.calls.length, rate, i -> {
      Call call = batch.calls[i];
      byId.put(call.id, call);
      call.inviteAt = System.nanoTime();
      send(caller, SipText.invite(call.id, server, callerPort), server);
    });
  }

  /** Hangs up every established call of a held batch, at {@code rate} per second. */
  long byeAll(Batch batch, double rate) {
    return paced(batch.calls.length, rate, i -> {
      Call call = batch.calls[i];
      if (call.ack != null && call.byeAt == 0) {
        bye(call);
      }
    });
  }

  private long paced(int count, double rate, IntConsumer action) {
    long start = System.nanoTime();
    double interval = 1e9 / rate;
    for (int i = 0; i < count; i++) {
      long due = start + (long) (i * interval);
      long wait;
      while ((wait = due - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      action.accept(i); // behind schedule: catch up at once, so the offered rate holds
    }
    return System.nanoTime() - start;
  }

  private void bye(Call call) {
    call.byeAt = System.nanoTime();
    send(caller, SipText.inDialog("BYE", 2, call.id, call.targetUri, call.toTag, callerPort), call.target);
  }

  // ---- the caller's side ----------------------------------------------------------------

  private void onCallerMessage(SipText.Message m, SocketAddress source) {
    long now = System.nanoTime();
    long id = SipText.callerId(m.first("call-id"));
    if (m.isResponse() && m.status() >= 300 && m.cseqMethod().equals("INVITE") && id >= 0) {
      // Every non-2xx final, the first and its retransmissions (the call may be gone by then),
      // is ACKed by the INVITE client transaction, or the server retransmits it until Timer H.
      send(caller, SipText.ackOfFailure(id, server, callerPort, m.first("to")), source);
    }
    Call call = byId.get(id);
    if (!m.isResponse() || call == null) {
      if (!m.isResponse() && !m.method().equals("ACK")) {
        send(caller, SipText.answer(m, 200, "OK", null, callerPort), source); // e.g. Tandem's BYE
      }
      strays.incrementAndGet();
      return;
    }
    int status = m.status();
    if (status < 200) {
      return;
    }
    if (m.cseqMethod().equals("BYE")) {
      if (call.byeFinalAt == 0) {
        call.byeStatus = status;
        call.byeFinalAt = now;
        hungUp(call);
      }
      return;
    }
    if (call.finalAt != 0) {
      // Section 13.2.2.4: each retransmission of the 2xx gets the ACK again.
      if (status < 300 && call.ack != null) {
        call.batch.okRetransmits.incrementAndGet();
        send(caller, call.ack, call.target);
      }
      return;
    }
    call.status = status;
    call.finalAt = now;
    String toTag = SipText.tag(m.first("to"));
    String contact = m.contactUri();
    if (status >= 300 || toTag == null || contact == null) {
      call.batch.finals.countDown();
      end(call);
      return;
    }
    call.toTag = toTag;
    call.targetUri = contact;
    call.target = SipText.address(contact);
    call.ack = SipText.inDialog("ACK", 1, call.id, contact, toTag, callerPort);
    send(caller, call.ack, call.target);
    call.batch.finals.countDown();
    long hold = call.batch.holdNanos;
    if (hold == 0) {
      bye(call);
    } else if (hold > 0) {
      hangUps.schedule(() -> bye(call), hold, TimeUnit.NANOSECONDS);
    }
  }

  /** One end of the hang-up seen; the call is over when both are (they race each other). */
  private void hungUp(Call call) {
    if (call.hangUpParts.incrementAndGet() == 2) {
      end(call);
    }
  }

  private void end(Call call) {
    byId.remove(call.id);
    call.batch.ends.countDown();
  }

  // ---- the carrier's side ---------------------------------------------------------------

  private void onCarrierMessage(SipText.Message m, SocketAddress source) {
    if (m.isResponse()) {
      strays.incrementAndGet();
      return;
    }
    String callId = m.first("call-id");
    switch (m.method()) {
      case "INVITE" -> {
        Call known = byLegB.get(callId);
        if (known != null) {
          known.batch.inviteRetransmits.incrementAndGet();
          send(carrier, SipText.answer(m, 200, "OK", "b" + known.id, carrierPort), source);
          return;
        }
        Call call = byId.get(SipText.userId(m.requestUri()));
        if (call == null) {
          strays.incrementAndGet();
          send(carrier, SipText.answer(m, 404, "Not Found", "b0", carrierPort), source);
          return;
        }
        call.legBAt = System.nanoTime();
        byLegB.put(callId, call);
        send(carrier, SipText.answer(m, 180, "Ringing", "b" + call.id, carrierPort), source);
        send(carrier, SipText.answer(m, 200, "OK", "b" + call.id, carrierPort), source);
      }
      case "ACK" -> {
        Call call = byLegB.get(callId);
        if (call != null) {
          call.carrierAcked = true;
        } else {
          strays.incrementAndGet();
        }
      }
      case "BYE" -> {
        Call call = byLegB.remove(callId);
        if (call != null) {
          call.carrierByed = true;
          hungUp(call);
        } else {
          strays.incrementAndGet(); // a retransmission, if our 200 was lost
        }
        send(carrier, SipText.answer(m, 200, "OK", null, carrierPort), source);
      }
      default -> {
        strays.incrementAndGet();
        send(carrier, SipText.answer(m, 200, "OK", null, carrierPort), source);
      }
    }
  }

  // ---- sockets ------------------------------------------------------------------------------

  private interface Handler {
    void on(SipText.Message message, SocketAddress source);
  }

  private void receive(DatagramChannel channel, Handler handler) {
    ByteBuffer buf = ByteBuffer.allocate(65_535);
    while (channel.isOpen()) {
      try {
        buf.clear();
        SocketAddress source = channel.receive(buf);
        handler.on(SipText.Message.parse(buf.array(), buf.position()), source);
      } catch (ClosedChannelException closed) {
        return;
      } catch (IOException | RuntimeException e) {
        strays.incrementAndGet();
        System.err.println(Thread.currentThread().getName() + ": " + e);
      }
    }
  }

  private void send(DatagramChannel channel, byte[] message, SocketAddress to) {
    try {
      channel.send(ByteBuffer.wrap(message), to);
    } catch (IOException e) {
      strays.incrementAndGet();
      System.err.println("send: " + e);
    }
  }

  @Override
  public void close() throws IOException {
    hangUps.shutdownNow();
    caller.close();
    carrier.close();
  }
}
