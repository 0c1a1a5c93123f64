package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Answered calls survive their node: three nodes in one JVM, two answered calls on one node,
 * that node stopped. The others bring both calls back from their replicated state (one at
 * once, with no message for it; the other would be by its next message all the same), and
 * each call ends cleanly from the side that hangs up, on both legs.
 */
class ClusterRecoveryTest {
  private static final String ANSWER = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  /** One answered call: its caller, leg A's 2xx, leg B's INVITE. */
  private record Answered(RawPeer caller, RawMessage ok, RawMessage legB) {}

  @Test
  void answeredCallsGoOnWhenTheirNodeStops() throws Exception {
    List<RawPeer> callers = new ArrayList<>();
    try (RawPeer carrier = new RawPeer();
        TestCluster cluster = TestCluster.start(3, """
            tandem.routing {
              carriers { raw { address = "127.0.0.1", port = %d } }
              routes = [ { name = all, carriers = [raw] } ]
            }
            """.formatted(carrier.port()), Duration.ofSeconds(30))) {
      Map<Integer, List<Answered>> byOwner = new HashMap<>();
      int placed = 0;
      int owner = -1;
      while (owner < 0) {
        assertTrue(placed < 8, "two of eight calls on one node");
        RawPeer caller = new RawPeer();
        callers.add(caller);
        caller.invite(cluster.port(0), "kept-" + placed++ + "-" + System.nanoTime() + "@127.0.0.1");
        RawMessage invite = carrier.receive("INVITE");
        int node = cluster.nodeAt(invite.from().getPort());
        carrier.reply(invite, "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
        RawMessage ok = caller.receive("SIP/2.0 200");
        caller.ack(ok, cluster.port(0));
        carrier.receive("ACK");
        List<Answered> on = byOwner.computeIfAbsent(node, n -> new ArrayList<>());
        on.add(new Answered(caller, ok, invite));
        if (on.size() == 2) {
          owner = node;
        }
      }
      int calls = placed;
      assertEquals(calls, cluster.totalCalls());

      cluster.stop(owner);
      // Nothing is sent for either call: the living nodes bring both back by themselves.
      TestCluster.await("both calls back on the living nodes", Duration.ofSeconds(20),
          () -> cluster.totalCalls() == calls);
      int one = (owner + 1) % 3;
      int two = (owner + 2) % 3;

      // The first call's caller hangs up, towards one of the living nodes.
      Answered first = byOwner.get(owner).get(0);
      first.caller().bye(first.ok(), cluster.port(one));
      RawMessage bye = carrier.receive("BYE");
      assertEquals(first.legB().header("Call-ID"), bye.header("Call-ID"), "the same leg B");
      assertNotEquals(owner, cluster.nodeAt(bye.from().getPort()));
      assertEquals(first.legB().header("From"), bye.header("From"), "Tandem's side of leg B as it was");
      long cseq = Long.parseLong(bye.header("CSeq").split(" ")[0]);
      assertTrue(cseq > Long.parseLong(first.legB().header("CSeq").split(" ")[0]), "CSeq moved on: " + cseq);
      carrier.replyTo(cluster.address(two), bye, "200 OK", "", "");
      RawMessage byeOk = first.caller().receive("SIP/2.0 200");
      assertTrue(byeOk.header("CSeq").endsWith("BYE"), byeOk.text());

      // The second call's carrier hangs up: the BYE reaches its caller on leg A.
      Answered second = byOwner.get(owner).get(1);
      String tandem = second.legB().header("Contact").replaceAll("^<|>.*$", "");
      carrier.send("BYE " + tandem + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + carrier.port() + ";branch=z9hG4bK-cbye-" + System.nanoTime() + "\r\n"
          + "Max-Forwards: 70\r\nFrom: " + second.legB().header("To") + ";tag=raw-b\r\nTo: "
          + second.legB().header("From") + "\r\nCall-ID: " + second.legB().header("Call-ID")
          + "\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n", cluster.address(one));
      RawMessage legABye = second.caller().receive("BYE");
      assertEquals(second.ok().header("Call-ID"), legABye.header("Call-ID"));
      assertEquals(second.ok().header("To"), legABye.header("From"), "Tandem's side of leg A as it was");
      second.caller().reply(legABye, "200 OK", "", "");
      RawMessage carrierOk = carrier.receive("SIP/2.0 200");
      assertTrue(carrierOk.header("CSeq").endsWith("BYE"), carrierOk.text());

      TestCluster.await("the two calls end", Duration.ofSeconds(5), () -> cluster.totalCalls() == calls - 2);
    } finally {
      callers.forEach(RawPeer::close);
    }
  }
}
