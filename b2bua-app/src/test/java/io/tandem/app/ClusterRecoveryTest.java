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
 * Calls survive their node: three nodes in one JVM, three calls on one node (one answered,
 * two ringing), that node stopped. The living nodes bring the three calls back from their
 * replicated state by themselves, and each goes on as if nothing happened: the answered one
 * is hung up by its caller; each ringing one's INVITE goes again from its new node (to the
 * carrier, a retransmission); the carrier answers the first late (and later hangs it up), the
 * caller of the second cancels it; every message on both legs as RFC 3261 wants it.
 */
class ClusterRecoveryTest {
  private static final String ANSWER = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";

  /** One call: its caller and leg B's INVITE as the carrier got it. */
  private record Placed(RawPeer caller, RawMessage legB) {}

  @Test
  void answeredAndRingingCallsGoOnWhenTheirNodeStops() throws Exception {
    List<RawPeer> callers = new ArrayList<>();
    try (RawPeer carrier = new RawPeer();
        TestCluster cluster = TestCluster.start(3, """
            tandem.routing {
              carriers { raw { address = "127.0.0.1", port = %d } }
              routes = [ { name = all, carriers = [raw] } ]
            }
            """.formatted(carrier.port()), Duration.ofSeconds(30))) {
      // Ringing calls, through node 0, until three are on one node.
      Map<Integer, List<Placed>> byOwner = new HashMap<>();
      int placed = 0;
      int owner = -1;
      while (owner < 0) {
        assertTrue(placed < 10, "three of ten calls on one node");
        RawPeer caller = new RawPeer();
        callers.add(caller);
        caller.invite(cluster.port(0), "kept-" + placed++ + "-" + System.nanoTime() + "@127.0.0.1");
        RawMessage invite = carrier.receive("INVITE");
        carrier.reply(invite, "180 Ringing", "", "");
        caller.receive("SIP/2.0 180");
        List<Placed> on = byOwner.computeIfAbsent(cluster.nodeAt(invite.from().getPort()), n -> new ArrayList<>());
        on.add(new Placed(caller, invite));
        if (on.size() == 3) {
          owner = cluster.nodeAt(invite.from().getPort());
        }
      }
      int calls = placed;
      Placed answered = byOwner.get(owner).get(0);
      Placed late = byOwner.get(owner).get(1);
      Placed cancelled = byOwner.get(owner).get(2);
      carrier.reply(answered.legB(), "200 OK", carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      RawMessage ok = answered.caller().receive("SIP/2.0 200");
      answered.caller().ack(ok, cluster.port(0));
      carrier.receive("ACK");
      assertEquals(calls, cluster.totalCalls());

      cluster.stop(owner);
      // Nothing is sent for any of them: the living nodes bring all three back by themselves.
      TestCluster.await("the calls back on the living nodes", Duration.ofSeconds(20),
          () -> cluster.totalCalls() == calls);
      int one = (owner + 1) % 3;
      int two = (owner + 2) % 3;
      // The answered call came back soon after its answer, within 64*T1 when the stop is quick:
      // its new node then sends the caller its 2xx again (InviteAgainTest), which it ACKs.
      answered.caller().ackOkAgain(Duration.ofSeconds(1), cluster.port(one));
      // Each ringing call's INVITE comes again, from its new node (the same request: the same
      // branch), once two T2s have passed with no response from the carrier; the carrier's server
      // transaction answers it with its last provisional again. (Over UDP it may come more
      // than once before the 180 reaches the new node: Timer A.)
      java.util.Set<String> expected = java.util.Set.of(late.legB().header("Via"), cancelled.legB().header("Via"));
      java.util.Set<String> again = new java.util.HashSet<>();
      for (int i = 0; i < 12 && !again.equals(expected); i++) {
        RawMessage invite = carrier.receive("INVITE");
        assertNotEquals(owner, cluster.nodeAt(invite.from().getPort()));
        carrier.reply(invite, "180 Ringing", "", "");
        again.add(invite.header("Via"));
      }
      assertEquals(expected, again, "the two ringing calls' INVITEs, as they first went");

      // The answered call: its caller hangs up, towards one of the living nodes.
      answered.caller().bye(ok, cluster.port(one));
      RawMessage bye = carrier.receive("BYE");
      assertEquals(answered.legB().header("Call-ID"), bye.header("Call-ID"), "the same leg B");
      assertNotEquals(owner, cluster.nodeAt(bye.from().getPort()));
      assertEquals(answered.legB().header("From"), bye.header("From"), "Tandem's side of leg B as it was");
      long cseq = Long.parseLong(bye.header("CSeq").split(" ")[0]);
      assertTrue(cseq > Long.parseLong(answered.legB().header("CSeq").split(" ")[0]), "CSeq moved on: " + cseq);
      carrier.replyTo(cluster.address(two), bye, "200 OK", "", "");
      RawMessage byeOk = answered.caller().receive("SIP/2.0 200");
      while (byeOk.header("CSeq").endsWith("INVITE")) {
        byeOk = answered.caller().receive("SIP/2.0 200"); // a 2xx again that crossed its ACK
      }
      assertTrue(byeOk.header("CSeq").endsWith("BYE"), byeOk.text());

      // The first ringing call: the carrier answers now, to another living node than the call's.
      carrier.replyTo(cluster.address(one), late.legB(), "200 OK",
          carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      RawMessage lateOk = late.caller().receive("SIP/2.0 200");
      assertTrue(lateOk.header("To").contains("tag="), "leg A's dialog: " + lateOk.text());
      RawMessage lateAck = carrier.receive("ACK");
      assertEquals(late.legB().header("Call-ID"), lateAck.header("Call-ID"));
      late.caller().ack(lateOk, cluster.port(two));
      String tandem = late.legB().header("Contact").replaceAll("^<|>.*$", "");
      carrier.send("BYE " + tandem + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + carrier.port() + ";branch=z9hG4bK-cbye-" + System.nanoTime() + "\r\n"
          + "Max-Forwards: 70\r\nFrom: " + late.legB().header("To") + ";tag=raw-b\r\nTo: "
          + late.legB().header("From") + "\r\nCall-ID: " + late.legB().header("Call-ID")
          + "\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n", cluster.address(one));
      RawMessage legABye = late.caller().receive("BYE");
      assertEquals(lateOk.header("Call-ID"), legABye.header("Call-ID"));
      assertEquals(lateOk.header("To"), legABye.header("From"), "Tandem's side of leg A as its 2xx gave it");
      late.caller().reply(legABye, "200 OK", "", "");
      RawMessage carrierOk = carrier.receive("SIP/2.0 200");
      assertTrue(carrierOk.header("CSeq").endsWith("BYE"), carrierOk.text());

      // The second ringing call: its caller cancels; the carrier gets the CANCEL, its 487 the ACK.
      cancelled.caller().cancelLastInvite(cluster.port(two));
      carrier.replyToCancelAndInvite();

      TestCluster.await("the three calls end", Duration.ofSeconds(5), () -> cluster.totalCalls() == calls - 3);
    } finally {
      callers.forEach(RawPeer::close);
    }
  }
}
