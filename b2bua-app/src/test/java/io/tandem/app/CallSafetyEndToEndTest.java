package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.SipUa;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a well-behaved peer cannot produce on demand, played by peers written as raw datagrams:
 * a 2xx that crosses the caller's CANCEL, a caller that never ACKs, a call nobody hangs up, a
 * call routed back into Tandem, an INVITE with no hops left, and the global call limit.
 */
class CallSafetyEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(8);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  private static final String ANSWER = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static RawPeer carrier;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    carrier = new RawPeer();
    int self;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      self = probe.getLocalPort(); // Tandem's own port, known before it starts, for the loop route
    }
    // T1 = 50 ms: the ACK wait (64*T1) is 3.2 s; calls last 5 s at most; 3 calls at once.
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = %d } ]
        tandem.sip.timers { t1 = 50ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.call.max-duration = 5s
        tandem.routing {
          max-calls = 3
          retry-after = 7s
          carriers {
            raw { address = "127.0.0.1", port = %d }
            self { address = "127.0.0.1", port = %d }
          }
          routes = [
            { name = loop, match-user-prefix = "loop", carriers = [self] }
            { name = all, carriers = [raw] }
          ]
        }
        """.formatted(self, carrier.port(), self)), "test"));
    port = self;
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    alice.close();
    carrier.close();
  }

  /**
   * <pre>
   * alice            Tandem               raw carrier
   *   |--INVITE------->|--INVITE---------->|
   *   |<-----180-------|<------------180---|
   *   |--CANCEL------->|--CANCEL---------->|  (the carrier has already sent its 200)
   *   |<-----200-------|<------------200---|  200 to the INVITE, crossing the CANCEL
   *   |<-----487-------|--ACK------------->|  leg A gets 487 once, never the 200
   *   |                |--BYE------------->|  and the unwanted leg B is hung up
   * </pre>
   */
  @Test
  void aTwoHundredThatCrossesTheCancelIsAckedAndByedOnLegB() throws Exception {
    OutgoingCall call = alice.invite("sip:bob@127.0.0.1:" + port, "udp", OFFER);
    Message invite = carrier.receive("INVITE");
    carrier.reply(invite, "180 Ringing", "", "");
    call.awaitStatus(180, WAIT);

    call.cancel();
    Message cancel = carrier.receive("CANCEL");
    carrier.reply(invite, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
    carrier.reply(cancel, "200 OK", "", "");

    Message ack = carrier.receive("ACK");
    assertTrue(ack.text().contains("CSeq: 1 ACK"), ack.text());
    Message bye = carrier.receive("BYE");
    assertEquals(invite.header("Call-ID"), bye.header("Call-ID"));
    carrier.reply(bye, "200 OK", "", "");

    assertEquals(487, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    Thread.sleep(300);
    assertFalse(call.statuses().contains(200), "leg A is answered once: 487 " + call.statuses());
  }

  /** Section 13.3.1.4: a caller that never ACKs the 2xx is hung up, and so is leg B. */
  @Test
  void aCallerThatNeverAcksIsHungUpOnBothLegs() throws Exception {
    try (RawPeer caller = new RawPeer()) {
      caller.invite(port, "no-ack@127.0.0.1");
      Message invite = carrier.receive("INVITE");
      carrier.reply(invite, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      carrier.receive("ACK");
      Message ok = caller.receive("SIP/2.0 200");
      caller.receive("SIP/2.0 200"); // retransmitted: Tandem waits for the ACK that never comes
      // no ACK from the caller: after 64*T1 Tandem gives up and ends both legs
      Message byeA = caller.receive("BYE");
      assertEquals(ok.header("Call-ID"), byeA.header("Call-ID"));
      caller.reply(byeA, "200 OK", "", "");
      Message byeB = carrier.receive("BYE");
      carrier.reply(byeB, "200 OK", "", "");
    }
  }

  /** {@code tandem.call.max-duration} (5 s here): an answered call nobody ends is ended. */
  @Test
  void aCallLongerThanTheMaximumDurationIsEnded() throws Exception {
    try (RawPeer caller = new RawPeer()) {
      long start = System.nanoTime();
      caller.invite(port, "long-call@127.0.0.1");
      Message invite = carrier.receive("INVITE");
      carrier.reply(invite, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      Message ok = caller.receive("SIP/2.0 200");
      caller.ack(ok, port);
      Message byeA = caller.receive("BYE");
      caller.reply(byeA, "200 OK", "", "");
      Message byeB = carrier.receive("BYE");
      carrier.reply(byeB, "200 OK", "", "");
      assertTrue(System.nanoTime() - start >= Duration.ofMillis(4_800).toNanos(), "not before max-duration");
    }
  }

  /**
   * A call leaves the call limit as soon as its BYE is answered, not when its INVITE
   * transactions end 64*T1 later (3.2 s here): short calls must not fill the limit.
   */
  @Test
  void anEndedCallIsGoneAsSoonAsItsByeIsAnswered() throws Exception {
    awaitNoCalls();
    try (RawPeer caller = new RawPeer()) {
      caller.invite(port, "short-call@127.0.0.1");
      Message invite = carrier.receive("INVITE");
      carrier.reply(invite, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      Message ok = caller.receive("SIP/2.0 200");
      caller.ack(ok, port);
      assertEquals(1, ServerProbes.calls(server));
      caller.bye(ok, port);
      Message bye = carrier.receive("BYE");
      carrier.reply(bye, "200 OK", "", "");
      caller.receive("SIP/2.0 200");
      long deadline = System.nanoTime() + Duration.ofMillis(1_000).toNanos();
      while (ServerProbes.calls(server) > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(0, ServerProbes.calls(server), "the call still counts after its BYE");
    }
  }

  /** Over tandem.routing.max-calls (3 here) a new call gets 503 with Retry-After at once. */
  @Test
  void overTheCallLimitANewCallGets503WithRetryAfter() throws Exception {
    awaitNoCalls(); // the other tests' calls count until their last transaction has ended
    List<RawPeer> callers = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        RawPeer caller = new RawPeer();
        callers.add(caller);
        caller.invite(port, "held-" + i + "@127.0.0.1");
        carrier.reply(carrier.receive("INVITE"), "180 Ringing", "", "");
        caller.receive("SIP/2.0 180");
      }
      try (RawPeer fourth = new RawPeer()) {
        fourth.invite(port, "fourth@127.0.0.1");
        Message busy = fourth.receive("SIP/2.0 503");
        assertEquals("7", busy.header("Retry-After"), busy.text());
      }
    } finally {
      for (RawPeer caller : callers) {
        caller.cancelLastInvite(port);
        carrier.replyToCancelAndInvite();
        caller.close();
      }
      awaitNoCalls(); // leave the limit free for the other tests
    }
  }

  private static void awaitNoCalls() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    int calls;
    do {
      calls = ServerProbes.calls(server);
      if (calls == 0) {
        return;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    throw new AssertionError(calls + " calls still up");
  }

  /** Routing that points back at Tandem: its own leg B comes back and is refused (482). */
  @Test
  void aCallThatLoopsBackIntoTandemIsRefused() throws Exception {
    OutgoingCall call = alice.invite("sip:loop-bob@127.0.0.1:" + port, "udp", OFFER);
    assertEquals(482, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
  }

  /** Section 16.3: an INVITE with Max-Forwards 0 cannot go on; it gets 483. */
  @Test
  void noHopsLeftIs483() throws Exception {
    try (RawPeer caller = new RawPeer()) {
      caller.send(caller.inviteText(port, "max-forwards-0@127.0.0.1").replace("Max-Forwards: 70", "Max-Forwards: 0"),
          new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      Message answer = caller.receive("SIP/2.0 483");
      assertTrue(answer.text().contains("max-forwards-0@127.0.0.1"), answer.text());
    }
  }

  /** A received message. */
  private record Message(String text, InetSocketAddress from) {
    String header(String name) {
      Matcher m = Pattern.compile("(?im)^" + name + ":\\s*(.*)$").matcher(text);
      return m.find() ? m.group(1).strip() : null;
    }

    List<String> headers(String name) {
      Matcher m = Pattern.compile("(?im)^" + name + ":\\s*(.*)$").matcher(text);
      List<String> all = new ArrayList<>();
      while (m.find()) {
        all.add(m.group(1).strip());
      }
      return all;
    }
  }

  /** A SIP peer on one UDP socket, writing messages by hand. */
  private static final class RawPeer implements AutoCloseable {
    private final DatagramSocket socket;
    private String lastInvite;
    private Message lastCarrierInvite;

    RawPeer() throws Exception {
      socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    }

    int port() {
      return socket.getLocalPort();
    }

    String contact() {
      return "Contact: <sip:raw@127.0.0.1:" + port() + ">\r\n";
    }

    String inviteText(int to, String callId) {
      return "INVITE sip:bob@127.0.0.1:" + to + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + port() + ";branch=z9hG4bK-" + callId.hashCode() + ";rport\r\n"
          + "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=raw-a\r\nTo: <sip:bob@127.0.0.1>\r\n"
          + "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\n" + contact()
          + "Content-Type: application/sdp\r\nContent-Length: " + OFFER.length() + "\r\n\r\n" + OFFER;
    }

    void invite(int to, String callId) throws Exception {
      lastInvite = inviteText(to, callId);
      send(lastInvite, new InetSocketAddress(InetAddress.getLoopbackAddress(), to));
    }

    /** Section 9.1: the CANCEL of the last INVITE, then the 487's ACK (17.1.1.3). */
    void cancelLastInvite(int to) throws Exception {
      InetSocketAddress tandem = new InetSocketAddress(InetAddress.getLoopbackAddress(), to);
      String head = lastInvite.substring(0, lastInvite.indexOf("Content-Type"));
      send(head.replaceFirst("^INVITE", "CANCEL").replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL")
          .replace(contact(), "") + "Content-Length: 0\r\n\r\n", tandem);
      Message terminated = receive("SIP/2.0 487");
      send(head.replaceFirst("^INVITE", "ACK").replace("CSeq: 1 INVITE", "CSeq: 1 ACK").replace(contact(), "")
          .replace("To: <sip:bob@127.0.0.1>", "To: " + terminated.header("To")) + "Content-Length: 0\r\n\r\n", tandem);
    }

    /** As a carrier: 200 to the next CANCEL, 487 to its INVITE, and take the ACK. */
    void replyToCancelAndInvite() throws Exception {
      Message cancel = receive("CANCEL");
      reply(cancel, "200 OK", "", "");
      Message invite = lastCarrierInvite != null && cancel.header("Call-ID").equals(lastCarrierInvite.header("Call-ID"))
          ? lastCarrierInvite : null;
      String cseq = cancel.header("CSeq").replace("CANCEL", "INVITE");
      String text = cancel.text().replaceFirst("(?m)^CSeq:.*$", "CSeq: " + cseq);
      reply(new Message(text, cancel.from()), "487 Request Terminated", "", "");
      receive("ACK");
      lastCarrierInvite = invite;
    }

    /** The ACK for a 2xx (section 13.2.2.4): a new branch, to the 2xx's Contact. */
    void ack(Message ok, int to) throws Exception {
      String head = lastInvite.substring(0, lastInvite.indexOf("Content-Type"));
      String contact = ok.header("Contact").replaceAll("^<|>.*$", "");
      send(head.replaceFirst("^INVITE \\S+", "ACK " + contact).replace("CSeq: 1 INVITE", "CSeq: 1 ACK")
          .replace(";branch=z9hG4bK-", ";branch=z9hG4bK-ack-").replace(contact(), "")
          .replace("To: <sip:bob@127.0.0.1>", "To: " + ok.header("To")) + "Content-Length: 0\r\n\r\n",
          new InetSocketAddress(InetAddress.getLoopbackAddress(), to));
    }

    /** A BYE in the dialog the 2xx {@code ok} made (CSeq 2, to its Contact). */
    void bye(Message ok, int to) throws Exception {
      String head = lastInvite.substring(0, lastInvite.indexOf("Content-Type"));
      String contact = ok.header("Contact").replaceAll("^<|>.*$", "");
      send(head.replaceFirst("^INVITE \\S+", "BYE " + contact).replace("CSeq: 1 INVITE", "CSeq: 2 BYE")
          .replace(";branch=z9hG4bK-", ";branch=z9hG4bK-bye-").replace(contact(), "")
          .replace("To: <sip:bob@127.0.0.1>", "To: " + ok.header("To")) + "Content-Length: 0\r\n\r\n",
          new InetSocketAddress(InetAddress.getLoopbackAddress(), to));
    }

    /** The next message starting with {@code start} (a method, or "SIP/2.0 487"). */
    Message receive(String start) throws Exception {
      long deadline = System.nanoTime() + WAIT.toNanos();
      byte[] buf = new byte[65_535];
      List<String> skipped = new ArrayList<>();
      while (System.nanoTime() < deadline) {
        socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (SocketTimeoutException e) {
          break;
        }
        Message m = new Message(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8),
            (InetSocketAddress) p.getSocketAddress());
        if (m.text().startsWith(start + " ") || m.text().startsWith(start + "\r")) {
          if (start.equals("INVITE")) {
            lastCarrierInvite = m;
          }
          return m;
        }
        skipped.add(m.text().lines().findFirst().orElse(""));
      }
      throw new AssertionError("no " + start + " in " + WAIT + " at port " + port() + "; got " + skipped);
    }

    /** A response to {@code request}: its Vias, From, Call-ID and CSeq, its To with a tag. */
    void reply(Message request, String status, String extra, String body) throws Exception {
      StringBuilder out = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
      for (String via : request.headers("Via")) {
        out.append("Via: ").append(via).append("\r\n");
      }
      String to = request.header("To");
      out.append("From: ").append(request.header("From")).append("\r\n")
          .append("To: ").append(to.contains("tag=") ? to : to + ";tag=raw-b").append("\r\n")
          .append("Call-ID: ").append(request.header("Call-ID")).append("\r\n")
          .append("CSeq: ").append(request.header("CSeq")).append("\r\n")
          .append(extra)
          .append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
      send(out.toString(), request.from());
    }

    void send(String message, InetSocketAddress to) throws Exception {
      byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
      socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    @Override
    public void close() {
      socket.close();
    }
  }
}
