package io.tandem.call;

import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.transaction.Responses;
import java.util.HashMap;
import java.util.Map;

/**
 * What crosses between the legs of one {@link Call}: each request of one leg relayed into the
 * other, until it is answered and, for an INVITE's 2xx, ACKed; leg A's PRACKs into the attempt
 * whose reliable provisional they acknowledge; leg A's ACK into leg B's for a late offer. It
 * runs in its call's actor, and keeps what the call's sides last offered or answered (SDP).
 *
 * <pre>
 *   leg X --RequestReceived(txId)--> relay --Relay(relayId)--> leg Y
 *   leg Y --RelayAnswered(relayId)--> relay --RelayAnswer(txId)--> leg X
 *   leg X --ReInviteAcked(txId)-->    relay --Ack(relayId)-->      leg Y
 * </pre>
 */
final class Relays {
  /** A request of leg {@code from} relayed into leg {@code to}, until it is answered (and ACKed). */
  private record Relay(int from, int txId, int to, Method method) {}

  private final Call call;
  private final Map<Integer, Relay> relays = new HashMap<>(4);

  Relays(Call call) {
    this.call = call;
  }

  /** Leg A's ACK for its 2xx: with a late offer, its answer goes into leg B's ACK. */
  void onAcked(SipRequest ack) {
    call.a.sdp = Sdp.latest(call.a.sdp, ack);
    if (call.b != null && !call.aOffered) {
      call.tell(call.b.leg, new Leg.Ack(0, ack));
    }
  }

  /** Leg A's PRACK crosses to the leg-B attempt whose reliable provisional it acknowledges. */
  void onPrack(Leg.PrackReceived p) {
    int relayId = call.nextRelay();
    relays.put(relayId, new Relay(Leg.LEG_A, p.txId(), p.of().leg(), Method.PRACK));
    if (!call.tell(p.of().leg(), new Leg.Prack(p.of().rseq(), p.of().cseq(), p.prack(), relayId))) {
      relays.remove(relayId);
      call.tell(Leg.LEG_A, new Leg.Reply(p.txId(), Responses.withToTag(p.prack(), 481)));
    }
  }

  /** Relays {@code r}, a request of {@code from}'s peer, into {@code to}. */
  void relay(Leg.RequestReceived r, Side from, Side to) {
    SipRequest request = r.request();
    if (SessionTimers.isRefresh(request.method())) {
      from.sdp = Sdp.latest(from.sdp, request);
    }
    int relayId = call.nextRelay();
    relays.put(relayId, new Relay(r.leg(), r.txId(), to.leg, request.method()));
    call.tell(to.leg, new Leg.Relay(relayId, request));
  }

  void onRelayAnswered(Leg.RelayAnswered r) {
    Relay relay = relays.get(r.relayId());
    if (relay == null) {
      return;
    }
    int status = r.answer().statusCode();
    boolean success = status >= 200 && status < 300;
    if (status >= 200 && !(success && Method.INVITE.equals(relay.method()))) {
      relays.remove(r.relayId()); // an INVITE's 2xx waits for its ACK
    }
    Side to = call.sideOf(relay.to());
    if (success && to != null) {
      to.sdp = Sdp.latest(to.sdp, r.answer());
    }
    call.tell(relay.from(), new Leg.RelayAnswer(relay.txId(), r.answer()));
  }

  /** The ACK of a relayed re-INVITE's 2xx: its twin goes on the other leg. */
  void onReInviteAcked(Leg.ReInviteAcked r) {
    for (Map.Entry<Integer, Relay> e : relays.entrySet()) {
      Relay relay = e.getValue();
      if (relay.from() == r.leg() && relay.txId() == r.txId()) {
        Side from = call.sideOf(r.leg());
        if (from != null) {
          from.sdp = Sdp.latest(from.sdp, r.ack());
        }
        call.tell(relay.to(), new Leg.Ack(e.getKey(), r.ack()));
        relays.remove(e.getKey());
        return;
      }
    }
  }
}
