package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.DigestAnswer;
import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.concurrent.TimeUnit;
import javax.sip.header.CSeqHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Digest authentication end to end, both ways, against JAIN-SIP user agents whose digest is the
 * harness's own ({@link DigestAnswer}), not Tandem's: alice calls a route that authenticates
 * its callers (prefix {@code sec}), trusty calls it from a trusted source, and carrier one
 * challenges Tandem's leg B (prefix {@code ca}: carrier one with credentials, then two).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AuthEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  private static final String ANSWER = "v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";
  private static final String CARRIER_REALM = "carrier.test";

  private static SipUa alice;
  private static SipUa trusty;
  private static SipUa one;
  private static SipUa two;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    trusty = SipUa.start("trusty", "127.0.0.2");
    one = SipUa.start("one");
    two = SipUa.start("two");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.call.provisional-timeout = 1s
        tandem.auth {
          realm = "tandem.test"
          users { alice = "wonderland" }
          trusted-sources = ["127.0.0.2/32"]
        }
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d }
            two { address = "127.0.0.1", port = %d }
            one-auth { address = "127.0.0.1", port = %d, username = "tandem", password = "carrier-pw", realm = "%s" }
          }
          routes = [
            { name = secure, match-user-prefix = "sec", carriers = [one], authenticate = true }
            { name = carrier-auth, match-user-prefix = "ca", carriers = [one-auth, two] }
          ]
        }
        """.formatted(one.port(), two.port(), one.port(), CARRIER_REALM)), "test"));
    port = ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    for (SipUa ua : new SipUa[] {alice, trusty, one, two}) {
      ua.close();
    }
  }

  @BeforeEach
  void reset() {
    for (SipUa ua : new SipUa[] {alice, trusty, one, two}) {
      ua.reset();
    }
  }

  private static OutgoingCall call(SipUa caller, String user, Header... extra) throws Exception {
    return caller.invite("sip:" + user + "@127.0.0.1:" + port, "udp", OFFER, extra);
  }

  private static List<String> algorithms(Response challenge) {
    List<String> out = new ArrayList<>();
    for (ListIterator<?> it = challenge.getHeaders("Proxy-Authenticate"); it.hasNext(); ) {
      out.add(((WWWAuthenticateHeader) it.next()).getAlgorithm());
    }
    return out;
  }

  /**
   * Waits until {@code call}'s ladder, without UDP retransmissions of a final and its ACK (a
   * repeat of the two lines just before), reads {@code expected}.
   */
  private static void awaitLadder(OutgoingCall call, String... expected) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> ladder = withoutRetransmissions(call.ladder());
    while (ladder.size() < expected.length && System.nanoTime() < deadline) {
      Thread.sleep(10);
      ladder = withoutRetransmissions(call.ladder());
    }
    assertEquals(List.of(expected), ladder, SipUa::ladders);
  }

  private static List<String> withoutRetransmissions(List<String> ladder) {
    List<String> out = new ArrayList<>();
    for (String line : ladder) {
      int n = out.size();
      boolean repeatsPair = n >= 3 && line.equals("-> ACK") && out.get(n - 1).equals(out.get(n - 3))
          && out.get(n - 2).equals("-> ACK") && out.get(n - 1).startsWith("<- 4");
      if (repeatsPair) {
        out.remove(n - 1);
      } else {
        out.add(line);
      }
    }
    return out;
  }

  private static long cseq(Request r) {
    return ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber();
  }

  /**
   * <pre>
   * alice                     Tandem                     one
   *   |--INVITE (CSeq 1)-------->|                          |
   *   |<--407 (SHA-256, MD5)-----|   no call yet            |
   *   |--ACK-------------------->|                          |
   *   |--INVITE (CSeq 2, Proxy-Authorization)-->|           |
   *   |<--100--------------------|--INVITE (no credentials)>|
   *   |<--180--------------------|<-----------------180-----|
   *   |<--200--------------------|<-----------------200-----|
   *   |--ACK-------------------->|--ACK-------------------->|
   * </pre>
   */
  @Order(1)
  @ParameterizedTest
  @ValueSource(strings = {"SHA-256", "MD5"})
  void aCallerAnswersTheChallengeAndTheCallGoesThrough(String algorithm) throws Exception {
    alice.credentials("alice", "wonderland", algorithm);
    one.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call(alice, "sec-" + algorithm);
    IncomingCall legB = one.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB.awaitAck(WAIT);

    awaitLadder(call, "-> INVITE", "<- 407 Proxy Authentication Required", "-> ACK", "-> INVITE",
        "<- 100 Trying", "<- 180 Ringing", "<- 200 OK", "-> ACK");
    Response challenge = call.challenges().get(0);
    assertEquals(List.of("SHA-256", "MD5"), algorithms(challenge), "RFC 8760: SHA-256 offered first");
    assertNotNull(((ToHeader) challenge.getHeader(ToHeader.NAME)).getTag(), "the 407 carries a To tag");
    WWWAuthenticateHeader offered = DigestAnswer.challenge(challenge, "Proxy-Authenticate", algorithm);
    assertEquals("tandem.test", offered.getRealm());
    assertEquals("auth", offered.getQop());
    Request retried = call.request();
    assertEquals(2, cseq(retried), "the retry is CSeq + 1 with the same Call-ID");
    assertEquals(call.callId(), ((javax.sip.header.CallIdHeader) retried.getHeader("Call-ID")).getCallId());

    assertEquals(1, cseq(legB.invite()), "leg B is a fresh call");
    assertNull(legB.invite().getHeader("Proxy-Authorization"), "the caller's credentials stay on leg A");
    legB.awaitLadder(WAIT, "<- INVITE", "-> 180 Ringing", "-> 200 OK", "<- ACK");
    call.bye();
    legB.awaitBye(WAIT);
  }

  /** A wrong password is refused with 403 (RFC 3261 section 21.4.4); no carrier hears of it. */
  @Order(2)
  @Test
  void aWrongPasswordIsForbidden() throws Exception {
    alice.credentials("alice", "looking-glass", "SHA-256");
    OutgoingCall call = call(alice, "sec-wrong");
    assertEquals(403, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    awaitLadder(call, "-> INVITE", "<- 407 Proxy Authentication Required", "-> ACK", "-> INVITE",
        "<- 403 Forbidden", "-> ACK");
    Thread.sleep(200);
    assertTrue(one.ladder().isEmpty(), SipUa::ladders);
  }

  /**
   * The credentials of an answered INVITE, replayed on a new INVITE (nonce, nc, cnonce and all),
   * are refused: the nonce count is not above the last seen, so a new challenge comes, with
   * stale=true, and the carrier never sees the replay.
   */
  @Order(3)
  @Test
  void replayedCredentialsAreRefused() throws Exception {
    alice.credentials("alice", "wonderland", "MD5");
    one.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall first = call(alice, "sec-replay");
    IncomingCall legB = one.awaitIncoming(WAIT);
    assertEquals(200, first.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB.awaitAck(WAIT);
    first.bye();
    legB.awaitBye(WAIT);

    alice.credentials(null, null, null);
    Header stolen = first.request().getHeader("Proxy-Authorization");
    OutgoingCall replay = call(alice, "sec-replay", stolen);
    Response refused = replay.awaitFinal(WAIT);
    assertEquals(407, refused.getStatusCode(), SipUa::ladders);
    WWWAuthenticateHeader fresh = DigestAnswer.challenge(refused, "Proxy-Authenticate", "MD5");
    assertEquals("true", fresh.getParameter("stale").toLowerCase());
    assertNotEquals(((javax.sip.header.AuthorizationHeader) stolen).getNonce(), fresh.getNonce());
    Thread.sleep(200);
    assertFalse(one.describe().contains(replay.callId()), SipUa::ladders);
    assertEquals(1, one.ladder().stream().filter("<- INVITE"::equals).count(), SipUa::ladders);
  }

  /** A call from a trusted source (127.0.0.2/32 here) is not challenged. */
  @Order(4)
  @Test
  void aTrustedSourceIsNotChallenged() throws Exception {
    one.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call(trusty, "sec-trusted");
    IncomingCall legB = one.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    call.awaitLadder(WAIT, "-> INVITE", "<- 100 Trying", "<- 180 Ringing", "<- 200 OK", "-> ACK");
    legB.awaitAck(WAIT);
    call.bye();
    legB.awaitBye(WAIT);
  }

  /**
   * <pre>
   * alice            Tandem                                  one
   *   |--INVITE------->|--INVITE (CSeq 1)----------------------->|
   *   |<--100----------|<-----------------401 / 407 (challenge)--|
   *   |                |--ACK----------------------------------->|
   *   |                |--INVITE (CSeq 2, Authorization)-------->|
   *   |<--180----------|<----------------------------------180---|
   *   |<--200----------|<----------------------------------200---|
   * </pre>
   */
  @Order(5)
  @ParameterizedTest
  @ValueSource(ints = {401, 407})
  void aCarrierChallengeIsAnsweredWithTheCarriersCredentials(int status) throws Exception {
    String algorithm = status == 401 ? "MD5" : "SHA-256";
    one.onInvite(Script.challenge(status, CARRIER_REALM, algorithm, "tandem", "carrier-pw", ANSWER));
    OutgoingCall call = call(alice, "ca-" + status);
    IncomingCall challenged = one.awaitIncoming(WAIT);
    IncomingCall legB = one.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB.awaitAck(WAIT);

    String reason = status == 401 ? "401 Unauthorized" : "407 Proxy Authentication required"; // JAIN-SIP's phrase
    one.awaitLadder(WAIT, "<- INVITE", "-> " + reason, "<- ACK", "<- INVITE", "-> 180 Ringing", "-> 200 OK",
        "<- ACK");
    Request first = challenged.invite();
    Request second = legB.invite();
    String header = status == 401 ? "Authorization" : "Proxy-Authorization";
    assertNull(first.getHeader(header));
    assertNotNull(second.getHeader(header), second::toString);
    assertEquals(algorithm, ((javax.sip.header.AuthorizationHeader) second.getHeader(header)).getAlgorithm());
    assertEquals(1, cseq(first));
    assertEquals(2, cseq(second), "RFC 3261 section 22.2: CSeq + 1");
    assertEquals(challenged.callId(), legB.callId(), "the same Call-ID");
    assertEquals(((FromHeader) first.getHeader(FromHeader.NAME)).getTag(),
        ((FromHeader) second.getHeader(FromHeader.NAME)).getTag(), "the same From tag");
    assertNotEquals(((ViaHeader) first.getHeader(ViaHeader.NAME)).getBranch(),
        ((ViaHeader) second.getHeader(ViaHeader.NAME)).getBranch(), "a new transaction");
    assertEquals(first.getRequestURI(), second.getRequestURI());
    assertFalse(call.statuses().contains(status), "the carrier's challenge stays on leg B");
    call.bye();
    legB.awaitBye(WAIT);
  }

  /** Carrier one refuses the credentials (challenges again): the call moves on to carrier two. */
  @Order(6)
  @Test
  void aCarrierThatChallengesAgainIsLeftForTheNext() throws Exception {
    one.onInvite(Script.challengeAlways(407, CARRIER_REALM));
    two.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = call(alice, "ca-again");
    IncomingCall legB = two.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB.awaitAck(WAIT);
    one.awaitLadder(WAIT, "<- INVITE", "-> 407 Proxy Authentication required", "<- ACK", "<- INVITE",
        "-> 407 Proxy Authentication required", "<- ACK");
    assertNull(legB.invite().getHeader("Proxy-Authorization"), "carrier two gets no credentials of one");
    call.bye();
    legB.awaitBye(WAIT);
  }

  /** Every call actor and transaction ends once its work is done. */
  @Order(7)
  @Test
  void nothingOutlivesItsCall() throws Exception {
    ServerProbes.awaitIdle(server, Duration.ofSeconds(20));
  }
}
