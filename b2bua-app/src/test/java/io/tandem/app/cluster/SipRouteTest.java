package io.tandem.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.tandem.call.CallKey;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.SipMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Where in a cluster each kind of message is handled, read from its own bytes. */
class SipRouteTest {
  private static final String KEY = "0123456789abcdef";

  static SipMessage parse(String text) {
    ParseResult r = new SipParser(ParserLimits.DEFAULTS).parseDatagram(text.getBytes(StandardCharsets.UTF_8));
    return assertInstanceOf(ParseResult.Parsed.class, r, r::toString).message();
  }

  private static String request(String method, String callId, String toTag, String branch) {
    return method + " sip:bob@127.0.0.1 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=" + branch + "\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:alice@192.0.2.1>;tag=a1\r\n"
        + "To: <sip:bob@127.0.0.1>" + (toTag.isEmpty() ? "" : ";tag=" + toTag) + "\r\n"
        + "Call-ID: " + callId + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
  }

  private static String response(String method, String callId, String branch) {
    return "SIP/2.0 200 OK\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch + "\r\n"
        + "From: <sip:tandem@127.0.0.1>;tag=t1\r\nTo: <sip:bob@192.0.2.9>;tag=b1\r\n"
        + "Call-ID: " + callId + "\r\nCSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
  }

  @Test
  void aNewInviteAndEverythingLaterFromTheCallerGoToTheCallOfItsCallId() {
    CallKey key = CallKey.ofLegA("abc@192.0.2.1");
    for (String method : new String[] {"INVITE", "ACK", "CANCEL", "BYE", "INFO", "MESSAGE", "SUBSCRIBE"}) {
      SipRoute route = SipRoute.of(parse(request(method, "abc@192.0.2.1", "", "z9hG4bK-c1")));
      assertEquals(new SipRoute.ToCall(key), route, method);
    }
  }

  @Test
  void aRequestOnLegBGoesToTheCallItsCallIdNames() {
    SipRoute route = SipRoute.of(parse(request("BYE", "tdm-" + KEY + "-2", "t1", "z9hG4bK-x")));
    assertEquals(new SipRoute.ToCall(new CallKey(KEY)), route);
  }

  @Test
  void registerAndOutOfDialogOptionsAreAnsweredWhereTheyLand() {
    assertEquals(SipRoute.LOCAL, SipRoute.of(parse(request("REGISTER", "r@192.0.2.1", "", "z9hG4bK-r"))));
    assertEquals(SipRoute.LOCAL, SipRoute.of(parse(request("OPTIONS", "o@192.0.2.1", "", "z9hG4bK-o"))));
    // in a dialog, an OPTIONS is the call's
    assertInstanceOf(SipRoute.ToCall.class, SipRoute.of(parse(request("OPTIONS", "o@192.0.2.1", "t9", "z9hG4bK-o"))));
  }

  @Test
  void aResponseGoesToTheCallItsBranchOrCallIdNames() {
    // leg A: Tandem's BYE to the caller carries the caller's Call-ID and a branch with the key
    SipRoute legA = SipRoute.of(parse(response("BYE", "abc@192.0.2.1", "z9hG4bK-tdm-" + KEY + "-f00")));
    assertEquals(new SipRoute.ToCall(new CallKey(KEY)), legA);
    SipRoute legB = SipRoute.of(parse(response("INVITE", "tdm-" + KEY + "-1", "z9hG4bK-other")));
    assertEquals(new SipRoute.ToCall(new CallKey(KEY)), legB);
  }

  @Test
  void aResponseToANodesProbeOrRegisterIsOfferedToTheOtherNodesAndAStrayStays() {
    assertEquals(SipRoute.OTHER_NODES, SipRoute.of(parse(response("OPTIONS", "p@127.0.0.1", "z9hG4bK-ping-77"))));
    assertEquals(SipRoute.OTHER_NODES, SipRoute.of(parse(response("REGISTER", "g@127.0.0.1", "z9hG4bK-reg-78"))));
    assertEquals(SipRoute.LOCAL, SipRoute.of(parse(response("INVITE", "nobody@192.0.2.7", "z9hG4bK-stray"))));
    // a branch that only looks like Tandem's names no call
    assertEquals(SipRoute.LOCAL, SipRoute.of(parse(response("INVITE", "x@192.0.2.7", "z9hG4bK-tdm-XYZ"))));
  }
}
