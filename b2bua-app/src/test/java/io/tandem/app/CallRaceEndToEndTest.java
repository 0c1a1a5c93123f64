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
 * The cases a well-behaved peer cannot produce on demand, played by a carrier written as raw
 * datagrams: a 2xx that crosses the caller's CANCEL, a call routed back into Tandem, and an
 * INVITE with no hops left.
 */
class CallRaceEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static DatagramSocket carrier;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    carrier = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    int self;
    try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      self = probe.getLocalPort(); // Tandem's own port, known before it starts, for the loop route
    }
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = %d } ]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.routing {
          carriers {
            raw { address = "127.0.0.1", port = %d }
            self { address = "127.0.0.1", port = %d }
          }
          routes = [
            { name = loop, match-user-prefix = "loop", carriers = [self] }
            { name = all, carriers = [raw] }
          ]
        }
        """.formatted(self, carrier.getLocalPort(), self)), "test"));
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
    Received invite = receive("INVITE");
    send(response(invite, "180 Ringing", "", ""), invite.from());
    call.awaitStatus(180, WAIT);

    call.cancel();
    Received cancel = receive("CANCEL");
    String sdp = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";
    send(response(invite, "200 OK", "Contact: <sip:raw@127.0.0.1:" + carrier.getLocalPort() + ">\r\n"
        + "Content-Type: application/sdp\r\n", sdp), invite.from());
    send(response(cancel, "200 OK", "", ""), cancel.from());

    Received ack = receive("ACK");
    assertTrue(ack.text().contains("CSeq: 1 ACK"), ack.text());
    Received bye = receive("BYE");
    assertEquals(invite.header("Call-ID"), bye.header("Call-ID"));
    send(response(bye, "200 OK", "", ""), bye.from());

    assertEquals(487, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    call.awaitResponse(Request.CANCEL, 200, WAIT);
    Thread.sleep(300);
    assertFalse(call.statuses().contains(200), "leg A is answered once: 487 " + call.statuses());
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
    try (DatagramSocket caller = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      String invite = "INVITE sip:bob@127.0.0.1:" + port + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + caller.getLocalPort() + ";branch=z9hG4bK-mf0;rport\r\n"
          + "Max-Forwards: 0\r\nFrom: <sip:alice@127.0.0.1>;tag=mf0\r\nTo: <sip:bob@127.0.0.1>\r\n"
          + "Call-ID: max-forwards-0@127.0.0.1\r\nCSeq: 1 INVITE\r\n"
          + "Contact: <sip:alice@127.0.0.1:" + caller.getLocalPort() + ">\r\nContent-Length: 0\r\n\r\n";
      byte[] bytes = invite.getBytes(StandardCharsets.US_ASCII);
      caller.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
      caller.setSoTimeout((int) WAIT.toMillis());
      byte[] buf = new byte[65_535];
      String answer;
      do {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        caller.receive(p);
        answer = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
      } while (answer.startsWith("SIP/2.0 1"));
      assertTrue(answer.startsWith("SIP/2.0 483 "), answer);
    }
  }

  private record Received(String text, InetSocketAddress from) {
    String method() {
      return text.substring(0, text.indexOf(' '));
    }

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

  /** The next request with this method; others (retransmissions, a 100's ACK) are skipped. */
  private static Received receive(String method) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    byte[] buf = new byte[65_535];
    while (System.nanoTime() < deadline) {
      carrier.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        carrier.receive(p);
      } catch (SocketTimeoutException e) {
        break;
      }
      Received r = new Received(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8),
          (InetSocketAddress) p.getSocketAddress());
      if (r.method().equals(method)) {
        return r;
      }
    }
    throw new AssertionError("the carrier got no " + method + " in " + WAIT + "\n" + SipUa.ladders());
  }

  /** A response to {@code request}: its Vias, From, Call-ID and CSeq, its To with a tag. */
  private static String response(Received request, String status, String extra, String body) {
    StringBuilder out = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
    for (String via : request.headers("Via")) {
      out.append("Via: ").append(via).append("\r\n");
    }
    String to = request.header("To");
    out.append("From: ").append(request.header("From")).append("\r\n")
        .append("To: ").append(to.contains("tag=") ? to : to + ";tag=raw-1").append("\r\n")
        .append("Call-ID: ").append(request.header("Call-ID")).append("\r\n")
        .append("CSeq: ").append(request.header("CSeq")).append("\r\n")
        .append(extra)
        .append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
    return out.toString();
  }

  private static void send(String message, InetSocketAddress to) throws Exception {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    carrier.send(new DatagramPacket(bytes, bytes.length, to));
  }
}
