package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A carrier's redirect is a route change it asks for: a 301/302 is followed only where routing
 * allows (a configured carrier's address, or the route of the Contact's user), never to any
 * other host unless the route says so; 305 and 380 are the caller's, relayed. Raw peers: carrier
 * "one" redirects (the route of users "bob..."), carrier "two" is configured (the route of users
 * "ported..."), and "elsewhere" is a host no configuration names; no route takes user "eve".
 */
class RedirectEndToEndTest {
  private static RawPeer one;
  private static RawPeer two;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    one = new RawPeer();
    two = new RawPeer();
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.sip.timers { t1 = 50ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d }
            two { address = "127.0.0.1", port = %d }
          }
          routes = [
            { name = ported, match-user-prefix = "ported", carriers = [two] }
            { name = open, match-user-prefix = "open", carriers = [one], redirect-to-any-host = true }
            { name = bob, match-user-prefix = "bob", carriers = [one] }
          ]
        }
        """.formatted(one.port(), two.port())), "test"));
    port = server.listening().get(0).address().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    one.close();
    two.close();
  }

  @Test
  void aContactAtAConfiguredCarrierIsFollowedThere() throws Exception {
    try (RawPeer caller = new RawPeer()) {
      callRedirected(caller, "bob", "302 Moved Temporarily", "<sip:carol@127.0.0.1:" + two.port() + ">");
      RawMessage invite = two.receive("INVITE");
      assertTrue(invite.text().startsWith("INVITE sip:carol@127.0.0.1:" + two.port()), invite.text());
      refuse(two, invite, caller);
    }
  }

  @Test
  void aContactElsewhereIsNotFollowedThere() throws Exception {
    try (RawPeer caller = new RawPeer(); RawPeer elsewhere = new RawPeer()) {
      callRedirected(caller, "bob", "302 Moved Temporarily", "<sip:eve@127.0.0.1:" + elsewhere.port() + ">");
      RawMessage relayed = caller.receive("SIP/2.0 302");
      assertTrue(String.valueOf(relayed.header("Contact")).contains("eve@"), "the caller's to follow: " + relayed.text());
      caller.ackFinal(relayed, port);
      assertEquals(Optional.empty(), elsewhere.poll(Duration.ofMillis(300)), "nothing sent to elsewhere");
    }
  }

  @Test
  void aContactElsewhereGoesWhereTheRoutesSendItsUser() throws Exception {
    try (RawPeer caller = new RawPeer(); RawPeer elsewhere = new RawPeer()) {
      callRedirected(caller, "bob", "301 Moved Permanently", "<sip:ported-44@127.0.0.1:" + elsewhere.port() + ">");
      RawMessage invite = two.receive("INVITE");
      assertTrue(invite.text().startsWith("INVITE sip:ported-44@127.0.0.1:" + two.port()), invite.text());
      refuse(two, invite, caller);
      assertEquals(Optional.empty(), elsewhere.poll(Duration.ofMillis(300)), "nothing sent to elsewhere");
    }
  }

  @Test
  void aRouteWithRedirectToAnyHostFollowsItThere() throws Exception {
    try (RawPeer caller = new RawPeer(); RawPeer elsewhere = new RawPeer()) {
      callRedirected(caller, "open-1", "302 Moved Temporarily", "<sip:eve@127.0.0.1:" + elsewhere.port() + ">");
      RawMessage invite = elsewhere.receive("INVITE");
      assertTrue(invite.text().startsWith("INVITE sip:eve@127.0.0.1:" + elsewhere.port()), invite.text());
      refuse(elsewhere, invite, caller);
    }
  }

  /** 305 Use Proxy and 380 Alternative Service name no new address for the call: relayed. */
  @Test
  void useProxyAndAlternativeServiceAreRelayed() throws Exception {
    for (String status : new String[] {"305 Use Proxy", "380 Alternative Service"}) {
      try (RawPeer caller = new RawPeer()) {
        callRedirected(caller, "bob", status, "<sip:carol@127.0.0.1:" + two.port() + ">");
        RawMessage relayed = caller.receive("SIP/2.0 " + status.substring(0, 3));
        caller.ackFinal(relayed, port);
        assertEquals(Optional.empty(), two.poll(Duration.ofMillis(300)), status + " is not followed");
      }
    }
  }

  /** A call to {@code user} through carrier one, which answers {@code status} with {@code contact}. */
  private static void callRedirected(RawPeer caller, String user, String status, String contact) throws Exception {
    caller.invite(port, "redirect-" + user + "-" + System.nanoTime() + "@127.0.0.1", user);
    RawMessage invite = one.receive("INVITE");
    one.reply(invite, status, "Contact: " + contact + "\r\n", "");
    one.receive("ACK");
  }

  /** {@code carrier} refuses the redirected INVITE with 486; the caller gets a final and ACKs it. */
  private static void refuse(RawPeer carrier, RawMessage invite, RawPeer caller) throws Exception {
    carrier.reply(invite, "486 Busy Here", "", "");
    carrier.receive("ACK");
    RawMessage fin = caller.receive("SIP/2.0");
    while (fin.text().startsWith("SIP/2.0 1")) {
      fin = caller.receive("SIP/2.0");
    }
    caller.ackFinal(fin, port);
  }
}
