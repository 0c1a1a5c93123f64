package io.tandem.app.cluster;

import com.google.protobuf.ByteString;
import io.tandem.app.cluster.proto.CallValue;
import io.tandem.app.cluster.proto.LegValue;
import io.tandem.app.cluster.proto.RingingValue;
import io.tandem.app.cluster.proto.AnswerValue;
import io.tandem.app.cluster.proto.SessionValue;
import io.tandem.app.cluster.proto.Transport;
import io.tandem.call.CallKey;
import io.tandem.call.CallState;
import io.tandem.call.LegState;
import io.tandem.transport.TransportProtocol;

/** A {@link CallState} as it crosses nodes ({@link CallValue}), and back. */
final class CallValues {
  private CallValues() {}

  static CallValue toProto(CallState s, String holder) {
    CallValue.Builder v = CallValue.newBuilder()
        .setKey(s.key().value())
        .setACallId(s.aCallId())
        .setAReliable(s.aReliable())
        .setAOffered(s.aOffered())
        .setARouting(s.aRouting())
        .setRoute(text(s.route()))
        .setTransferPolicy(s.transferPolicy())
        .setAParty(text(s.aParty()))
        .setLegB(s.legB())
        .setCarrier(s.carrier())
        .setCarrierTransport(transport(s.carrierTransport()))
        .setCarrierAddress(Deliveries.endpoint(s.carrierAddress()))
        .setCarrierTarget(text(s.carrierTarget()))
        .setBParty(text(s.bParty()))
        .setStartedAtMs(s.startedAtMs())
        .setAnsweredAtMs(s.answeredAtMs())
        .setEndsAtMs(s.endsAtMs())
        .setSource(text(s.source()))
        .setFromUser(text(s.fromUser()))
        .setToUser(text(s.toUser()))
        .setBFromUser(text(s.bFromUser()))
        .setBToUser(text(s.bToUser()))
        .setHolder(holder)
        .setATag(s.aTag());
    if (s.a() != null) {
      v.setA(leg(s.a()));
    }
    if (s.b() != null) {
      v.setB(leg(s.b()));
    }
    if (s.ringing() != null) {
      CallState.Ringing r = s.ringing();
      v.setRinging(RingingValue.newBuilder().setBInvite(r.bInvite()).setATransport(transport(r.aProtocol()))
          .setASource(Deliveries.endpoint(r.aSource())).setHuntNext(r.huntNext()));
    }
    if (s.answer() != null) {
      CallState.Answer a = s.answer();
      v.setAnswer(AnswerValue.newBuilder().setOk(a.ok()).setATransport(transport(a.aProtocol()))
          .setASource(Deliveries.endpoint(a.aSource())));
    }
    return v.build();
  }

  /** @throws IllegalArgumentException for a value this node cannot read (a bad key or address) */
  static CallState fromProto(CallValue v) {
    return new CallState(new CallKey(v.getKey()), v.getACallId(), v.getAReliable(), v.getAOffered(), v.getARouting(),
        v.getRoute(), v.getTransferPolicy(), v.getAParty(), v.hasA() ? leg(v.getA()) : null,
        v.getLegB(), v.getCarrier(), protocol(v.getCarrierTransport()), Deliveries.address(v.getCarrierAddress()),
        v.getCarrierTarget().isEmpty() ? null : v.getCarrierTarget(), v.getBParty(), v.hasB() ? leg(v.getB()) : null,
        v.getStartedAtMs(), v.getAnsweredAtMs(), v.getEndsAtMs(),
        v.getSource(), v.getFromUser(), v.getToUser(), v.getBFromUser(), v.getBToUser(), v.getATag(),
        v.hasRinging() ? new CallState.Ringing(v.getRinging().getBInvite(), protocol(v.getRinging().getATransport()),
            Deliveries.address(v.getRinging().getASource()), v.getRinging().getHuntNext()) : null,
        v.hasAnswer() ? new CallState.Answer(v.getAnswer().getOk(), protocol(v.getAnswer().getATransport()),
            Deliveries.address(v.getAnswer().getASource())) : null);
  }

  private static LegValue leg(LegState s) {
    LegValue.Builder b = LegValue.newBuilder()
        .setCallId(s.callId())
        .setLocal(s.local())
        .setRemote(s.remote())
        .setRemoteTarget(s.remoteTarget())
        .addAllRouteSet(s.routeSet())
        .setFallbackTransport(transport(s.fallbackProtocol()))
        .setFallback(Deliveries.endpoint(s.fallbackAddress()))
        .setLocalCseq(s.localCseq())
        .setInviteCseq(s.inviteCseq());
    if (s.session() != null) {
      LegState.Session t = s.session();
      b.setSession(SessionValue.newBuilder().setInterval(t.interval()).setTandemRefreshes(t.tandemRefreshes())
          .setPeerAllowsUpdate(t.peerAllowsUpdate()).setUpdateRefused(t.updateRefused()));
    }
    if (s.sdp() != null) {
      b.setSdpType(s.sdpType()).setSdp(ByteString.copyFrom(s.sdp()));
    }
    return b.build();
  }

  private static LegState leg(LegValue v) {
    SessionValue t = v.getSession();
    return new LegState(v.getCallId(), v.getLocal(), v.getRemote(), v.getRemoteTarget(), v.getRouteSetList(),
        protocol(v.getFallbackTransport()), Deliveries.address(v.getFallback()), v.getLocalCseq(), v.getInviteCseq(),
        v.hasSession() ? new LegState.Session(t.getInterval(), t.getTandemRefreshes(), t.getPeerAllowsUpdate(),
            t.getUpdateRefused()) : null,
        v.getSdpType().isEmpty() ? null : v.getSdpType(), v.getSdpType().isEmpty() ? null : v.getSdp().toByteArray());
  }

  private static Transport transport(TransportProtocol p) {
    return p == TransportProtocol.TCP ? Transport.TRANSPORT_TCP : Transport.TRANSPORT_UDP;
  }

  private static TransportProtocol protocol(Transport t) {
    return t == Transport.TRANSPORT_TCP ? TransportProtocol.TCP : TransportProtocol.UDP;
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }
}
