package io.tandem.app.metrics;

import io.tandem.call.CallKey;
import io.tandem.call.CallObserver;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import kamon.Kamon;
import kamon.metric.Counter;
import kamon.metric.Gauge;
import kamon.metric.Timer;

/**
 * The {@link CallObserver} that counts calls into Kamon metrics (names as Prometheus shows
 * them; Kamon adds {@code _total} to counters and {@code _seconds} to timers):
 *
 * <table>
 *   <caption>Call metrics</caption>
 *   <tr><th>metric</th><th>tags</th><th>counts</th></tr>
 *   <tr><td>tandem_calls_active</td><td></td><td>calls started and not yet ended (gauge)</td></tr>
 *   <tr><td>tandem_calls_attempted_total</td><td></td><td>leg-A INVITEs that started a call</td></tr>
 *   <tr><td>tandem_calls_answered_total</td><td>carrier</td><td>calls answered, by the carrier that answered</td></tr>
 *   <tr><td>tandem_calls_failed_total</td><td>code, carrier</td><td>calls never answered, by leg A's final
 *       and the last carrier tried ({@code none} when none was)</td></tr>
 *   <tr><td>tandem_calls_ended_total</td><td>by, reason</td><td>answered calls ended, by who ended them
 *       and why</td></tr>
 *   <tr><td>tandem_attempts_total</td><td>carrier, status</td><td>leg-B INVITEs by their final (408 for a
 *       timeout, 503 for a transport failure)</td></tr>
 *   <tr><td>tandem_failovers_total</td><td>carrier</td><td>attempts after the first of a call, by the
 *       carrier failed over to</td></tr>
 *   <tr><td>tandem_call_setup_time_seconds</td><td></td><td>histogram: leg-A INVITE in to 2xx out</td></tr>
 *   <tr><td>tandem_transactions_timeouts_total</td><td>timer</td><td>the calls' transactions that
 *       timed out, by RFC 3261 timer (B, F, H)</td></tr>
 *   <tr><td>tandem_transfers_total</td><td>result</td><td>REFERs accepted, transfers succeeded, failed</td></tr>
 *   <tr><td>tandem_calls_recovered_total</td><td></td><td>answered calls brought back on this node after
 *       the node that held them was gone (a cluster)</td></tr>
 * </table>
 *
 * <p>The answer-seizure ratio is {@code sum(rate(tandem_calls_answered_total[5m])) /
 * rate(tandem_calls_attempted_total[5m])} in PromQL.
 */
public final class CallMetrics implements CallObserver {
  /** What a call's later events need of its earlier ones. */
  private static final class Progress {
    final long startNanos;
    volatile String lastCarrier = "none";
    volatile boolean answered;

    Progress(long startNanos) {
      this.startNanos = startNanos;
    }
  }

  private final Map<CallKey, Progress> calls = new ConcurrentHashMap<>();
  private final Gauge active = Kamon.gauge("tandem.calls.active", "calls started and not yet ended").withoutTags();
  private final Counter recovered = Kamon.counter("tandem.calls.recovered",
      "answered calls brought back on this node after their node was gone").withoutTags();
  private final Counter attempted = Kamon.counter("tandem.calls.attempted", "leg-A INVITEs that started a call")
      .withoutTags();
  private final Timer setup = Kamon.timer("tandem.call.setup-time", "leg-A INVITE in to 2xx out").withoutTags();

  @Override
  public void on(Event event) {
    if (event instanceof Started s) {
      calls.put(s.key(), new Progress(System.nanoTime()));
      attempted.increment();
      active.increment();
    } else if (event instanceof Restored r) {
      Progress p = new Progress(System.nanoTime());
      p.lastCarrier = r.state().carrier();
      p.answered = r.state().answeredAtMs() > 0;
      calls.put(r.key(), p);
      recovered.increment();
      active.increment();
    } else if (event instanceof AttemptStarted a) {
      Progress p = calls.get(a.key());
      if (p != null) {
        p.lastCarrier = a.carrier();
      }
      if (a.attempt() > 1) {
        Kamon.counter("tandem.failovers").withTag("carrier", a.carrier()).increment();
      }
    } else if (event instanceof AttemptEnded a) {
      Kamon.counter("tandem.attempts").withTag("carrier", a.carrier()).withTag("status", Integer.toString(a.status()))
          .increment();
    } else if (event instanceof Answered a) {
      Kamon.counter("tandem.calls.answered").withTag("carrier", a.carrier()).increment();
      Progress p = calls.get(a.key());
      if (p != null) {
        p.answered = true;
        setup.record(System.nanoTime() - p.startNanos);
      }
    } else if (event instanceof Ended e) {
      onEnded(e);
    } else if (event instanceof TransactionTimedOut t) {
      Kamon.counter("tandem.transactions.timeouts").withTag("timer", String.valueOf(t.timer())).increment();
    } else if (event instanceof ReferReceived) {
      Kamon.counter("tandem.transfers").withTag("result", "refer").increment();
    } else if (event instanceof TransferEnded t) {
      Kamon.counter("tandem.transfers").withTag("result", t.succeeded() ? "succeeded" : "failed").increment();
    } else if (event instanceof Closed c) {
      if (calls.remove(c.key()) != null) {
        active.decrement(); // a call that never said Ended still leaves the gauge
      }
    }
  }

  private void onEnded(Ended e) {
    Progress p = calls.remove(e.key());
    if (p == null) {
      return;
    }
    active.decrement();
    if (p.answered) {
      Kamon.counter("tandem.calls.ended").withTag("by", e.by().label()).withTag("reason", e.reason()).increment();
    } else {
      Kamon.counter("tandem.calls.failed").withTag("code", Integer.toString(e.status()))
          .withTag("carrier", p.lastCarrier).increment();
    }
  }
}
