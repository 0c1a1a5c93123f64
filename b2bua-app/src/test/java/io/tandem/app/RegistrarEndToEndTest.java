package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
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
import javax.sip.address.SipURI;
import javax.sip.header.AllowHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registrar over real loopback sockets (RFC 3261 section 10.3): pbx and desk (JAIN-SIP)
 * register with Tandem, and alice's calls to {@code sip:pbx@tandem} reach what pbx bound.
 * Short expiry bounds here: min 2 s, default 30 s, max 60 s.
 */
class RegistrarEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  private static final String ANSWER = "v=0\r\no=pbx 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static SipUa pbx;
  private static SipUa desk;
  private static Server server;
  private static String registrar;
  private static String registrarTcp;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    pbx = SipUa.start("pbx");
    desk = SipUa.start("desk");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [
          { protocol = udp, address = "127.0.0.1", port = 0 }
          { protocol = tcp, address = "127.0.0.1", port = 0 }
        ]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.call.provisional-timeout = 1s
        tandem.registrar {
          enabled = true
          authenticate = false
          min-expires = 2s
          default-expires = 30s
          max-expires = 60s
          max-bindings-per-aor = 3
          sweep-interval = 1s
        }
        tandem.routing.routes = [ { name = customers, registered = true } ]
        """), "test"));
    registrar = "sip:127.0.0.1:" + ServerProbes.port(server, TransportProtocol.UDP);
    registrarTcp = "sip:127.0.0.1:" + ServerProbes.port(server, TransportProtocol.TCP);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    alice.close();
    pbx.close();
    desk.close();
  }

  /** Every test starts with pbx bound to nothing. */
  @BeforeEach
  void reset() throws Exception {
    alice.reset();
    pbx.reset();
    desk.reset();
    assertEquals(200, pbx.register(registrar, "udp", 0L, "*").getStatusCode(), SipUa::ladders);
  }

  /** The bindings a 200 lists: "URI expires" per Contact, in the order of the response. */
  private static List<String> bindings(Response ok) {
    List<String> out = new ArrayList<>();
    ListIterator<?> it = ok.getHeaders(ContactHeader.NAME);
    while (it.hasNext()) {
      ContactHeader c = (ContactHeader) it.next();
      SipURI uri = (SipURI) c.getAddress().getURI();
      out.add(uri.getUser() + "@" + uri.getPort() + " " + c.getExpires());
    }
    return out;
  }

  private static Response ok(Response response) {
    assertEquals(200, response.getStatusCode(), SipUa::ladders);
    assertNotNull(response.getHeader("Date"), "section 10.3 step 8: the 200 says the time");
    assertNotNull(((ToHeader) response.getHeader(ToHeader.NAME)).getTag());
    return response;
  }

  private static String me(SipUa ua, int expires) {
    return ua.name() + "@" + ua.port() + " " + expires;
  }

  @Test
  void registerOneContactThenQueryIt() throws Exception {
    Response ok = ok(pbx.register(registrar, "udp", 40L, pbx.contactValue("")));
    assertEquals(List.of(me(pbx, 40)), bindings(ok));
    Response query = ok(pbx.register(registrar, "udp", null));
    assertEquals(1, bindings(query).size(), "a REGISTER without Contact lists the bindings");
    assertTrue(bindings(query).get(0).startsWith("pbx@" + pbx.port() + " "), bindings(query)::toString);
    assertEquals(List.of("-> REGISTER", "<- 200 OK", "-> REGISTER", "<- 200 OK", "-> REGISTER", "<- 200 OK"),
        pbx.ladder().subList(0, 6));
  }

  /** Several Contacts in one REGISTER, each its own expiry; the 200 lists them by q. */
  @Test
  void registerSeveralContactsListedByQ() throws Exception {
    Response ok = ok(pbx.register(registrarTcp, "tcp", 50L,
        pbx.contactValue(";q=0.5"), desk.contactValue(";q=0.9;expires=20")));
    assertEquals(List.of(me(desk, 20), me(pbx, 50)), bindings(ok));
    Response query = ok(pbx.register(registrar, "udp", null));
    assertEquals(2, bindings(query).size());
    assertTrue(bindings(query).get(0).startsWith("desk@"), "highest q first: " + bindings(query));
  }

  /** A refresh replaces the expiry; a request over max-expires gets max-expires; none gets the default. */
  @Test
  void refreshAndExpiryBounds() throws Exception {
    ok(pbx.register(registrar, "udp", 10L, pbx.contactValue("")));
    assertEquals(List.of(me(pbx, 60)), bindings(ok(pbx.register(registrar, "udp", 3600L, pbx.contactValue("")))));
    assertEquals(List.of(me(pbx, 30)), bindings(ok(pbx.register(registrar, "udp", null, pbx.contactValue("")))));
  }

  @Test
  void aBindingLapsesAtItsExpiry() throws Exception {
    long start = System.nanoTime();
    assertEquals(List.of(me(pbx, 2)), bindings(ok(pbx.register(registrar, "udp", 2L, pbx.contactValue("")))));
    List<String> left;
    do {
      Thread.sleep(200);
      left = bindings(ok(pbx.register(registrar, "udp", null)));
    } while (!left.isEmpty() && System.nanoTime() - start < WAIT.toNanos());
    long lapsed = System.nanoTime() - start;
    assertTrue(left.isEmpty(), "still bound after " + WAIT + ": " + left);
    assertTrue(lapsed >= Duration.ofMillis(1800).toNanos(), "lapsed early, after " + lapsed / 1_000_000 + " ms");
  }

  /** {@code Contact: *} with Expires 0 removes every binding of the AOR. */
  @Test
  void wildcardRemovesEveryBinding() throws Exception {
    ok(pbx.register(registrar, "udp", 30L, pbx.contactValue(""), desk.contactValue("")));
    Response removed = ok(pbx.register(registrar, "udp", 0L, "*"));
    assertEquals(List.of(), bindings(removed));
    assertEquals(List.of(), bindings(ok(pbx.register(registrar, "udp", null))));
  }

  @Test
  void tooBriefAnIntervalIs423WithMinExpires() throws Exception {
    Response brief = pbx.register(registrar, "udp", 1L, pbx.contactValue(""));
    assertEquals(423, brief.getStatusCode(), SipUa::ladders);
    assertEquals(2, ((MinExpiresHeader) brief.getHeader(MinExpiresHeader.NAME)).getExpires());
    assertEquals(423, pbx.register(registrar, "udp", 30L, pbx.contactValue(";expires=1")).getStatusCode(),
        "the Contact's expires parameter counts over the header");
    assertEquals(List.of(), bindings(ok(pbx.register(registrar, "udp", null))), "nothing was bound");
  }

  /** Step 6: {@code *} only with Expires 0 and alone, else 400 and nothing changes. */
  @Test
  void wildcardMisusedIs400() throws Exception {
    ok(pbx.register(registrar, "udp", 30L, pbx.contactValue("")));
    assertEquals(400, pbx.register(registrar, "udp", 30L, "*").getStatusCode(), "Expires not 0");
    assertEquals(400, pbx.register(registrar, "udp", null, "*").getStatusCode(), "no Expires");
    assertEquals(400, pbx.register(registrar, "udp", 0L, "*", desk.contactValue("")).getStatusCode(),
        "another Contact");
    assertEquals(1, bindings(ok(pbx.register(registrar, "udp", null))).size());
  }

  /** Step 7: a REGISTER older than the binding (same Call-ID, CSeq not higher) changes nothing. */
  @Test
  void anOutOfOrderRegisterFailsAndChangesNothing() throws Exception {
    ok(pbx.register("old-call", 10, registrar, "udp", 30L, pbx.contactValue("")));
    Response stale = pbx.register("old-call", 9, registrar, "udp", 0L, pbx.contactValue(""));
    assertEquals(500, stale.getStatusCode(), SipUa::ladders);
    assertEquals(1, bindings(ok(pbx.register(registrar, "udp", null))).size());
  }

  /** With the registrar on, Allow names REGISTER (RFC 3261 section 20.5). */
  @Test
  void optionsAllowsRegister() throws Exception {
    Response ok = pbx.options(registrar, "udp");
    assertEquals(200, ok.getStatusCode(), SipUa::ladders);
    List<String> allowed = new ArrayList<>();
    ok.getHeaders(AllowHeader.NAME).forEachRemaining(h -> allowed.add(((AllowHeader) h).getMethod()));
    assertTrue(allowed.contains("REGISTER"), allowed::toString);
  }

  /**
   * <pre>
   * pbx              Tandem              alice
   *   |--REGISTER----->|                   |
   *   |<-----200-------|<-------INVITE-----|  sip:pbx@tandem
   *   |<--INVITE-------|------100--------->|  Request-URI: pbx's Contact
   *   |---180, 200---->|------180, 200---->|
   *   |<--ACK----------|<-------ACK--------|
   *   |<--BYE----------|<-------BYE--------|
   *   |----200-------->|-------200-------->|
   * </pre>
   */
  @Test
  void aCallToARegisteredUserReachesItsContact() throws Exception {
    ok(pbx.register(registrar, "udp", 30L, pbx.contactValue("")));
    pbx.reset();
    pbx.onInvite(Script.answer(Duration.ofMillis(50), ANSWER));
    OutgoingCall call = alice.invite("sip:pbx@" + registrar.substring(4), "udp", OFFER);
    IncomingCall legB = pbx.awaitIncoming(WAIT);
    assertEquals(pbx.uri(), legB.invite().getRequestURI().toString(), "the Contact as bound");
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertEquals(ANSWER, call.lastSdp());
    assertEquals(OFFER, legB.lastSdp());
    legB.awaitAck(WAIT);
    // alice's ACK leaves from JAIN-SIP's own thread: the BYE waits for it, so the ladder's order holds.
    call.awaitLadder(WAIT, "-> INVITE", "<- 100 Trying", "<- 180 Ringing", "<- 200 OK", "-> ACK");
    call.bye();
    legB.awaitBye(WAIT);
    call.awaitResponse(Request.BYE, 200, WAIT);
    call.awaitLadder(WAIT, "-> INVITE", "<- 100 Trying", "<- 180 Ringing", "<- 200 OK", "-> ACK", "-> BYE",
        "<- 200 OK");
    legB.awaitLadder(WAIT, "<- INVITE", "-> 180 Ringing", "-> 200 OK", "<- ACK", "<- BYE", "-> 200 OK");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (ServerProbes.calls(server) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, ServerProbes.calls(server), "the call ended with both legs");
  }

  /** The higher-q Contact first; its 486 moves the call to the next Contact, like a carrier's. */
  @Test
  void contactsAreTriedByQAndHuntedLikeCarriers() throws Exception {
    ok(pbx.register(registrar, "udp", 30L, pbx.contactValue(";q=0.4"), desk.contactValue(";q=0.8")));
    desk.onInvite(Script.reject(486));
    pbx.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = alice.invite("sip:pbx@" + registrar.substring(4), "udp", OFFER);
    IncomingCall first = desk.awaitIncoming(WAIT);
    assertEquals(desk.uri(), first.invite().getRequestURI().toString());
    IncomingCall legB = pbx.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    assertTrue(!call.statuses().contains(486), "the 486 stays on leg B");
    legB.awaitAck(WAIT);
    call.bye();
    legB.awaitBye(WAIT);
    call.awaitResponse(Request.BYE, 200, WAIT);
  }

  /**
   * A Contact naming another address (a PBX behind NAT writes its private one) is called where
   * its REGISTER came from, with the Contact as Request-URI (send-calls-to = auto).
   */
  @Test
  void aContactBehindNatIsCalledAtTheRegisterSource() throws Exception {
    ok(pbx.register(registrar, "udp", 30L, "<sip:pbx@10.255.255.1:5060>"));
    pbx.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = alice.invite("sip:pbx@" + registrar.substring(4), "udp", OFFER);
    IncomingCall legB = pbx.awaitIncoming(WAIT);
    assertEquals("sip:pbx@10.255.255.1:5060", legB.invite().getRequestURI().toString());
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB.awaitAck(WAIT);
    legB.bye();
    call.awaitBye(WAIT);
    legB.awaitResponse(Request.BYE, 200, WAIT);
  }

  @Test
  void aCallToAUserWithNoBindingIs480() throws Exception {
    OutgoingCall call = alice.invite("sip:pbx@" + registrar.substring(4), "udp", OFFER);
    assertEquals(480, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    call.awaitLadder(WAIT, "-> INVITE", "<- 100 Trying", "<- 480 Temporarily Unavailable", "-> ACK");
    assertTrue(pbx.ladder().stream().noneMatch(l -> l.contains("INVITE")), SipUa::ladders);
  }
}
