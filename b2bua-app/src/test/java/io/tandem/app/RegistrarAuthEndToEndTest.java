package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.DigestAnswer;
import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * REGISTER with Digest authentication ({@code tandem.registrar.authenticate}, the default): a
 * 401 challenge (RFC 3261 section 22.1), the binding made once the credentials are right, and
 * an account that may register its own address of record only.
 */
class RegistrarAuthEndToEndTest {
  private static SipUa pbx;
  private static SipUa mallory;
  private static SipUa alice;
  private static Server server;
  private static String registrar;

  @BeforeAll
  static void start() throws Exception {
    pbx = SipUa.start("pbx");
    mallory = SipUa.start("mallory");
    alice = SipUa.start("alice");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = 0 }]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.registrar.enabled = true
        tandem.auth.users { pbx = "pbx-secret", mallory = "mallory-secret" }
        tandem.routing.routes = [
          { name = dids, match { user-regex = "^[+]4420794601[0-9]{2}$" }, registered = true, dial = "pbx" }
        ]
        """), "test"));
    registrar = "sip:127.0.0.1:" + ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    pbx.close();
    mallory.close();
    alice.close();
  }

  private static String answer(Response challenge, String user, String password) throws Exception {
    WWWAuthenticateHeader sha = DigestAnswer.challenge(challenge, "WWW-Authenticate", "SHA-256");
    assertNotNull(sha, challenge::toString);
    // The digest-uri is the Request-URI as sent: the harness adds the transport parameter.
    return "Authorization: " + DigestAnswer.credentials(sha, "REGISTER", registrar + ";transport=udp", user, password);
  }

  /** 401, then the REGISTER with credentials binds the Contact. */
  @Test
  void challengedThenRegistered() throws Exception {
    Response challenge = pbx.register(registrar, "udp", 600L, pbx.contactValue(""));
    assertEquals(401, challenge.getStatusCode(), "a registrar challenges with 401, not 407");
    assertTrue(challenge.getHeader("Proxy-Authenticate") == null);
    Response ok = pbx.registerWith(List.of(answer(challenge, "pbx", "pbx-secret")), registrar, "udp", 600L,
        pbx.contactValue(""));
    assertEquals(200, ok.getStatusCode(), pbx::describe);
    assertTrue(ok.toString().contains("sip:pbx@127.0.0.1:" + pbx.port()), ok::toString);
  }

  /**
   * A DID route (registered = true, dial = the PBX's AOR): a call to one of the PBX's numbers
   * reaches the Contact the PBX registered, with the called number as the Request-URI user.
   */
  @Test
  void aCallToANumberReachesThePbxThatRegistered() throws Exception {
    Response challenge = pbx.register(registrar, "udp", 600L, pbx.contactValue(""));
    assertEquals(200, pbx.registerWith(List.of(answer(challenge, "pbx", "pbx-secret")), registrar, "udp", 600L,
        pbx.contactValue("")).getStatusCode(), pbx::describe);
    pbx.onInvite(Script.answer(Duration.ZERO, "v=0\r\no=pbx 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
        + "t=0 0\r\nm=audio 50000 RTP/AVP 0\r\n"));
    OutgoingCall call = alice.invite("sip:+442079460123@" + registrar.substring(4), "udp",
        "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n");
    IncomingCall legB = pbx.awaitIncoming(Duration.ofSeconds(5));
    assertEquals("sip:+442079460123@127.0.0.1:" + pbx.port(), legB.invite().getRequestURI().toString());
    assertEquals(200, call.awaitFinal(Duration.ofSeconds(5)).getStatusCode(), SipUa::ladders);
    legB.awaitAck(Duration.ofSeconds(5));
    call.bye();
    legB.awaitBye(Duration.ofSeconds(5));
    // A number of the PBX's range it is not registered for would get 480; one outside the range, 404.
    OutgoingCall unrouted = alice.invite("sip:+449999@" + registrar.substring(4), "udp", null);
    assertEquals(404, unrouted.awaitFinal(Duration.ofSeconds(5)).getStatusCode());
  }

  /** Right credentials of another account: 403, nothing bound. */
  @Test
  void anAccountRegistersOnlyItsOwnAddressOfRecord() throws Exception {
    Response challenge = pbx.register(registrar, "udp", 600L, pbx.contactValue(";x=mallory"));
    Response refused = pbx.registerWith(List.of(answer(challenge, "mallory", "mallory-secret")), registrar, "udp",
        600L, pbx.contactValue(";x=mallory"));
    assertEquals(403, refused.getStatusCode(), pbx::describe);
  }

  /** A wrong password: 403. */
  @Test
  void wrongPasswordIsRefused() throws Exception {
    Response challenge = mallory.register(registrar, "udp", 600L, mallory.contactValue(""));
    Response refused = mallory.registerWith(List.of(answer(challenge, "mallory", "guess")), registrar, "udp", 600L,
        mallory.contactValue(""));
    assertEquals(403, refused.getStatusCode(), mallory::describe);
  }
}
