package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.call.CallKey;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sip.header.RetryAfterHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin HTTP API against a running Tandem over loopback: alice (JAIN-SIP) calls carrier
 * one through Tandem, and the test drives the API with {@link HttpClient}.
 */
class AdminEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  private static final String ANSWER = "v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  private static SipUa alice;
  private static SipUa one;
  private static Server server;
  private static String admin;
  private static final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    one = SipUa.start("one");
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.admin { enabled = true, port = 0 }
        tandem.routing {
          retry-after = 7s
          carriers { one { address = "127.0.0.1", port = %d, max-calls = 5 } }
          routes = [ { name = all, carriers = [one] } ]
        }
        """.formatted(one.port())), "test"));
    InetSocketAddress at = server.adminAddress().orElseThrow();
    assertEquals("127.0.0.1", at.getAddress().getHostAddress());
    admin = "http://127.0.0.1:" + at.getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    alice.close();
    one.close();
  }

  @BeforeEach
  void reset() {
    alice.reset();
    one.reset();
  }

  @AfterEach
  void undrain() throws Exception {
    send("POST", "/drain/cancel");
    awaitNoCall();
  }

  /** The Call actors stop once both legs are over (their transactions wait out RFC timers). */
  private static void awaitNoCall() throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (ServerProbes.calls(server) > 0 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(0, ServerProbes.calls(server), SipUa::ladders);
  }

  private static HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create(admin + path)).timeout(WAIT)
        .method(method, HttpRequest.BodyPublishers.noBody()).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void assertStatus(int status, HttpResponse<String> response) {
    assertEquals(status, response.statusCode(), response::body);
  }

  /** An answered call from alice through Tandem to one, ACKed on both legs. */
  private static IncomingCall[] legB = new IncomingCall[1];

  private static OutgoingCall answeredCall() throws Exception {
    one.onInvite(Script.answer(Duration.ZERO, ANSWER));
    OutgoingCall call = alice.invite("sip:bob@127.0.0.1:" + ServerProbes.port(server, TransportProtocol.UDP), "udp", OFFER);
    legB[0] = one.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB[0].awaitAck(WAIT);
    return call;
  }

  @Test
  void healthReadyCarriersAndReload() throws Exception {
    HttpResponse<String> health = send("GET", "/health");
    assertStatus(200, health);
    assertTrue(health.body().contains("\"status\":\"up\""), health.body());
    assertEquals("application/json", health.headers().firstValue("Content-Type").orElse(""));
    assertStatus(200, send("GET", "/ready"));
    assertEquals("{\"calls\":0,\"maxCalls\":10000,\"carriers\":[{\"name\":\"one\",\"calls\":0,\"maxCalls\":5,\"up\":true}]}",
        send("GET", "/carriers").body());
    HttpResponse<String> reload = send("POST", "/reload");
    assertStatus(422, reload); // this server runs on settings given in code: no file to read again
    assertTrue(reload.body().contains("no file to reload"), reload.body());
    assertStatus(404, send("GET", "/nothing"));
    assertStatus(405, send("PUT", "/health"));
  }

  /**
   * DELETE /calls/{key} on an answered call: BYE to alice and to one, each answered 200, and
   * the call gone from Tandem.
   */
  @Test
  void anAnsweredCallIsListedAndHungUp() throws Exception {
    OutgoingCall call = answeredCall();
    String key = CallKey.ofLegA(call.callId()).value();

    HttpResponse<String> list = send("GET", "/calls");
    assertStatus(200, list);
    assertTrue(list.body().contains("\"key\":\"" + key + "\",\"callId\":\"" + call.callId()
        + "\",\"state\":\"answered\",\"carrier\":\"one\""), list.body());
    assertTrue(send("GET", "/carriers").body().contains("{\"name\":\"one\",\"calls\":1,\"maxCalls\":5,\"up\":true}"));
    HttpResponse<String> one_ = send("GET", "/calls/" + key);
    assertStatus(200, one_);
    assertTrue(one_.body().contains("\"answeredAt\":\"20"), one_.body());
    assertStatus(404, send("GET", "/calls/0123456789abcdef"));
    assertStatus(404, send("GET", "/calls/not-a-key"));

    assertStatus(202, send("DELETE", "/calls/" + key));
    call.awaitLadder(WAIT, "-> INVITE", "<- 100 Trying", "<- 180 Ringing", "<- 200 OK", "-> ACK", "<- BYE", "-> 200 OK");
    legB[0].awaitLadder(WAIT, "<- INVITE", "-> 180 Ringing", "-> 200 OK", "<- ACK", "<- BYE", "-> 200 OK");
    awaitNoCall();
    assertEquals("{\"calls\":[]}", send("GET", "/calls").body());
    assertStatus(404, send("DELETE", "/calls/" + key));
  }

  /** POST /drain: a new INVITE gets 503 with Retry-After, the call up goes on until its BYE. */
  @Test
  void drainingRefusesNewCallsAndKeepsTheOnesUp() throws Exception {
    OutgoingCall call = answeredCall();
    HttpResponse<String> drain = send("POST", "/drain");
    assertStatus(200, drain);
    assertEquals("{\"draining\":true,\"activeCalls\":1}", drain.body());
    assertEquals(drain.body(), send("GET", "/drain").body());
    assertStatus(503, send("GET", "/ready"));

    OutgoingCall refused = alice.invite("sip:bob@127.0.0.1:" + ServerProbes.port(server, TransportProtocol.UDP),
        "udp", OFFER);
    Response busy = refused.awaitFinal(WAIT);
    assertEquals(503, busy.getStatusCode(), SipUa::ladders);
    RetryAfterHeader retryAfter = (RetryAfterHeader) busy.getHeader(RetryAfterHeader.NAME);
    assertNotNull(retryAfter, busy::toString);
    assertEquals(7, retryAfter.getRetryAfter());

    // The call up is untouched: its BYE still crosses.
    call.bye();
    legB[0].awaitBye(WAIT);
    call.awaitResponse(Request.BYE, 200, WAIT);
    assertEquals(1, one.received(Request.INVITE).size(), "the refused call never reached the carrier");
    awaitNoCall(); // the call ends once Tandem has the carrier's 200 to its BYE

    assertEquals("{\"draining\":false,\"activeCalls\":0}", send("POST", "/drain/cancel").body());
    assertStatus(200, send("GET", "/ready"));
  }
}
