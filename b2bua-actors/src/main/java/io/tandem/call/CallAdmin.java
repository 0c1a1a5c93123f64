package io.tandem.call;

import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a {@link Call} answers the admin API: what it is now, and its hang-up. Runs in the call's actor. */
final class CallAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(Call.class);

  private CallAdmin() {}

  static void describe(Call call, Call.Describe describe) {
    Attempt current = call.hunting.current();
    Attempt answered = call.hunting.answered();
    String state = call.ended ? "ending"
        : answered != null ? "answered"
        : current != null && current.provisional ? "ringing"
        : "trying";
    Attempt leg = answered != null ? answered : current;
    describe.replyTo().tell(new CallInfo(call.key, call.aCallId, state,
        Optional.ofNullable(leg).map(x -> x.destination.carrier()), Instant.ofEpochMilli(call.startedAt),
        call.answeredAt == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(call.answeredAt))));
  }

  static void hangUp(Call call) {
    if (!call.aFinal) {
      LOG.info("call {}: hung up by the admin API before its answer", call.key);
      call.tell(Leg.LEG_A, new Leg.Respond(null, 487, null)); // section 9.2 from Tandem's side
      call.hunting.onCancelled();
    } else if (!call.ended) {
      LOG.info("call {}: hung up by the admin API", call.key);
      call.hangUp(-1);
    }
  }
}
