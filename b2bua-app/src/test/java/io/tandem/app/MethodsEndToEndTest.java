package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.HandDialog;
import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.Sent;
import io.tandem.app.ua.SipUa;
import io.tandem.app.ua.UaRequests;
import io.tandem.transport.TransportProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The methods Tandem relays besides INVITE, over real loopback sockets: MESSAGE and PUBLISH out
 * of dialog (RFC 3428, RFC 3903), SUBSCRIBE dialogs and their NOTIFYs (RFC 6665), and a
 * subscription inside a call's dialog. Alice and the carriers one and two keep their dialogs by
 * hand ({@link UaRequests}), so every header on each leg is the test's to check; carol calls
 * carrier three with JAIN-SIP's own dialogs.
 */
class MethodsEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String PIDF = "<?xml version=\"1.0\"?><presence entity=\"sip:bob@example.com\">open</presence>";

  private static SipUa alice;
  private static SipUa one;
  private static SipUa two;
  private static SipUa carol;
  private static SipUa three;
  private static Server server;
  private static int udpPort;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.startDialogless("alice");
    one = SipUa.startDialogless("one");
    two = SipUa.startDialogless("two");
    carol = SipUa.start("carol");
    three = SipUa.start("three");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.relay { attempt-timeout = 1s, subscription-grace = 1s }
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d }
            two { address = "127.0.0.1", port = %d }
            three { address = "127.0.0.1", port = %d }
          }
          routes = [
            { name = messages, match-user-prefix = "msg", carriers = [one, two] }
            { name = presence, match-user-prefix = "sub", carriers = [one, two] }
            { name = calls, match-user-prefix = "call", carriers = [three] }
          ]
        }
        """.formatted(one.port(), two.port(), three.port())), "test"));
    udpPort = ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    for (SipUa ua : new SipUa[] {alice, one, two, carol, three}) {
      ua.close();
    }
  }

  @BeforeEach
  void reset() {
    for (SipUa ua : new SipUa[] {alice, one, two, carol, three}) {
      ua.reset();
    }
  }

  private static String tandem(String user) {
    return "sip:" + user + "@127.0.0.1:" + udpPort;
  }

  private static String header(Message m, String name) {
    return m.getHeader(name) == null ? null : m.getHeader(name).toString().substring(name.length() + 1).trim();
  }

  private static String body(Message m) {
    return m.getRawContent() == null ? "" : new String(m.getRawContent(), StandardCharsets.UTF_8);
  }

  private static String callId(Message m) {
    return ((CallIdHeader) m.getHeader(CallIdHeader.NAME)).getCallId();
  }

  private static String toTag(Message m) {
    return ((ToHeader) m.getHeader(ToHeader.NAME)).getTag();
  }

  private static String fromTag(Message m) {
    return ((FromHeader) m.getHeader(FromHeader.NAME)).getTag();
  }

  /**
   * Topology hiding: nothing of {@code parts} (one leg's Call-ID, branch, tags, address) in
   * {@code m}, each as a whole token: a leg-B Call-ID {@code tdm-KEY-1} is also the start of
   * every branch Tandem writes for that call ({@code z9hG4bK-tdm-KEY-1a2b...}), which is no leak.
   */
  private static void assertApart(Message m, String... parts) {
    for (String part : parts) {
      if (part != null) {
        boolean found = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(part) + "(?![0-9A-Za-z])")
            .matcher(m.toString()).find();
        assertFalse(found, "the other leg's " + part + " in:\n" + m);
      }
    }
  }

  /** What identifies a message's sender on its leg: Call-ID, top Via branch, tags, its address. */
  private static String[] legOf(Message m, SipUa ua) {
    ViaHeader via = (ViaHeader) m.getHeader(ViaHeader.NAME);
    return new String[] {callId(m), via == null ? null : via.getBranch(), fromTag(m), toTag(m), "127.0.0.1:" + ua.port()};
  }

  /**
   * <pre>
   * alice            Tandem              one          two
   *   |--MESSAGE------>|--MESSAGE--------->|            |
   *   |                |<-------------503--|            |
   *   |                |--MESSAGE---------------------->|
   *   |<-----200-------|<-------------------------200---|
   * </pre>
   */
  @Test
  void messageFailsOverOn503AndTheSecondCarriersAnswerComesBack() throws Exception {
    one.requests().onRequest(Request.MESSAGE, r -> one.requests().reply(r, 503, "one-tag"));
    two.requests().onRequest(Request.MESSAGE, r -> two.requests().reply(r, 200, "two-tag", "X-Ignored: yes"));
    Request message = alice.requests().request(Request.MESSAGE, tandem("msg-bob"), "text/plain", "hello bob",
        "P-Asserted-Identity: <sip:+15550100@a.example>");
    Sent sent = alice.requests().send(message);

    Response ok = sent.awaitFinal(WAIT);
    assertEquals(200, ok.getStatusCode(), SipUa::ladders);
    assertNotNull(toTag(ok), "Tandem's To tag (RFC 3261 section 8.2.6.2)");
    Request atOne = one.requests().awaitRequest(Request.MESSAGE, 0, WAIT);
    Request atTwo = two.requests().awaitRequest(Request.MESSAGE, 0, WAIT);
    assertEquals("hello bob", body(atTwo));
    assertEquals("text/plain", header(atTwo, "Content-Type"));
    assertEquals("<sip:+15550100@a.example>", header(atTwo, "P-Asserted-Identity"));
    assertEquals("msg-bob", ((SipURI) atTwo.getRequestURI()).getUser());
    assertEquals("alice", ((SipURI) ((FromHeader) atTwo.getHeader(FromHeader.NAME)).getAddress().getURI()).getUser());
    assertEquals(69, ((MaxForwardsHeader) atTwo.getHeader(MaxForwardsHeader.NAME)).getMaxForwards());
    assertNotEquals(callId(atOne), callId(atTwo), "each attempt is Tandem's own request");
    assertNull(atTwo.getHeader(ContactHeader.NAME), "a MESSAGE makes no dialog");
    assertApart(atTwo, legOf(message, alice));
    assertApart(ok, legOf(atTwo, two));
    assertApart(ok, "two-tag", "X-Ignored");
  }

  /** No route for the user: routing's 404; Max-Forwards 0: 483 (RFC 3261 section 16.3); nothing reaches a carrier. */
  @Test
  void messageWithoutRouteOrHopsLeftIsRefusedByTandem() throws Exception {
    Sent noRoute = alice.requests().send(alice.requests().request(Request.MESSAGE, tandem("nobody"), "text/plain", "x"));
    assertEquals(404, noRoute.awaitFinal(WAIT).getStatusCode());
    Request looping = alice.requests().request(Request.MESSAGE, tandem("msg-bob"), "text/plain", "x");
    ((MaxForwardsHeader) looping.getHeader(MaxForwardsHeader.NAME)).setMaxForwards(0);
    assertEquals(483, alice.requests().send(looping).awaitFinal(WAIT).getStatusCode());
    assertEquals(java.util.List.of(), one.ladder());
  }

  /**
   * RFC 3903: the first PUBLISH gets its entity tag back; the refresh carries it in SIP-If-Match
   * to the carrier, and the carrier's new tag comes back; a too-short Expires gets 423 with
   * Min-Expires.
   */
  @Test
  void publishCarriesEntityTagsBothWays() throws Exception {
    one.requests().onRequest(Request.PUBLISH, r -> {
      String match = header(r, "SIP-If-Match");
      if ("1".equals(header(r, "Expires"))) {
        return one.requests().reply(r, 423, "p", "Min-Expires: 60");
      }
      return one.requests().reply(r, 200, "p", "SIP-ETag: " + (match == null ? "etag-1" : "etag-2"), "Expires: 120");
    });
    Request publish = alice.requests().request(Request.PUBLISH, tandem("msg-bob"), "application/pidf+xml", PIDF,
        "Event: presence", "Expires: 120");
    Response first = alice.requests().send(publish).awaitFinal(WAIT);
    assertEquals(200, first.getStatusCode(), SipUa::ladders);
    assertEquals("etag-1", header(first, "SIP-ETag"));
    assertEquals("120", header(first, "Expires"));
    Request atOne = one.requests().awaitRequest(Request.PUBLISH, 0, WAIT);
    assertEquals("presence", header(atOne, "Event"));
    assertEquals(PIDF, body(atOne));
    assertApart(atOne, legOf(publish, alice));

    Request refresh = alice.requests().request(Request.PUBLISH, tandem("msg-bob"), null, null,
        "Event: presence", "Expires: 120", "SIP-If-Match: etag-1");
    Response second = alice.requests().send(refresh).awaitFinal(WAIT);
    assertEquals("etag-1", header(one.requests().awaitRequest(Request.PUBLISH, 1, WAIT), "SIP-If-Match"));
    assertEquals("etag-2", header(second, "SIP-ETag"));

    Request tooShort = alice.requests().request(Request.PUBLISH, tandem("msg-bob"), "application/pidf+xml", PIDF,
        "Event: presence", "Expires: 1");
    Response interval = alice.requests().send(tooShort).awaitFinal(WAIT);
    assertEquals(423, interval.getStatusCode());
    assertEquals("60", header(interval, "Min-Expires"));
  }

  /**
   * <pre>
   * alice            Tandem                 one
   *   |--SUBSCRIBE---->|--SUBSCRIBE----------->|
   *   |<-----202-------|<----------------202---|
   *   |<--NOTIFY-------|<-------------NOTIFY---|   active
   *   |--200---------->|--200----------------->|
   *   |--SUBSCRIBE---->|--SUBSCRIBE----------->|   refresh
   *   |<-----200-------|<----------------200---|
   *   |--SUBSCRIBE---->|--SUBSCRIBE----------->|   Expires: 0
   *   |<-----200-------|<----------------200---|
   *   |<--NOTIFY-------|<-------------NOTIFY---|   terminated
   *   |--200---------->|--200----------------->|   (subscription over)
   * </pre>
   */
  @Test
  void subscriptionIsRelayedAsTwoDialogsUntilTerminated() throws Exception {
    UaRequests carrier = one.requests();
    carrier.onRequest(Request.SUBSCRIBE, r -> toTag(r) == null
        ? carrier.reply(r, 202, "notifier-tag", carrier.contact(), "Expires: 600")
        : carrier.reply(r, 200, null, carrier.contact(), "Expires: " + header(r, "Expires")));
    alice.requests().onRequest(Request.NOTIFY, r -> alice.requests().reply(r, 200, null));
    Request subscribe = alice.requests().request(Request.SUBSCRIBE, tandem("sub-bob"), null, null,
        "Event: presence", "Expires: 600", "Accept: application/pidf+xml", alice.requests().contact());

    Response accepted = alice.requests().send(subscribe).awaitFinal(WAIT);
    assertEquals(202, accepted.getStatusCode(), SipUa::ladders);
    assertEquals("600", header(accepted, "Expires"));
    SipURI tandemContact = (SipURI) ((ContactHeader) accepted.getHeader(ContactHeader.NAME)).getAddress().getURI();
    assertEquals(udpPort, tandemContact.getPort(), "Tandem's Contact, not the notifier's");
    Request atOne = carrier.awaitRequest(Request.SUBSCRIBE, 0, WAIT);
    assertEquals("presence", header(atOne, "Event"));
    assertEquals("600", header(atOne, "Expires"));
    assertEquals("application/pidf+xml", header(atOne, "Accept"));
    assertApart(atOne, legOf(subscribe, alice));
    assertApart(accepted, legOf(atOne, one));
    assertApart(accepted, "notifier-tag");
    assertEquals(1, ServerProbes.subscriptions(server));

    HandDialog notifier = carrier.asServer(atOne, "notifier-tag");
    HandDialog subscriber = alice.requests().asClient(subscribe, accepted);
    Sent notify = notifier.send(Request.NOTIFY, "application/pidf+xml", PIDF,
        "Event: presence", "Subscription-State: active;expires=600");
    Request atAlice = alice.requests().awaitRequest(Request.NOTIFY, 0, WAIT);
    assertEquals(200, notify.awaitFinal(WAIT).getStatusCode());
    assertEquals(callId(subscribe), callId(atAlice), "in alice's dialog");
    assertEquals(fromTag(subscribe), toTag(atAlice));
    assertEquals(toTag(accepted), fromTag(atAlice));
    assertEquals("presence", header(atAlice, "Event"));
    assertEquals("active;expires=600", header(atAlice, "Subscription-State"));
    assertEquals(PIDF, body(atAlice));
    assertEquals("application/pidf+xml", header(atAlice, "Content-Type"));
    assertApart(atAlice, legOf(notify.request(), one));

    Response refreshed = subscriber.send(Request.SUBSCRIBE, null, null, "Event: presence", "Expires: 300")
        .awaitFinal(WAIT);
    assertEquals(200, refreshed.getStatusCode());
    assertEquals("300", header(refreshed, "Expires"));
    Request refreshAtOne = carrier.awaitRequest(Request.SUBSCRIBE, 1, WAIT);
    assertEquals(callId(atOne), callId(refreshAtOne), "in Tandem's dialog with one");
    assertEquals("notifier-tag", toTag(refreshAtOne));
    assertEquals("300", header(refreshAtOne, "Expires"));

    assertEquals(200, subscriber.send(Request.SUBSCRIBE, null, null, "Event: presence", "Expires: 0")
        .awaitFinal(WAIT).getStatusCode());
    assertEquals("0", header(carrier.awaitRequest(Request.SUBSCRIBE, 2, WAIT), "Expires"));
    Sent last = notifier.send(Request.NOTIFY, null, null, "Event: presence", "Subscription-State: terminated;reason=timeout");
    assertEquals(200, last.awaitFinal(WAIT).getStatusCode());
    assertEquals("terminated;reason=timeout", header(alice.requests().awaitRequest(Request.NOTIFY, 1, WAIT),
        "Subscription-State"));
    ServerProbes.awaitNoSubscription(server, WAIT);
  }

  /**
   * RFC 6665 section 4.1.2.4: the notifier's NOTIFY overtakes its 202; it reaches alice in her
   * dialog all the same, and the 202 after it.
   */
  @Test
  void notifyBeforeTheTwoHundredAndTwoIsRelayed() throws Exception {
    UaRequests carrier = one.requests();
    carrier.onRequest(Request.SUBSCRIBE, r -> null); // held: answered below, after the NOTIFY
    alice.requests().onRequest(Request.NOTIFY, r -> alice.requests().reply(r, 200, null));
    Request subscribe = alice.requests().request(Request.SUBSCRIBE, tandem("sub-bob"), null, null,
        "Event: dialog", "Expires: 600", alice.requests().contact());
    Sent sent = alice.requests().send(subscribe);
    Request atOne = carrier.awaitRequest(Request.SUBSCRIBE, 0, WAIT);

    HandDialog notifier = carrier.asServer(atOne, "early-tag");
    Sent notify = notifier.send(Request.NOTIFY, null, null, "Event: dialog", "Subscription-State: active;expires=600");
    Request atAlice = alice.requests().awaitRequest(Request.NOTIFY, 0, WAIT);
    assertEquals(200, notify.awaitFinal(WAIT).getStatusCode());
    assertEquals(callId(subscribe), callId(atAlice));
    assertEquals(fromTag(subscribe), toTag(atAlice));
    carrier.answer(atOne, carrier.reply(atOne, 202, "early-tag", carrier.contact(), "Expires: 600"));
    Response accepted = sent.awaitFinal(WAIT);
    assertEquals(202, accepted.getStatusCode());
    assertEquals(fromTag(atAlice), toTag(accepted), "the NOTIFY and the 202 name one dialog");

    assertEquals(200, notifier.send(Request.NOTIFY, null, null, "Event: dialog", "Subscription-State: terminated")
        .awaitFinal(WAIT).getStatusCode());
    ServerProbes.awaitNoSubscription(server, WAIT);
  }

  /** A failure final to the initial SUBSCRIBE (489 Bad Event, RFC 6665 section 8.3.2) is relayed; no subscription stays. */
  @Test
  void refusedSubscriptionIsRelayedAndForgotten() throws Exception {
    one.requests().onRequest(Request.SUBSCRIBE, r -> one.requests().reply(r, 489, "t", "Allow-Events: presence"));
    Request subscribe = alice.requests().request(Request.SUBSCRIBE, tandem("sub-bob"), null, null,
        "Event: weather", "Expires: 600", alice.requests().contact());
    Response refused = alice.requests().send(subscribe).awaitFinal(WAIT);
    assertEquals(489, refused.getStatusCode());
    assertEquals("presence", header(refused, "Allow-Events"));
    ServerProbes.awaitNoSubscription(server, WAIT);
  }

  /** A subscription nobody refreshes or ends is forgotten its expiry plus the grace after (both 1 s here). */
  @Test
  void unrefreshedSubscriptionIsForgottenAfterItsExpiry() throws Exception {
    one.requests().onRequest(Request.SUBSCRIBE, r -> one.requests().reply(r, 200, "t", one.requests().contact(), "Expires: 1"));
    Request subscribe = alice.requests().request(Request.SUBSCRIBE, tandem("sub-bob"), null, null,
        "Event: presence", "Expires: 1", alice.requests().contact());
    assertEquals(200, alice.requests().send(subscribe).awaitFinal(WAIT).getStatusCode());
    assertEquals(1, ServerProbes.subscriptions(server));
    ServerProbes.awaitNoSubscription(server, WAIT);
  }

  /**
   * A SUBSCRIBE inside an answered call's dialog crosses to leg B in leg B's dialog, and the
   * NOTIFY of leg B comes back in leg A's (Call.onRequest relays them; Event,
   * Subscription-State and the body cross).
   */
  @Test
  void subscriptionInsideACallCrossesBothWays() throws Exception {
    three.onInvite(Script.answer(Duration.ZERO, null));
    OutgoingCall call = carol.invite(tandem("call-bob"), "udp", null);
    IncomingCall legB = three.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB.awaitAck(WAIT);

    Request subscribe = call.send(Request.SUBSCRIBE, null, null, "Event: dialog", "Expires: 60");
    Request atThree = legB.awaitRequest(Request.SUBSCRIBE, WAIT);
    assertEquals("dialog", header(atThree, "Event"));
    assertEquals("60", header(atThree, "Expires"));
    assertEquals(legB.callId(), callId(atThree));
    assertApart(atThree, legOf(subscribe, carol));
    call.awaitResponse(Request.SUBSCRIBE, 200, WAIT);

    Request notify = legB.send(Request.NOTIFY, "application/dialog-info+xml", "<dialog-info/>",
        "Event: dialog", "Subscription-State: active;expires=60");
    Request atCarol = call.awaitRequest(Request.NOTIFY, WAIT);
    assertEquals("dialog", header(atCarol, "Event"));
    assertEquals("active;expires=60", header(atCarol, "Subscription-State"));
    assertEquals("<dialog-info/>", body(atCarol));
    assertEquals(call.callId(), callId(atCarol));
    assertApart(atCarol, legOf(notify, three));
    legB.awaitResponse(Request.NOTIFY, 200, WAIT);

    call.bye();
    call.awaitResponse(Request.BYE, 200, WAIT);
  }
}
