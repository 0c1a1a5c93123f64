package io.tandem.app.cdr;

import io.tandem.call.CallObserver;
import io.tandem.call.CallState;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * What one call's {@link CallObserver} events add up to, rendered as one JSON line (the fields
 * README.md "Call detail records" lists). Fed by one call's events, one at a time.
 */
final class CallRecord {
  /** One leg-B INVITE: where it went and how it ended (status 0 while it has not). */
  private static final class Leg {
    final int attempt;
    final String carrier;
    final String callId;
    final String fromUser;
    final String toUser;
    int status;
    String failure;

    Leg(int attempt, String carrier, String callId, String fromUser, String toUser) {
      this.attempt = attempt;
      this.carrier = carrier;
      this.callId = callId;
      this.fromUser = fromUser;
      this.toUser = toUser;
    }

    Leg(CallObserver.AttemptStarted started) {
      this.attempt = started.attempt();
      this.carrier = started.carrier();
      this.callId = started.callId();
      this.fromUser = started.fromUser();
      this.toUser = started.toUser();
    }
  }

  private record TransferStep(Instant at, String event, String target, int status) {}

  private final CallObserver.Started started;
  private final Instant start;
  private String route;
  private final List<Leg> legs = new ArrayList<>();
  private final List<TransferStep> transfers = new ArrayList<>();
  private Leg answeredLeg;
  private Instant ring;
  private Instant answer;
  private Instant end;
  private CallObserver.Ended ended;

  CallRecord(CallObserver.Started started, Instant at) {
    this.started = started;
    this.start = at;
  }

  /** Brought back on this node: this node writes its record; the earlier attempts' ends were the other node's. */
  private boolean recovered;

  /**
   * The record of a call another node held until it was gone ({@link CallObserver.Restored}):
   * its start, route, the attempt that answered and its answer, as that node kept them.
   */
  static CallRecord restored(CallState state) {
    CallRecord r = new CallRecord(new CallObserver.Started(state.key(), state.aCallId(), state.source(),
        state.fromUser(), state.toUser()), Instant.ofEpochMilli(state.startedAtMs()));
    r.recovered = true;
    r.route = state.route();
    Leg leg = new Leg(state.legB(), state.carrier(), state.bCallId(), state.bFromUser(), state.bToUser());
    r.legs.add(leg);
    if (state.answeredAtMs() > 0) {
      leg.status = 200;
      r.answeredLeg = leg;
      r.answer = Instant.ofEpochMilli(state.answeredAtMs());
    }
    return r;
  }

  /** Takes {@code event}, which happened {@code at}. */
  void add(CallObserver.Event event, Instant at) {
    if (event instanceof CallObserver.Routed r) {
      route = r.route();
    } else if (event instanceof CallObserver.AttemptStarted a) {
      legs.add(new Leg(a));
    } else if (event instanceof CallObserver.AttemptEnded a) {
      for (Leg leg : legs) {
        if (leg.attempt == a.attempt()) {
          leg.status = a.status();
          leg.failure = a.failure();
        }
      }
    } else if (event instanceof CallObserver.Ringing) {
      ring = at;
    } else if (event instanceof CallObserver.Answered a) {
      answer = at;
      answeredLeg = legs.isEmpty() ? null : legs.get(legs.size() - 1);
    } else if (event instanceof CallObserver.Ended e) {
      end = at;
      ended = e;
    } else if (event instanceof CallObserver.ReferReceived r) {
      transfers.add(new TransferStep(at, r.attended() ? "refer-attended" : "refer", r.target(), 0));
    } else if (event instanceof CallObserver.TransferEnded t) {
      transfers.add(new TransferStep(at, t.succeeded() ? "transfer-succeeded" : "transfer-failed", null, t.status()));
    }
  }

  /**
   * Not ended, with an attempt (so its state is kept in a cluster: ringing or answered) and no
   * transfer (a transferred call's state is dropped): the node that brings it back writes it.
   */
  boolean keptElsewhere() {
    return end == null && !legs.isEmpty() && transfers.isEmpty();
  }

  /** The record as one line of JSON (no line end); {@code closed} stands in for a missing end. */
  String toJson(Instant closed) {
    Instant over = end == null ? closed : end;
    Leg out = answeredLeg != null ? answeredLeg : legs.isEmpty() ? null : legs.get(legs.size() - 1);
    Json j = new Json().beginObject()
        .field("call_key", started.key().toString())
        .field("call_id", started.callId())
        .beginArray("leg_b_call_ids");
    legs.forEach(leg -> j.element(leg.callId));
    j.endArray()
        .field("source", started.source())
        .field("route", route)
        .field("from", started.fromUser())
        .field("to", started.toUser())
        .field("from_out", out == null ? null : out.fromUser)
        .field("to_out", out == null ? null : out.toUser)
        .beginArray("attempts");
    for (Leg leg : legs) {
      j.beginObject().field("carrier", leg.carrier).field("call_id", leg.callId).field("status", leg.status)
          .field("failure", leg.failure).endObject();
    }
    j.endArray()
        .field("start", time(start))
        .field("ring", time(ring))
        .field("answer", time(answer))
        .field("end", time(over))
        .number("duration", answer == null ? "0" : seconds(Duration.between(answer, over)))
        .bool("answered", answer != null)
        .field("final_code", ended == null ? 0 : ended.status())
        .field("hung_up_by", ended == null ? null : ended.by().label())
        .field("end_reason", ended == null ? "unknown" : ended.reason())
        .bool("recovered", recovered)
        .beginArray("transfers");
    for (TransferStep t : transfers) {
      j.beginObject().field("at", time(t.at())).field("event", t.event());
      if (t.target() != null) {
        j.field("target", t.target());
      }
      if (t.status() != 0) {
        j.field("status", t.status());
      }
      j.endObject();
    }
    return j.endArray().endObject().toString();
  }

  private static String time(Instant at) {
    return at == null ? null : DateTimeFormatter.ISO_INSTANT.format(at.truncatedTo(ChronoUnit.MILLIS));
  }

  /** Whole milliseconds as decimal seconds: 1.234. */
  private static String seconds(Duration d) {
    long ms = Math.max(0, d.toMillis());
    return String.format("%d.%03d", ms / 1000, ms % 1000);
  }
}
