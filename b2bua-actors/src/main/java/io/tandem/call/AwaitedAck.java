package io.tandem.call;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionUser;
import java.time.Duration;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The 2xx a leg gave an INVITE (its first, or a re-INVITE it handed up), until its ACK comes:
 * the core that sent it retransmits it over an unreliable transport, T1 doubling up to T2,
 * until the ACK, and gives up at 64*T1 (RFC 3261 section 13.3.1.4; the transaction does not,
 * RFC 6026). Over a reliable transport it only waits. One at a time: a dialog has one offer in
 * progress at most.
 */
final class AwaitedAck {
  /** The id the INVITE of the leg itself (leg A's) waits under. */
  static final int INVITE = 0;
  /** Nothing awaited. */
  static final int NONE = -1;

  private record Retransmit(Duration interval, Duration elapsed) implements Leg.Command {}

  private static final String TIMER = "2xx";

  private final TimerScheduler<TransactionUser> timers;
  private final TimerSettings settings;
  private SipResponse ok;
  private ServerTransaction transaction;
  private int txId = NONE;

  AwaitedAck(TimerScheduler<TransactionUser> timers, TimerSettings settings) {
    this.timers = timers;
    this.settings = settings;
  }

  /** {@code ok}, sent in {@code transaction} for the INVITE handed up as {@code txId}, awaits its ACK. */
  void await(int txId, ServerTransaction transaction, SipResponse ok) {
    this.txId = txId;
    this.ok = ok;
    this.transaction = transaction;
    if (!transaction.source().reliable()) {
      Duration t1 = settings.t1();
      timers.startSingleTimer(TIMER, new Retransmit(t1, t1), t1);
    }
  }

  boolean waiting() {
    return txId != NONE;
  }

  /** If {@code ack} acknowledges the awaited 2xx: it is over, and the id it waited under; else NONE. */
  int onAck(SipRequest ack) {
    if (txId == NONE || ack.cseq().sequence() != ok.cseq().sequence()) {
      return NONE;
    }
    int acked = txId;
    stop();
    return acked;
  }

  void stop() {
    txId = NONE;
    ok = null;
    transaction = null;
    timers.cancel(TIMER);
  }

  /** Takes the retransmission timer's message; false for any other. */
  boolean onTimer(TransactionUser message) {
    if (!(message instanceof Retransmit r)) {
      return false;
    }
    if (txId == NONE) {
      return true;
    }
    transaction.respond(ok);
    Duration next = settings.nextInterval(r.interval());
    Duration elapsed = r.elapsed().plus(next);
    if (elapsed.compareTo(settings.sixtyFourT1()) < 0) {
      timers.startSingleTimer(TIMER, new Retransmit(next, elapsed), next);
    } else {
      timers.cancel(TIMER); // no ACK: leg A's own 2xx ends the call by its ACK timer; a re-INVITE's waits on
    }
    return true;
  }
}
