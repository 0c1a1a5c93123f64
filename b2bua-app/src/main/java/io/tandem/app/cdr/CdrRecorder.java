package io.tandem.app.cdr;

import io.tandem.call.CallKey;
import io.tandem.call.CallObserver;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link CallObserver} that turns each call's events into its call detail record, and hands
 * the record to the {@link CdrWriter} once the call is {@link CallObserver.Closed closed} (its
 * last attempt has its final by then). Each call's record is touched by that call's actor only.
 */
public final class CdrRecorder implements CallObserver, AutoCloseable {
  private final Map<CallKey, CallRecord> open = new ConcurrentHashMap<>();
  private final CdrWriter writer;
  private final Clock clock;

  public CdrRecorder(CdrWriter writer, Clock clock) {
    this.writer = writer;
    this.clock = clock;
  }

  /** A recorder writing where {@code settings} say, on UTC time. */
  public static CdrRecorder start(CdrSettings settings) {
    Clock clock = Clock.systemUTC();
    return new CdrRecorder(new CdrWriter(settings, clock), clock);
  }

  @Override
  public void on(Event event) {
    if (event instanceof Started s) {
      open.put(s.key(), new CallRecord(s, clock.instant()));
    } else if (event instanceof Restored r) {
      open.put(r.key(), CallRecord.restored(r.state()));
    } else if (event instanceof Closed c) {
      CallRecord record = open.remove(c.key());
      if (record != null) {
        writer.write(record.toJson(clock.instant()));
      }
    } else {
      CallRecord record = open.get(event.key());
      if (record != null) {
        record.add(event, clock.instant());
      }
    }
  }

  public CdrWriter writer() {
    return writer;
  }

  /** Calls still open are written as they are (end = now, end_reason = unknown); then the file closes. */
  @Override
  public void close() {
    close(false);
  }

  /**
   * As {@link #close()}, but a node of a cluster leaving writes no record for a call still up
   * whose state the cluster keeps (answered or ringing, not transferred): another node brings
   * the call back and writes its one record when it ends.
   *
   * @return how many records were left to the other nodes
   */
  public int close(boolean callsHandedOver) {
    int left = 0;
    for (CallRecord record : open.values()) {
      if (callsHandedOver && record.keptElsewhere()) {
        left++;
      } else {
        writer.write(record.toJson(clock.instant()));
      }
    }
    open.clear();
    writer.close();
    return left;
  }
}
