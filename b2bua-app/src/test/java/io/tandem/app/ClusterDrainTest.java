package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * POST /drain on a cluster node: 202, and the node leaves as SIGTERM makes it. Its answered
 * call goes on on another node (hung up there by its caller, the BYE to the same leg B); the
 * drained node stops by itself; and new calls are not refused anywhere, though a third of the
 * call keys fell in its shards (a drained node that stayed up would own them, and refuse
 * every new call whose key is one of theirs).
 */
class ClusterDrainTest {
  private static final String ANSWER = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aDrainedNodeHandsItsCallsOverAndStops() throws Exception {
    List<RawPeer> callers = new ArrayList<>();
    try (RawPeer carrier = new RawPeer();
        RawPeer caller = new RawPeer();
        TestCluster cluster = TestCluster.start(3, """
            tandem.routing {
              carriers { raw { address = "127.0.0.1", port = %d } }
              routes = [ { name = all, carriers = [raw] } ]
            }
            """.formatted(carrier.port()), Duration.ofSeconds(30))) {
      caller.invite(cluster.port(0), "drained-" + System.nanoTime() + "@127.0.0.1");
      RawMessage legB = carrier.receive("INVITE");
      int owner = cluster.nodeAt(legB.from().getPort());
      carrier.reply(legB, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      RawMessage ok = caller.receive("SIP/2.0 200");
      caller.ack(ok, cluster.port(0));
      carrier.receive("ACK");
      int living = (owner + 1) % 3;

      HttpResponse<String> drain = post(cluster.nodes.get(owner), "/drain");
      assertEquals(202, drain.statusCode(), drain.body());
      assertTrue(drain.body().contains("\"leaving\":true"), drain.body());
      assertTrue(drain.body().contains("\"activeCalls\":1"), drain.body());
      Server drained = cluster.awaitStopped(owner, Duration.ofSeconds(30));
      assertTrue(drained.stopRequested(), "stopped as asked: its process exits 0, not 3 (removed by the cluster)");
      TestCluster.await("the call back on a living node", Duration.ofSeconds(20), () -> cluster.totalCalls() == 1);

      // Back soon after its answer, the call's 2xx may come again (ClusterRecoveryTest): ACKed.
      caller.ackOkAgain(Duration.ofSeconds(1), cluster.port(living));
      caller.bye(ok, cluster.port(living));
      RawMessage bye = carrier.receive("BYE");
      assertEquals(legB.header("Call-ID"), bye.header("Call-ID"), "the same leg B");
      assertEquals(legB.header("From"), bye.header("From"), "Tandem's side of leg B as it was");
      assertNotEquals(owner, cluster.nodeAt(bye.from().getPort()));
      carrier.reply(bye, "200 OK", "", "");
      RawMessage byeOk = caller.receive("SIP/2.0 200");
      while (byeOk.header("CSeq").endsWith("INVITE")) {
        byeOk = caller.receive("SIP/2.0 200"); // a 2xx again that crossed its ACK
      }
      assertTrue(byeOk.header("CSeq").endsWith("BYE"), byeOk.text());
      TestCluster.await("the call ends", Duration.ofSeconds(5), () -> cluster.totalCalls() == 0);

      // New calls, through both living nodes: every one reaches the carrier, none is refused.
      for (int i = 0; i < 9; i++) {
        RawPeer next = new RawPeer();
        callers.add(next);
        int via = (owner + 1 + i % 2) % 3;
        next.invite(cluster.port(via), "after-" + i + "-" + System.nanoTime() + "@127.0.0.1");
        RawMessage invite = carrier.receive("INVITE");
        carrier.reply(invite, "486 Busy Here", "", "");
        RawMessage busy = next.receive("SIP/2.0 486");
        next.ackFinal(busy, cluster.port(via));
      }
      // A living node was never draining: nothing to cancel, and it is ready.
      HttpResponse<String> cancel = post(cluster.nodes.get(living), "/drain/cancel");
      assertEquals(200, cancel.statusCode(), cancel.body());
      assertTrue(cancel.body().contains("\"draining\":false"), cancel.body());
      HttpResponse<String> ready = get(cluster.nodes.get(living), "/ready");
      assertEquals(200, ready.statusCode(), ready.body());
    } finally {
      callers.forEach(RawPeer::close);
    }
  }

  private static HttpResponse<String> post(Server node, String path) throws Exception {
    return send(node, "POST", path);
  }

  private static HttpResponse<String> get(Server node, String path) throws Exception {
    return send(node, "GET", path);
  }

  private static HttpResponse<String> send(Server node, String method, String path) throws Exception {
    int port = node.adminAddress().orElseThrow().getPort();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
