package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Via;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
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
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.header.AllowHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The running server against JAIN-SIP RI over real loopback sockets.
 *
 * <pre>
 *   JAIN-SIP                 Tandem
 *      |---- OPTIONS (UDP) ---->|
 *      |<--- 200 OK ------------|     and the same over TCP
 *      |---- OPTIONS ---------->|
 *      |---- OPTIONS (again) -->|     same branch: one transaction
 *      |<--- 200 OK ------------|
 *      |<--- 200 OK (same) -----|     answered from the transaction
 *      |<--- OPTIONS -----------|     Tandem as the client
 *      |---- 200 OK ----------->|
 * </pre>
 *
 * T1 is 100 ms and T2 900 ms here, so 64*T1 is 6.4 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerEndToEndTest {
  private static final Duration T1 = Duration.ofMillis(100);
  private static final Duration T2 = Duration.ofMillis(900);

  static Server server;
  static JainSipPeer peer;
  static int udpPort;
  static int tcpPort;

  @BeforeAll
  static void start() throws Exception {
    server =
        Server.start(
            Settings.of(
                ConfigFactory.parseString(
                    """
                    tandem.transport.listen = [
                      { protocol = udp, address = "127.0.0.1", port = 0 }
                      { protocol = tcp, address = "127.0.0.1", port = 0 }
                    ]
                    tandem.sip.timers { t1 = 100ms, t2 = 900ms, t4 = 500ms, timer-d = 1s }
                    # Timers fire within 1 ms of when they are due, so the wire shows the
                    # RFC schedule and not the default 10 ms scheduler tick.
                    pekko.scheduler.tick-duration = 1ms
                    """),
                "test"));
    udpPort = port(TransportProtocol.UDP);
    tcpPort = port(TransportProtocol.TCP);
    peer = new JainSipPeer();
  }

  @AfterAll
  static void stop() throws Exception {
    if (peer != null) {
      peer.close();
    }
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static int port(TransportProtocol protocol) {
    return ServerProbes.port(server, protocol);
  }

  @Test
  @Order(1)
  void optionsOverUdpIsAnswered200WithAllowAndAccept() throws Exception {
    peer.send(peer.options("ping", udpPort, "udp"));
    Response ok = peer.nextResponse(5);
    assertNotNull(ok, "no response over UDP");
    assertEquals(200, ok.getStatusCode());
    List<String> allowed = new ArrayList<>();
    ok.getHeaders(AllowHeader.NAME).forEachRemaining(h -> allowed.add(((AllowHeader) h).getMethod()));
    // Every method a peer may send, the in-dialog ones (PRACK, UPDATE, INFO, REFER) included.
    assertEquals(List.of("INVITE", "ACK", "CANCEL", "OPTIONS", "BYE", "PRACK", "UPDATE", "INFO", "REFER", "MESSAGE",
        "PUBLISH", "SUBSCRIBE", "NOTIFY"), allowed, ok.toString());
    assertTrue(ok.toString().contains("Accept: application/sdp"), ok.toString());
    assertNotNull(((ToHeader) ok.getHeader(ToHeader.NAME)).getTag(), "a UAS adds a To tag (8.2.6.2)");
  }

  @Test
  @Order(2)
  void optionsOverTcpIsAnswered200() throws Exception {
    peer.send(peer.options("ping", tcpPort, "tcp"));
    Response ok = peer.nextResponse(5);
    assertNotNull(ok, "no response over TCP");
    assertEquals(200, ok.getStatusCode());
  }

  @Test
  @Order(3)
  void aRequestSentTwiceIsAnsweredByOneTransactionWithTheSameResponse() throws Exception {
    Request options = peer.options("twice", udpPort, "udp");
    peer.provider.sendRequest(options);
    Response first = peer.nextResponse(5);
    peer.provider.sendRequest((Request) options.clone());
    Response second = peer.nextResponse(5);
    assertNotNull(first);
    assertNotNull(second, "the retransmission must be answered from the transaction");
    assertEquals(200, second.getStatusCode());
    assertEquals(
        ((ToHeader) first.getHeader(ToHeader.NAME)).getTag(),
        ((ToHeader) second.getHeader(ToHeader.NAME)).getTag(),
        "a second transaction would have chosen another To tag");
    assertEquals(first.toString(), second.toString());
  }

  @Test
  @Order(4)
  void anUnknownMethodIs501AndAnInviteGetsACleanFinalAnswer() throws Exception {
    Request bogus = peer.options("ping", udpPort, "udp");
    bogus.setMethod("FROBNICATE");
    bogus.setHeader(peer.headers.createCSeqHeader(99L, "FROBNICATE"));
    peer.provider.sendRequest(bogus);
    assertEquals(501, peer.nextResponse(5).getStatusCode());

    Request invite = peer.options("bob", udpPort, "udp");
    invite.setMethod(Request.INVITE);
    invite.setHeader(peer.headers.createCSeqHeader(100L, Request.INVITE));
    invite.addHeader(peer.headers.createContactHeader(peer.addresses.createAddress("<sip:peer@127.0.0.1:" + peer.port + ">")));
    peer.send(invite);
    Response answer = peer.nextResponse(5);
    while (answer != null && answer.getStatusCode() < 200) {
      answer = peer.nextResponse(5);
    }
    assertNotNull(answer);
    assertEquals(404, answer.getStatusCode(), "no route is configured: 404");
    assertEquals("No Route", answer.getReasonPhrase());
  }

  /**
   * Methods Allow lists but Tandem takes only within a call: outside any dialog, PRACK, UPDATE
   * and INFO find none (481), a REFER that would start its own is refused (403); never a 405
   * for a method the same answer's Allow would name.
   */
  @Test
  @Order(4)
  void inDialogMethodsOutsideADialogAre481AndReferIs403() throws Exception {
    long cseq = 200;
    for (String method : List.of(Request.PRACK, Request.UPDATE, Request.INFO, Request.REFER)) {
      Request request = peer.options("bob", udpPort, "udp");
      request.setMethod(method);
      request.setHeader(peer.headers.createCSeqHeader(cseq++, method));
      if (method.equals(Request.PRACK)) {
        request.setHeader(peer.headers.createRAckHeader(1, 1, Request.INVITE));
      } else if (method.equals(Request.REFER)) {
        request.setHeader(peer.headers.createReferToHeader(peer.addresses.createAddress("<sip:carol@127.0.0.1>")));
      }
      peer.provider.sendRequest(request);
      Response answer = peer.nextResponse(5);
      assertNotNull(answer, method);
      assertEquals(method.equals(Request.REFER) ? 403 : 481, answer.getStatusCode(), answer.toString());
    }
  }

  @Test
  @Order(5)
  void tandemAsClientGetsTheResponseOfJainSip() {
    TestProbe<TransactionEvent> user = TestProbe.create(server.system());
    SipRequest options = request(Method.OPTIONS, peer.port, "z9hG4bK-client-" + System.nanoTime());
    ServerProbes.send(server, options, udp(peer.port), user.getRef());
    TransactionEvent.ResponseReceived got =
        user.expectMessageClass(TransactionEvent.ResponseReceived.class, Duration.ofSeconds(5));
    assertEquals(200, got.response().statusCode());
    // The actor's work ends with the final; Timer K's record lingers (noTransactionOutlivesItsWork).
    user.expectMessageClass(TransactionEvent.Terminated.class, Duration.ofSeconds(3));
  }

  /**
   * RFC 3261 17.1.1.2 and 17.1.2.2 on the wire: toward a port that never answers, the INVITE
   * is retransmitted at T1, 2T1, 4T1 ... (Timer A) until Timer B; the non-INVITE at T1, 2T1 ...
   * capped at T2 (Timer E) until Timer F; both give up at 64*T1.
   */
  @Test
  @Order(6)
  void clientTransactionsTowardASilentPortRetransmitOnTheRfcScheduleThenTimeOut() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      silent.setSoTimeout(200);
      TestProbe<TransactionEvent> inviteUser = TestProbe.create(server.system());
      TestProbe<TransactionEvent> optionsUser = TestProbe.create(server.system());
      long start = System.nanoTime();
      ServerProbes.send(server,
          request(Method.INVITE, silent.getLocalPort(), "z9hG4bK-silent-invite"), udp(silent.getLocalPort()), inviteUser.getRef());
      ServerProbes.send(server,
          request(Method.OPTIONS, silent.getLocalPort(), "z9hG4bK-silent-options"), udp(silent.getLocalPort()), optionsUser.getRef());

      List<Long> invites = new ArrayList<>();
      List<Long> options = new ArrayList<>();
      byte[] buf = new byte[65_535];
      long deadline = start + T1.multipliedBy(64).plusMillis(600).toNanos();
      while (System.nanoTime() < deadline) {
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        try {
          silent.receive(packet);
        } catch (SocketTimeoutException idle) {
          continue;
        }
        long at = (System.nanoTime() - start) / 1_000_000;
        String text = new String(buf, 0, packet.getLength(), StandardCharsets.UTF_8);
        (text.startsWith("INVITE") ? invites : options).add(at);
      }
      TransactionEvent.TimedOut b = inviteUser.expectMessageClass(TransactionEvent.TimedOut.class, Duration.ofSeconds(2));
      assertEquals('B', b.timer());
      inviteUser.expectMessageClass(TransactionEvent.Terminated.class);
      TransactionEvent.TimedOut f = optionsUser.expectMessageClass(TransactionEvent.TimedOut.class, Duration.ofSeconds(2));
      assertEquals('F', f.timer());
      optionsUser.expectMessageClass(TransactionEvent.Terminated.class);

      // Timer A: 0, T1, 3T1, 7T1, 15T1, 31T1, 63T1: seven sends, each gap twice the last.
      assertEquals(7, invites.size(), "INVITE sends at " + invites);
      assertGaps(invites, List.of(100L, 200L, 400L, 800L, 1600L, 3200L));
      // Timer E: gaps T1, 2T1, 4T1, 8T1, then T2 (900 ms) until Timer F at 64*T1.
      List<Long> expected = new ArrayList<>(List.of(100L, 200L, 400L, 800L));
      for (long at = 1500 + T2.toMillis(); at < 6400; at += T2.toMillis()) {
        expected.add(T2.toMillis());
      }
      assertEquals(expected.size() + 1, options.size(), "OPTIONS sends at " + options);
      assertGaps(options, expected);
    }
  }

  /** Each gap between sends is the RFC's, give or take scheduling jitter. */
  private static void assertGaps(List<Long> sends, List<Long> gaps) {
    for (int i = 0; i < gaps.size(); i++) {
      long gap = sends.get(i + 1) - sends.get(i);
      assertTrue(Math.abs(gap - gaps.get(i)) <= 60, "gap " + i + " is " + gap + " ms, not " + gaps.get(i) + ": " + sends);
    }
  }

  @Test
  @Order(7)
  void noTransactionOutlivesItsWork() throws Exception {
    AtomicLong last = new AtomicLong(-1);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      TransactionLayer.TransactionCount count = server.transactions().counts();
      last.set(count.total());
      if (count.total() == 0) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("transactions still alive 15 s after the last request: " + last.get());
  }

  private static Peer udp(int port) {
    return Peer.destination(TransportProtocol.UDP, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  private static SipRequest request(Method method, int port, String branch) {
    return SipRequest.builder(method, SipUri.of("peer", "127.0.0.1", port))
        .header(HeaderName.VIA, Via.of("UDP", "127.0.0.1", udpPort, branch))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, "<sip:tandem@127.0.0.1>;tag=t" + System.nanoTime())
        .header(HeaderName.TO, "<sip:peer@127.0.0.1:" + port + ">")
        .header(HeaderName.CALL_ID, branch + "@127.0.0.1")
        .header(HeaderName.CSEQ, "1 " + method.name())
        .header(HeaderName.CONTACT, "<sip:tandem@127.0.0.1:" + udpPort + ">")
        .build();
  }
}
