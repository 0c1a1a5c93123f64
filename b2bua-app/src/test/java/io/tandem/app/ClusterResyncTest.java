package io.tandem.app;

import io.tandem.call.CallKey;
import io.tandem.call.CallState;
import io.tandem.call.CallStore;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node that joins while another holds many calls gets a copy of every one of them: more
 * than Pekko's outbound queue to it holds (3,072 messages; what does not fit is dropped), and
 * with a digest of their keys larger than Artery's largest frame (256 KiB; a larger message is
 * dropped) that must not make the new node drop its copies. Then the calls end, and the new
 * node keeps nothing of them.
 */
class ClusterResyncTest {
  /** Past the outbound queue, and past one frame's worth of keys in a digest (about 19 bytes each). */
  private static final int CALLS = 16_000;

  @Test
  void aNodeThatJoinsGetsACopyOfEveryCallAndKeepsItThroughTheDigests() throws Exception {
    try (TestCluster cluster = TestCluster.start(1, """
            tandem.cluster.housekeeping-interval = 1s
            tandem.routing { carriers { c { address = "127.0.0.1", port = 9 } }, routes = [ { name = all, carriers = [c] } ] }
            """, Duration.ofSeconds(30))) {
      CallStore store = cluster.nodes.get(0).cluster().orElseThrow().store();
      List<CallKey> keys = new ArrayList<>(CALLS);
      for (int i = 0; i < CALLS; i++) {
        CallState ringing = ringing("resync-" + i + "@192.0.2.1");
        keys.add(ringing.key());
        store.save(ringing).toCompletableFuture().join(); // no other node yet: kept at once
      }

      int late = cluster.join(Duration.ofSeconds(30));
      TestCluster.await("every call copied to the node that joined", Duration.ofSeconds(60),
          () -> copies(cluster, late) == CALLS);
      Thread.sleep(3_000); // three digests, each in parts: none drops a copy
      TestCluster.await("every copy still there", Duration.ofSeconds(1), () -> copies(cluster, late) == CALLS);

      for (int i = 0; i < keys.size(); i++) {
        store.remove(keys.get(i));
        if (i % 500 == 499) {
          Thread.sleep(20); // calls end one by one, not all in one instant
        }
      }
      TestCluster.await("no copy of a call that is over", Duration.ofSeconds(30), () -> copies(cluster, late) == 0);
    }
  }

  private static int copies(TestCluster cluster, int node) {
    return cluster.nodes.get(node).cluster().orElseThrow().replication().get("copiesOfOtherNodes");
  }

  /** A ringing call's state, as a node keeps it before its leg-B INVITE goes. */
  private static CallState ringing(String callId) {
    CallState.Ringing ringing = new CallState.Ringing("INVITE sip:bob@192.0.2.9 SIP/2.0\r\n\r\n",
        TransportProtocol.UDP, new InetSocketAddress("192.0.2.1", 5060), 1);
    return new CallState(CallKey.ofLegA(callId), callId, false, true, "INVITE sip:bob@x SIP/2.0\r\n\r\n",
        "all", "REFUSE", "<sip:alice@192.0.2.1>", null, 1, "c", TransportProtocol.UDP,
        new InetSocketAddress("127.0.0.1", 9), null, "<sip:bob@192.0.2.9>", null,
        System.currentTimeMillis(), 0, 0, "UDP:192.0.2.1:5060", "alice", "bob", "alice", "bob", "ta", ringing, null);
  }
}
