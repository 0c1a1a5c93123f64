package io.tandem.app.ua;

import gov.nist.javax.sip.message.SIPMessage;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import java.util.function.Predicate;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Every SIP message one user agent put on or took off a socket, in order, with the time: the
 * ladder diagram tests assert and print. It is fed by JAIN-SIP's own message log
 * ({@link StackHooks.WireRecorder}), so it also holds what the stack sends by itself (ACK to a
 * non-2xx final, 100 Trying, retransmissions) and what it absorbs.
 */
final class Wire {
  /** One message on the wire; {@code message} is a copy taken when it passed. */
  record Entry(long nanos, boolean sent, SIPMessage message) {
    /** {@code "-> INVITE"}, {@code "<- 180 Ringing"}. */
    String line() {
      String arrow = sent ? "-> " : "<- ";
      String what = message instanceof Request request
          ? request.getMethod()
          : ((Response) message).getStatusCode() + " " + ((Response) message).getReasonPhrase();
      return arrow + what;
    }

    boolean isRequest(String method) {
      return message instanceof Request request && request.getMethod().equals(method);
    }

    String callId() {
      return ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
    }

    long cseq() {
      return ((CSeqHeader) message.getHeader(CSeqHeader.NAME)).getSeqNumber();
    }

    String toTag() {
      return ((ToHeader) message.getHeader(ToHeader.NAME)).getTag();
    }

    String branch() {
      return ((ViaHeader) message.getHeader(ViaHeader.NAME)).getBranch();
    }
  }

  private final String owner;
  private volatile long origin = System.nanoTime();
  private final Journal<Entry> entries = new Journal<>();
  /** Messages recorded by {@link #sending} whose send JAIN-SIP has not logged yet. */
  private final Set<Message> announced = Collections.newSetFromMap(new IdentityHashMap<>());
  private SIPMessage lastReceived;

  Wire(String owner) {
    this.owner = owner;
  }

  /**
   * Records a message the UA is about to hand to JAIN-SIP. JAIN-SIP logs a send only after the
   * socket write, when the answer may already be in: recording first keeps the ladder in order.
   */
  void sending(Message message) {
    synchronized (announced) {
      announced.add(message);
    }
    entries.add(new Entry(System.nanoTime(), true, (SIPMessage) message.clone()));
  }

  /** From JAIN-SIP's message log; UDP logs a received response twice, kept once. */
  void record(boolean sent, SIPMessage message) {
    synchronized (announced) {
      if (sent ? announced.remove(message) : message == lastReceived) {
        return;
      }
      if (!sent) {
        lastReceived = message;
      }
    }
    entries.add(new Entry(System.nanoTime(), sent, (SIPMessage) message.clone()));
  }

  /** Forgets everything recorded so far: a new page for the next test. */
  void clear() {
    entries.clear();
    origin = System.nanoTime();
  }

  List<Entry> entries() {
    return entries.snapshot();
  }

  List<String> ladder() {
    return ladder(e -> true);
  }

  List<String> ladder(Predicate<Entry> which) {
    return entries().stream().filter(which).map(Entry::line).toList();
  }

  /**
   * Waits until {@code which} entries number {@code expected.length}, then asserts they read
   * {@code expected}; a message that comes later than that is not seen.
   */
  void awaitLadder(Predicate<Entry> which, Duration timeout, String... expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> actual = ladder(which);
    while (actual.size() < expected.length && System.nanoTime() < deadline) {
      entries.awaitSize(entries.snapshot().size() + 1, Duration.ofNanos(deadline - System.nanoTime()));
      actual = ladder(which);
    }
    if (!actual.equals(List.of(expected))) {
      throw new AssertionError(owner + ": expected ladder " + List.of(expected) + " but was " + actual
          + "\n" + SipUa.ladders());
    }
  }

  Optional<Entry> await(Predicate<Entry> test, Duration timeout) throws InterruptedException {
    return entries.await(test, timeout);
  }

  /** The ladder with times since this UA started, Call-ID and CSeq: for failure messages. */
  String describe() {
    StringBuilder out = new StringBuilder(owner).append(":\n");
    for (Entry e : entries()) {
      CSeqHeader cseq = (CSeqHeader) e.message().getHeader(CSeqHeader.NAME);
      out.append(String.format("  %+6dms %-28s %s %s %s%n",
          (e.nanos() - origin) / 1_000_000, e.line(),
          cseq == null ? "" : cseq.getSeqNumber() + " " + cseq.getMethod(),
          e.callId(), e.message() instanceof Request r ? r.getRequestURI() : ""));
    }
    return out.toString();
  }
}
