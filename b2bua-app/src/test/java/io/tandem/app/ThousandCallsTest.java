package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.call.CallManager;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.TransportProtocol;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

/**
 * A thousand complete calls (INVITE, 180, 200, ACK, BYE, 200 on both legs) through one server,
 * ten at a time: once the RFC timers have run (T1 = 100 ms: 64*T1 = 6.4 s) no Call, no leg, no
 * transaction actor and no transaction record is left (DESIGN section 7: nothing outlives its
 * call).
 */
class ThousandCallsTest {
  private static final int CALLS = 1_000;
  private static final int AT_ONCE = 10;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  private static final String ANSWER = "v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  @Test
  void aThousandCallsLeaveNoActorBehind() throws Exception {
    try (SipUa alice = SipUa.start("alice"); SipUa carrier = SipUa.start("carrier")) {
      carrier.onInvite(Script.answer(Duration.ZERO, ANSWER));
      Server server = Server.start(Settings.of(ConfigFactory.parseString("""
          tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
          tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
          tandem.routing {
            carriers { c { address = "127.0.0.1", port = %d } }
            routes = [ { name = all, carriers = [c] } ]
          }
          """.formatted(carrier.port())), "test"));
      ExecutorService callers = Executors.newFixedThreadPool(AT_ONCE);
      try {
        int port = ServerProbes.port(server, TransportProtocol.UDP);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < CALLS; i++) {
          int n = i;
          results.add(callers.submit(() -> {
            OutgoingCall call = alice.invite("sip:bob" + n + "@127.0.0.1:" + port, "udp", OFFER);
            int status = call.awaitFinal(WAIT).getStatusCode();
            call.bye();
            call.awaitResponse(Request.BYE, 200, WAIT);
            return status;
          }));
        }
        int answered = 0;
        for (Future<Integer> result : results) {
          answered += result.get(60, TimeUnit.SECONDS) == 200 ? 1 : 0;
        }
        assertEquals(CALLS, answered, "every call answered");

        // The calls' actors stop with their calls; their transactions' records last 64*T1
        // (6.4 s here) after the last final. Then nothing at all is left.
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (!ServerProbes.actors(server).equals(new CallManager.ActorCount(0, 0)) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        TransactionLayer.TransactionCount lingering = ServerProbes.transactions(server);
        assertEquals(new CallManager.ActorCount(0, 0), ServerProbes.actors(server), "no Call or leg actor left");
        assertEquals(lingering.clientRecords(), lingering.client(), "no client transaction actor left: " + lingering);
        assertTrue(lingering.server() + lingering.clientRecords() > 0, "only records linger, a while: " + lingering);
        ServerProbes.awaitIdle(server, Duration.ofSeconds(20));
      } finally {
        callers.shutdownNow();
        server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }
}
