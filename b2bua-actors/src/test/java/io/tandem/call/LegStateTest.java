package io.tandem.call;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.Via;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A leg's dialog as the value another node brings it back from ({@link LegState}): the dialog
 * made again sends what the first would have (same identities, route set, target, session,
 * SDP), with Tandem's CSeq moved on past what the lost node may have used.
 */
class LegStateTest {
  private static final SessionTimerSettings SESSIONS = new SessionTimerSettings(
      true, Duration.ofSeconds(90), Duration.ofSeconds(90), SessionTimerSettings.Refresh.AUTO);
  private static final Peer CARRIER = Peer.destination(TransportProtocol.UDP, new InetSocketAddress("192.0.2.9", 5060));
  private static final String SDP = "v=0\r\no=bob 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\n"
      + "t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n";

  @Test
  void aRestoredDialogSendsWhatTheFirstWouldHaveWithItsCseqMovedOn() {
    SipRequest invite = (SipRequest) parse("INVITE sip:bob@192.0.2.9:5060 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-b1\r\n"
        + "Max-Forwards: 69\r\nFrom: \"Alice\" <sip:alice@127.0.0.9>;tag=t1\r\nTo: <sip:bob@192.0.2.9>\r\n"
        + "Call-ID: tdm-0123456789abcdef-1\r\nCSeq: 7 INVITE\r\nContact: <sip:tandem@127.0.0.9:5060>\r\n"
        + "Session-Expires: 90\r\nSupported: timer\r\n"
        + "Content-Type: application/sdp\r\nContent-Length: " + SDP.length() + "\r\n\r\n" + SDP);
    SipResponse ok = (SipResponse) parse("SIP/2.0 200 OK\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-b1\r\n"
        + "From: \"Alice\" <sip:alice@127.0.0.9>;tag=t1\r\nTo: <sip:bob@192.0.2.9>;tag=b1\r\n"
        + "Call-ID: tdm-0123456789abcdef-1\r\nCSeq: 7 INVITE\r\nContact: <sip:bob@192.0.2.50:5070>\r\n"
        + "Record-Route: <sip:proxy2.example;lr>\r\nRecord-Route: <sip:192.0.2.60:5080;lr>\r\n"
        + "Session-Expires: 90;refresher=uac\r\nRequire: timer\r\nContent-Length: 0\r\n\r\n");
    Dialog first = Dialog.asUac(invite, ok, CARRIER);
    first.sessionTimer = SessionTimer.asUac(invite, ok, SESSIONS);
    first.noteSent(invite);
    first.request(Method.INFO, via()); // CSeq 8: sent before the state was kept

    LegState state = first.state(7);
    Dialog again = Dialog.restore(state, SESSIONS);

    assertEquals(7, state.inviteCseq());
    assertEquals(8, state.localCseq());
    SipRequest bye = again.request(Method.BYE, via()).build();
    SipRequest expected = first.request(Method.BYE, via()).build();
    for (HeaderName name : new HeaderName[] {HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID, HeaderName.ROUTE}) {
      assertEquals(expected.headers().values(name), bye.headers().values(name), name.toString());
    }
    assertEquals(expected.requestUri().toString(), bye.requestUri().toString());
    assertEquals(8 + Dialog.RESTORED_CSEQ_STEP + 1, bye.cseq().sequence(), "past anything the lost node sent");
    assertEquals(new InetSocketAddress("192.0.2.60", 5080), again.destination().remote(), "the first route, loose");
    assertEquals(first.sessionTimer.interval(), again.sessionTimer.interval());
    assertEquals(first.sessionTimer.tandemRefreshes(), again.sessionTimer.tandemRefreshes());
    SipRequest.Builder refresh = again.request(Method.INVITE, via());
    again.copySent(refresh);
    assertArrayEquals(SDP.getBytes(StandardCharsets.UTF_8), refresh.build().body(), "the SDP Tandem sent last");
  }

  @Test
  void aLegWithoutSessionOrSdpKeepsNone() {
    SipRequest invite = (SipRequest) parse("INVITE sip:bob@192.0.2.9:5060 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-a1\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.1>;tag=a1\r\nTo: <sip:bob@192.0.2.9>\r\n"
        + "Call-ID: caller-1@192.0.2.1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
    Peer caller = Peer.udp(new InetSocketAddress("192.0.2.1", 5060), new InetSocketAddress("127.0.0.9", 5060));
    LegState state = Dialog.asUas(invite, "ta", caller).state(1);
    assertNull(state.session());
    assertNull(state.sdp());
    assertEquals(TransportProtocol.UDP, state.fallbackProtocol());
    assertEquals(new InetSocketAddress("192.0.2.1", 5060), state.fallbackAddress(), "no Contact: where it came from");
    Dialog again = Dialog.restore(state, SESSIONS);
    assertNull(again.sessionTimer);
    assertEquals("ta", again.localTag());
    assertEquals("a1", again.remoteTag());
  }

  private static Via via() {
    return Via.parse("SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bK-x" + System.nanoTime());
  }

  private static SipMessage parse(String text) {
    ParseResult r = new SipParser(ParserLimits.DEFAULTS).parseDatagram(text.getBytes(StandardCharsets.UTF_8));
    return ((ParseResult.Parsed) r).message();
  }
}
