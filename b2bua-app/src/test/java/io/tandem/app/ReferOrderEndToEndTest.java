package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A REFER Tandem carries out: its 202 leaves before the first NOTIFY of its subscription, every
 * time (a referrer such as SIPp that expects them in that order aborts otherwise). Raw peers
 * read the datagrams in the order they arrive: bob, the callee, refers alice to carol, who is
 * busy; bob hears 202, NOTIFY 100, NOTIFY 486, and the call goes on until alice hangs up.
 */
class ReferOrderEndToEndTest {
  private static final String ANSWER = "v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";
  private static RawPeer bob;
  private static RawPeer carol;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    bob = new RawPeer();
    carol = new RawPeer();
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.sip.timers { t1 = 50ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d }
            two { address = "127.0.0.1", port = %d }
          }
          routes = [
            { name = carol, match-user-prefix = "carol", carriers = [two] }
            { name = all, carriers = [one] }
          ]
        }
        """.formatted(bob.port(), carol.port())), "test"));
    port = server.listening().get(0).address().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    bob.close();
    carol.close();
  }

  @Test
  void theReferIsAcceptedBeforeItsFirstNotify() throws Exception {
    for (int i = 0; i < 20; i++) {
      try (RawPeer alice = new RawPeer()) {
        alice.invite(port, "refer-order-" + i + "-" + System.nanoTime() + "@127.0.0.1");
        RawMessage legB = bob.receive("INVITE");
        bob.reply(legB, "200 OK", bob.contact() + "Content-Type: application/sdp\r\n", ANSWER);
        RawMessage ok = alice.receive("SIP/2.0 200");
        alice.ack(ok, port);
        bob.receive("ACK");

        String tandem = legB.header("Contact").replaceAll("^<|>.*$", "");
        bob.send("REFER " + tandem + " SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:" + bob.port() + ";branch=z9hG4bK-refer-" + i + "-" + System.nanoTime() + "\r\n"
            + "Max-Forwards: 70\r\nFrom: " + legB.header("To") + ";tag=raw-b\r\nTo: " + legB.header("From")
            + "\r\nCall-ID: " + legB.header("Call-ID") + "\r\nCSeq: 2 REFER\r\n" + bob.contact()
            + "Refer-To: <sip:carol@127.0.0.1>\r\nContent-Length: 0\r\n\r\n", legB.from());
        RawMessage accepted = bob.next();
        assertTrue(accepted.text().startsWith("SIP/2.0 202 "), "transfer " + i + ": first " + accepted.text());
        RawMessage trying = bob.next();
        assertTrue(trying.text().startsWith("NOTIFY "), "transfer " + i + ": then " + trying.text());
        assertTrue(trying.text().endsWith("SIP/2.0 100 Trying\r\n"), trying.text());
        bob.reply(trying, "200 OK", "", "");

        RawMessage target = carol.receive("INVITE");
        carol.reply(target, "486 Busy Here", "", "");
        carol.receive("ACK");
        RawMessage busy = bob.receive("NOTIFY");
        assertTrue(busy.text().endsWith("SIP/2.0 486 Busy Here\r\n"), busy.text());
        bob.reply(busy, "200 OK", "", "");

        alice.bye(ok, port); // the call is as it was: alice and bob
        RawMessage bye = bob.receive("BYE");
        assertEquals(legB.header("Call-ID"), bye.header("Call-ID"));
        bob.reply(bye, "200 OK", "", "");
        alice.receive("SIP/2.0 200");
      }
    }
  }
}
