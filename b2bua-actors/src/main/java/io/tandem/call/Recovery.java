package io.tandem.call;

import io.tandem.routing.Destination;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.codec.SipRenderer;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Uri;
import java.util.Optional;

/**
 * An answered {@link Call} as its {@link CallState}, kept by the {@link CallStore} before leg A
 * gets its 2xx, and the call made again from that state on another node (DESIGN section 11).
 *
 * <pre>
 *   leg B Answered --stateOf--> store.save --(kept, or the store's timeout)--> Saved --> leg A: 2xx
 *   another node: a message for a call it does not hold --store.find--> Call.restore(state):
 *       UasLeg and UacLeg with their dialogs, max-duration and session timers armed again
 * </pre>
 *
 * <p>A ringing call is kept before each leg-B INVITE goes: brought back, leg A's INVITE has
 * a server transaction here again ({@link io.tandem.transaction.ClientTransactions#adoptInvite})
 * and leg B waits for the carrier's answer, which reaches this node as a stray response.
 */
final class Recovery {
  private Recovery() {}

  /** The call's state is kept (or the store gave up): leg A's 2xx may go. */
  record Saved(Leg.Respond respond) implements Call.Command {}

  /** The ringing call's state is kept (or the store gave up): {@code attempt}'s INVITE may go. */
  record Invite(Attempt attempt, SipRequest invite) implements Call.Command {}

  /**
   * The call as it is when {@code attempt} answered with {@code answered}, before leg A's 2xx:
   * leg A's dialog is the one its {@link UasLeg} makes from the same INVITE and tag.
   */
  static CallState stateOf(Call call, Attempt attempt, Leg.Answered answered, long nowMs) {
    SipRequest invite = call.aInvite;
    Dialog a = Dialog.asUas(invite, call.aTag, call.aSource);
    a.sessionTimer = SessionTimer.asUas(invite, call.context.settings().sessionTimer());
    a.noteSent(answered.ok()); // the 2xx to leg A carries leg B's answer
    long maxMs = call.context.settings().maxDuration().toMillis();
    Destination d = attempt.destination;
    return new CallState(call.key, call.aCallId, call.aReliable, call.aOffered,
        render(LegMessages.routingView(invite)),
        call.routeName, call.transferPolicy.name(), call.a.party, a.state(invite.cseq().sequence()),
        attempt.number, d.carrier(), d.transport(), d.address(), d.target() == null ? null : d.target().toString(),
        attempt.to, answered.state(),
        call.startedAt, nowMs, maxMs == 0 ? 0 : nowMs + maxMs,
        call.aSource.toString(), LegMessages.userOf(invite.from().uri()), LegMessages.dialledUser(invite),
        attempt.fromUser, attempt.toUser, call.aTag, null);
  }

  /**
   * The call as it is before {@code attempt}'s INVITE {@code bInvite} goes to its carrier: no
   * dialog yet, both INVITEs whole, the hunt at {@code huntNext}.
   */
  static CallState ringingStateOf(Call call, Attempt attempt, SipRequest bInvite, int huntNext) {
    SipRequest invite = call.aInvite;
    Destination d = attempt.destination;
    return new CallState(call.key, call.aCallId, call.aReliable, call.aOffered, render(invite),
        call.routeName, call.transferPolicy.name(), call.a.party, null,
        attempt.number, d.carrier(), d.transport(), d.address(), d.target() == null ? null : d.target().toString(),
        attempt.to, null,
        call.startedAt, 0, 0,
        call.aSource.toString(), LegMessages.userOf(invite.from().uri()), LegMessages.dialledUser(invite),
        attempt.fromUser, attempt.toUser, call.aTag,
        new CallState.Ringing(render(bInvite), call.aSource.protocol(), call.aSource.remote(), huntNext));
  }

  private static String render(SipRequest request) {
    return new String(SipRenderer.renderBytes(request), java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A request the state keeps, rendered; empty if it does not parse here. */
  static Optional<SipRequest> parse(String rendered) {
    ParseResult parsed = new SipParser(ParserLimits.DEFAULTS)
        .parseDatagram(rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return parsed instanceof ParseResult.Parsed p && p.message() instanceof SipRequest r ? Optional.of(r)
        : Optional.empty();
  }

  /** Leg A's INVITE as routing reads it (whole, while ringing), from the state; empty if it does not parse here. */
  static Optional<SipRequest> routingView(CallState state) {
    return parse(state.aRouting());
  }

  /** The carrier the answered attempt went to, as routing gave it (without its credentials). */
  static Destination destinationOf(CallState state) {
    SipUri target = null;
    if (state.carrierTarget() != null && Uri.parse(state.carrierTarget()) instanceof SipUri sip) {
      target = sip;
    }
    return new Destination(state.carrier(), state.carrierTransport(), state.carrierAddress(), target, null);
  }
}
