package io.tandem.app.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.app.cluster.proto.CallValue;
import io.tandem.call.CallKey;
import io.tandem.call.CallState;
import io.tandem.call.LegState;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A call's state crosses nodes as Protobuf and comes back as it was, answered or ringing. */
class CallValuesTest {
  private static final CallKey KEY = CallKey.ofLegA("values-1@192.0.2.1");

  @Test
  void anAnsweredCallComesBackWhole() throws Exception {
    LegState a = new LegState("values-1@192.0.2.1", "<sip:bob@192.0.2.9>;tag=ta", "<sip:alice@192.0.2.1>;tag=a1",
        "sip:alice@192.0.2.1:5062", List.of("<sip:p1.example;lr>"), TransportProtocol.TCP,
        new InetSocketAddress("192.0.2.1", 5062), 3, 1, new LegState.Session(1800, true, true, false),
        "application/sdp", "v=0\r\n".getBytes(StandardCharsets.UTF_8));
    LegState b = new LegState("tdm-" + KEY + "-2", "<sip:alice@127.0.0.9>;tag=tb", "<sip:bob@[2001:db8::9]>;tag=b1",
        "sip:bob@[2001:db8::9]:5070", List.of(), TransportProtocol.UDP, new InetSocketAddress("2001:db8::9", 5070),
        1, 1, null, null, null);
    CallState state = new CallState(KEY, "values-1@192.0.2.1", true, true, "INVITE sip:bob@x SIP/2.0\r\n\r\n",
        "all", "ACT", "<sip:alice@192.0.2.1>", a, 2, "second", TransportProtocol.UDP,
        new InetSocketAddress("2001:db8::9", 5070), null, "<sip:bob@192.0.2.9>", b,
        1_000, 2_000, 3_000, "UDP:192.0.2.1:5062", "alice", "bob", "alice", "4420", "ta", null,
        new CallState.Answer("SIP/2.0 200 OK\r\n\r\n", TransportProtocol.TCP, new InetSocketAddress("192.0.2.1", 5062)));

    CallValue sent = CallValues.toProto(state, "pekko://tandem@127.0.0.1:25521");
    CallState back = CallValues.fromProto(CallValue.parseFrom(sent.toByteArray()));

    assertEquals("pekko://tandem@127.0.0.1:25521", sent.getHolder());
    assertEquals(withoutSdp(state), withoutSdp(back));
    assertArrayEquals(state.a().sdp(), back.a().sdp());
    assertNull(back.b().sdp());
    assertNull(back.b().session());
    assertNull(back.carrierTarget());
    assertEquals("tdm-" + KEY + "-2", back.bCallId());
  }

  @Test
  void aRingingCallComesBackWithBothInvites() throws Exception {
    CallState.Ringing ringing = new CallState.Ringing("INVITE sip:bob@192.0.2.9 SIP/2.0\r\n\r\n",
        TransportProtocol.UDP, new InetSocketAddress("192.0.2.1", 5060), 1);
    CallState state = new CallState(KEY, "values-1@192.0.2.1", false, true, "INVITE sip:bob@x SIP/2.0\r\n\r\n",
        "all", "REFUSE", "<sip:alice@192.0.2.1>", null, 1, "first", TransportProtocol.TCP,
        new InetSocketAddress("192.0.2.9", 5061), "sip:bob@pbx.example", "<sip:bob@192.0.2.9>", null,
        1_000, 0, 0, "UDP:192.0.2.1:5060", "alice", "bob", "alice", "bob", "ta", ringing, null);

    CallState back = CallValues.fromProto(CallValue.parseFrom(CallValues.toProto(state, "n").toByteArray()));

    assertEquals(state, back); // no array field set: records compare whole
    assertEquals("tdm-" + KEY + "-1", back.bCallId());
  }

  @Test
  void aValueWithABadAddressIsRefused() {
    CallValue bad = CallValue.newBuilder().setKey(KEY.value()).setACallId("c").setARouting("x").setATag("t")
        .setCarrier("c").setCarrierAddress(io.tandem.app.cluster.proto.Endpoint.newBuilder()
            .setIp(com.google.protobuf.ByteString.copyFrom(new byte[3])))
        .build();
    assertThrows(IllegalArgumentException.class, () -> CallValues.fromProto(bad));
  }

  /** The state with its legs' SDP bodies left out (arrays compare by identity in a record). */
  private static CallState withoutSdp(CallState s) {
    return new CallState(s.key(), s.aCallId(), s.aReliable(), s.aOffered(), s.aRouting(), s.route(),
        s.transferPolicy(), s.aParty(), strip(s.a()), s.legB(), s.carrier(), s.carrierTransport(),
        s.carrierAddress(), s.carrierTarget(), s.bParty(), strip(s.b()), s.startedAtMs(), s.answeredAtMs(),
        s.endsAtMs(), s.source(), s.fromUser(), s.toUser(), s.bFromUser(), s.bToUser(), s.aTag(), s.ringing(),
        s.answer());
  }

  private static LegState strip(LegState l) {
    return new LegState(l.callId(), l.local(), l.remote(), l.remoteTarget(), l.routeSet(), l.fallbackProtocol(),
        l.fallbackAddress(), l.localCseq(), l.inviteCseq(), l.session(), null, null);
  }
}
