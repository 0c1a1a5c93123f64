package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.TransportProtocol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload: a server started from a file, the file rewritten, the routes reloaded for new
 * calls while a call up keeps its own; a file that does not check is refused (path and line)
 * and the running routes stay; a change on disk is picked up by the watcher.
 */
class ReloadEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String SDP = "v=0\r\no=a 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      + "m=audio 40000 RTP/AVP 0\r\n";

  @TempDir
  static Path dir;
  private static Path file;
  private static SipUa alice;
  private static SipUa one;
  private static SipUa two;
  private static Server server;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    one = SipUa.start("one");
    two = SipUa.start("two");
    file = dir.resolve("tandem.conf");
    write("one");
    server = Server.start(Settings.load(file));
    port = ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    alice.close();
    one.close();
    two.close();
  }

  /** The configuration routing every call to {@code carrier} (its lines counted by the test). */
  private static void write(String route) throws Exception {
    write("""
        tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = %d }]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.reload.watch-interval = 200ms
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d }
            two { address = "127.0.0.1", port = %d }
          }
          routes = [{ name = all, carriers = [%s] }]
        }
        """.formatted(port, one.port(), two.port(), route), true);
  }

  private static void write(String text, boolean bumpTime) throws Exception {
    Files.writeString(file, text);
    // A second rewrite within the file system's clock tick must still look changed.
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(bumpTime ? counter++ : 0)));
  }

  private static int counter = 1;

  private record Up(OutgoingCall call, IncomingCall legB) {}

  private static Up callTo(SipUa carrier) throws Exception {
    carrier.onInvite(Script.answer(Duration.ZERO, SDP));
    OutgoingCall call = alice.invite("sip:bob@127.0.0.1:" + port, "udp", SDP);
    IncomingCall legB = carrier.awaitIncoming(WAIT);
    legB.awaitAck(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    return new Up(call, legB);
  }

  private static void hangUp(Up up) throws Exception {
    up.call().bye();
    up.legB().awaitBye(WAIT);
  }

  @Test
  void reloadChangesRoutingForNewCallsOnly() throws Exception {
    Up before = callTo(one);

    write("two");
    assertInstanceOf(RoutingReloader.Result.Reloaded.class, server.reload());
    Up after = callTo(two);

    // The call that started under the old routes still works: its BYE reaches carrier one.
    hangUp(before);
    hangUp(after);

    // A route naming an unknown carrier: refused, naming the key; calls still go to two.
    write("three");
    RoutingReloader.Result refused = server.reload();
    assertInstanceOf(RoutingReloader.Result.Refused.class, refused);
    String reason = ((RoutingReloader.Result.Refused) refused).reason();
    assertTrue(reason.contains("tandem.routing.routes[0].carriers") && reason.contains("three"), reason);

    // A file that does not parse: refused with its file and line.
    write("tandem.routing {\n  routes = [\n  { name = broken\n", true);
    refused = server.reload();
    reason = ((RoutingReloader.Result.Refused) refused).reason();
    assertTrue(reason.contains("tandem.conf") && reason.matches("(?s).*: ?[0-9]+:.*"), reason);
    hangUp(callTo(two));

    // The watcher: a valid file written back is picked up without asking.
    one.reset();
    write("one");
    long deadline = System.nanoTime() + WAIT.toNanos();
    boolean toOne = false;
    while (!toOne && System.nanoTime() < deadline) {
      Thread.sleep(300);
      // Both carriers answer before the probe goes: its INVITE may reach one before the next line runs.
      one.onInvite(Script.answer(Duration.ZERO, SDP));
      two.onInvite(Script.answer(Duration.ZERO, SDP));
      OutgoingCall probe = alice.invite("sip:bob@127.0.0.1:" + port, "udp", SDP);
      probe.awaitFinal(WAIT);
      toOne = !one.received(Request.INVITE).isEmpty();
      probe.bye();
      probe.awaitResponse(Request.BYE, 200, WAIT);
    }
    assertTrue(toOne, "the watcher reloaded the rewritten file\n" + SipUa.ladders());
  }
}
