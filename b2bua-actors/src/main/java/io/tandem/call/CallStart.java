package io.tandem.call;

import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.SipResponse;
import io.tandem.transaction.Responses;
import io.tandem.transaction.ServerTransaction;
import io.tandem.transaction.TransactionEvent;
import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A new {@link Call}'s first step, in its actor: the 100, the checks before routing (too many
 * hops, too brief a session), routing, the body's type and the Accept ({@link BodyTypes}), then
 * leg A and the hunt; or leg A refused at once.
 */
final class CallStart {
  private static final Logger LOG = LoggerFactory.getLogger(Call.class);

  private CallStart() {}

  static Behavior<Call.Command> start(Call call, TransactionEvent.RequestReceived received) {
    ServerTransaction tx = received.transaction();
    call.observing.observe(new CallObserver.Started(call.key, call.aInvite.callId(), received.source().toString(),
        LegMessages.userOf(call.aInvite.from().uri()), LegMessages.dialledUser(call.aInvite)));
    tx.respond(Responses.withToTag(call.aInvite, 100)); // the caller hears at once that Tandem has it
    String tag = call.aTag;
    if (call.aInvite.maxForwards().orElse(70) <= 0) {
      call.observing.ended(483, CallObserver.Party.TANDEM, "too-many-hops");
      // Section 16.3: it would be forwarded.
      return refuseAtOnce(call, tx, call.messages.finalToA(call.aInvite, tag, 483));
    }
    Optional<SipResponse> tooBrief = SessionTimers.tooBrief(call.aInvite, tag, call.context.settings().sessionTimer());
    if (tooBrief.isPresent()) {
      // RFC 4028 section 9: too short a session interval is refused before any routing.
      call.observing.ended(422, CallObserver.Party.TANDEM, "session-interval-too-small");
      return refuseAtOnce(call, tx, tooBrief.get());
    }
    RoutingDecision decision = call.context.routing().route(call.aInvite);
    if (decision instanceof RoutingDecision.Reject reject) {
      LOG.info("call {}: rejected by routing: {} {}", call.key, reject.status(), reject.reason());
      call.observing.ended(reject.status(), CallObserver.Party.TANDEM, "routing-rejected");
      return refuseAtOnce(call, tx, SipResponse.builderFor(call.aInvite, reject.status())
          .status(reject.status(), reject.reason()).set(HeaderName.TO, call.aInvite.to().withTag(tag)).build());
    }
    RoutingDecision.Route route = (RoutingDecision.Route) decision;
    call.observing.observe(new CallObserver.Routed(call.key, route.name()));
    Optional<SipResponse> refused = BodyTypes.refusal(call.aInvite, tag,
        BodyTypes.union(call.context.settings().acceptedBodyTypes(), route.bodyTypes()));
    if (refused.isPresent()) {
      // RFC 3261 section 8.2.3: a body no carrier of the route is meant to get, or an Accept
      // that rules out every body the call could answer with.
      int status = refused.get().statusCode();
      LOG.info("call {}: {} ({}), refused: {}", call.key, status, call.aInvite.contentType().map(Object::toString)
          .orElse("no body"), refused.get().headers().first(HeaderName.ACCEPT).orElse(""));
      call.observing.ended(status, CallObserver.Party.TANDEM, status == 415 ? "unsupported-media-type" : "not-acceptable");
      return refuseAtOnce(call, tx, refused.get());
    }
    call.transferPolicy = route.transfer();
    call.routeName = route.name();
    call.a = new Side(Leg.LEG_A, call.aInvite.from().withoutParam("tag").toString(), null, Sdp.of(call.aInvite));
    call.spawn(Leg.LEG_A, UasLeg.create(received, call.aTag, call.key, call.context, call.ctx.getSelf()));
    call.hunting.start(route);
    return call;
  }

  /** Leg A refused before it has a leg: the call is over with the response. */
  private static Behavior<Call.Command> refuseAtOnce(Call call, ServerTransaction tx, SipResponse response) {
    call.aFinal = true;
    call.ended = true;
    tx.respond(response);
    call.observing.observe(new CallObserver.Closed(call.key));
    return Behaviors.stopped();
  }
}
