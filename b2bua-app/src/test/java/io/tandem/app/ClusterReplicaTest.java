package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A node that joins the cluster gets a copy of the calls already up: two nodes, an answered
 * call on one of them, a third node joins; then both first nodes stop, the call's node last.
 * Only the node that joined after the call was answered can bring it back, and it does: the
 * caller's BYE goes through it to the carrier. Once the call is over no node keeps anything
 * of it.
 */
class ClusterReplicaTest {
  private static final String ANSWER = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  @Test
  void aNodeThatJoinsLaterBringsBackACallAnsweredBeforeIt() throws Exception {
    try (RawPeer carrier = new RawPeer();
        RawPeer caller = new RawPeer();
        TestCluster cluster = TestCluster.start(2, """
            tandem.routing {
              carriers { raw { address = "127.0.0.1", port = %d } }
              routes = [ { name = all, carriers = [raw] } ]
            }
            """.formatted(carrier.port()), Duration.ofSeconds(30))) {
      caller.invite(cluster.port(0), "replica-" + System.nanoTime() + "@127.0.0.1");
      RawMessage legB = carrier.receive("INVITE");
      int holder = cluster.nodeAt(legB.from().getPort());
      int other = 1 - holder;
      carrier.reply(legB, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      RawMessage ok = caller.receive("SIP/2.0 200");
      caller.ack(ok, cluster.port(0));
      carrier.receive("ACK");
      TestCluster.await("the call copied to the other node", Duration.ofSeconds(10),
          () -> replication(cluster, other).get("copiesOfOtherNodes") == 1);
      assertEquals(Map.of("callsWritten", 1, "copiesOfOtherNodes", 0, "replicas", 1), replication(cluster, holder));

      int late = cluster.join(Duration.ofSeconds(30));
      TestCluster.await("the call copied to the node that joined", Duration.ofSeconds(15),
          () -> replication(cluster, late).get("copiesOfOtherNodes") == 1);
      int holderPort = cluster.port(holder);
      cluster.stop(other);
      cluster.stop(holder);
      // A node that leaves closes its SIP listeners too, once its shards are handed over.
      try (DatagramSocket free = new DatagramSocket(holderPort, InetAddress.getLoopbackAddress())) {
        assertEquals(holderPort, free.getLocalPort());
      }
      TestCluster.await("the call back on the node that joined", Duration.ofSeconds(20),
          () -> cluster.totalCalls() == 1);
      assertEquals(1, replication(cluster, late).get("callsWritten"), "its call now");
      assertEquals(0, replication(cluster, late).get("copiesOfOtherNodes"));
      caller.ackOkAgain(Duration.ofSeconds(1), cluster.port(late)); // back within 64*T1 of its answer: its 2xx again

      caller.bye(ok, cluster.port(late));
      RawMessage bye = carrier.receive("BYE");
      assertEquals(legB.header("Call-ID"), bye.header("Call-ID"), "the same leg B");
      assertEquals(late, cluster.nodeAt(bye.from().getPort()));
      carrier.reply(bye, "200 OK", "", "");
      RawMessage byeOk = caller.receive("SIP/2.0 200");
      while (byeOk.header("CSeq").endsWith("INVITE")) {
        byeOk = caller.receive("SIP/2.0 200"); // a 2xx again that crossed its ACK
      }
      assertTrue(byeOk.header("CSeq").endsWith("BYE"), byeOk.text());
      TestCluster.await("the call over", Duration.ofSeconds(5), () -> cluster.totalCalls() == 0);
      assertEquals(0, replication(cluster, late).get("callsWritten"), "nothing kept of a call that is over");
    }
  }

  private static Map<String, Integer> replication(TestCluster cluster, int node) {
    return cluster.nodes.get(node).cluster().orElseThrow().replication();
  }
}
