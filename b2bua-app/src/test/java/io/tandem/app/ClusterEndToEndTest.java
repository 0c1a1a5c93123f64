package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.cluster.ClusterCounters;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three Tandem nodes in one JVM (three actor systems on loopback, each with its own UDP
 * port), one cluster: SIP messages of one call that reach different nodes are one call, on
 * the node that owns it; a TCP caller is answered over its own connection, whichever node
 * holds the call; a PBX registered through one node is called from the others; a carrier's
 * max-calls holds for the cluster; and responses to a node's own OPTIONS probes find it from
 * any node.
 */
class ClusterEndToEndTest {
  private static final String ANSWER = "v=0\r\no=raw 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";
  private static final Duration FORMED = Duration.ofSeconds(30);

  private static TestCluster cluster;
  private static List<Server> nodes;
  private static RawPeer carrier;
  private static RawPeer watched;

  @BeforeAll
  static void start() throws Exception {
    carrier = new RawPeer();
    watched = new RawPeer();
    // The carrier "watched" is on no route: only its OPTIONS probes (one per node) reach it.
    cluster = TestCluster.start(3, """
        tandem.registrar { enabled = true, authenticate = false }
        tandem.routing {
          carriers {
            raw { address = "127.0.0.1", port = %d }
            limited { address = "127.0.0.1", port = %d, max-calls = 1 }
            watched {
              address = "127.0.0.1", port = %d
              health { interval = 200ms, timeout = 300ms, down-after = 1, up-after = 1 }
            }
          }
          routes = [
            { name = pbx, match-user-prefix = "pbx", registered = true }
            { name = lim, match-user-prefix = "lim", carriers = [limited] }
            { name = all, carriers = [raw] }
          ]
        }
        tandem.cluster.limits-publish-interval = 50ms
        """.formatted(carrier.port(), carrier.port(), watched.port()), FORMED);
    nodes = cluster.nodes;
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
    carrier.close();
    watched.close();
  }

  /**
   * <pre>
   * caller       node 0        owner (Call)        node o+1, o+2        carrier
   *   |--INVITE--->|--by call key-->|--INVITE------------------------------>|
   *   |            |                |<--by call key--|<---------180 (to o+1)|
   *   |<------------------------180-|<--by call key--|<---------200 (to o+2)|
   *   |<------------------------200-|--ACK----------------------------------->|
   *   |--ACK (to node 1), BYE (to node 2): each reaches the owner----------->BYE
   *   |<------------------------200-|<--by call key--|<-----200 BYE (to o+1)|
   * </pre>
   */
  @Test
  void aCallWhoseMessagesArriveAtDifferentNodesIsOneCall() throws Exception {
    try (RawPeer caller = new RawPeer()) {
      caller.invite(port(0), "spread-" + System.nanoTime() + "@127.0.0.1");
      RawMessage invite = carrier.receive("INVITE");
      int owner = nodeAt(invite.from().getPort());
      assertEquals(1, totalCalls(), "one call in the cluster");
      assertEquals(1, ServerProbes.calls(nodes.get(owner)), "on the node that sent its INVITE");

      carrier.replyTo(address((owner + 1) % 3), invite, "180 Ringing", "", "");
      caller.receive("SIP/2.0 180");
      carrier.replyTo(address((owner + 2) % 3), invite, "200 OK",
          carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      RawMessage ok = caller.receive("SIP/2.0 200");
      carrier.receive("ACK");
      // the admin API: the call on its node's /calls, named by that node; three members Up
      String calls = admin(owner, "/calls");
      assertTrue(calls.contains("\"state\":\"answered\"") && calls.contains("\"node\":\""
          + nodes.get(owner).cluster().orElseThrow().self() + "\""), calls);
      // and on another node's, under otherNodes, from its copy of the call's state
      String ownerAddress = nodes.get(owner).cluster().orElseThrow().self();
      await("the call listed by another node", Duration.ofSeconds(5), () -> {
        String elsewhere = admin((owner + 2) % 3, "/calls");
        return elsewhere.contains("\"otherNodes\":[{") && elsewhere.contains("\"node\":\"" + ownerAddress + "\"");
      });
      String cluster = admin((owner + 1) % 3, "/cluster");
      assertEquals(3, cluster.split("\"status\":\"Up\"", -1).length - 1, cluster);

      caller.ack(ok, port(1));
      caller.bye(ok, port(2));
      RawMessage bye = carrier.receive("BYE");
      assertEquals(invite.header("Call-ID"), bye.header("Call-ID"), "the same leg B");
      assertEquals(owner, nodeAt(bye.from().getPort()), "the BYE comes from the call's node");
      carrier.replyTo(address((owner + 1) % 3), bye, "200 OK", "", "");
      RawMessage byeOk = caller.receive("SIP/2.0 200");
      while (byeOk.header("CSeq").endsWith("INVITE")) { // the 2xx again, sent before the ACK reached the call
        byeOk = caller.receive("SIP/2.0 200");
      }
      assertTrue(byeOk.header("CSeq").endsWith("BYE"), byeOk.text());

      await("the call ends on its node", Duration.ofSeconds(5), () -> totalCalls() == 0);
      long handedOn = 0;
      for (int i = 0; i < 3; i++) {
        if (i != owner) {
          handedOn += counters(i).toOwner();
        }
      }
      assertTrue(handedOn >= 3, "the 180, 200 and BYE's 200 at least went to the owner: " + handedOn);
      assertEquals(0, nodes.stream().mapToLong(n -> n.cluster().orElseThrow().counters().undeliverable()).sum());

      // what the metrics read (tandem_cluster_members, tandem_cluster_shards)
      assertEquals(Map.of("Up", 3L, "unreachable", 0L), nodes.get(1).cluster().orElseThrow().membersByStatus());
      int ownersShards = nodes.get(owner).cluster().orElseThrow().localShards(Duration.ofSeconds(3))
          .toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertTrue(ownersShards >= 1, "the call's shard is on its owner: " + ownersShards);
    }
  }

  /**
   * A caller on a TCP connection to node 0, for a call node 0 does not own: everything the
   * call sends it (100, 200, the BYE the carrier asks for) comes over that connection, written
   * by node 0 for the owner; the carrier's UDP messages reach the owner from other nodes.
   */
  @Test
  void aTcpCallerIsAnsweredOverItsConnectionWhicheverNodeHoldsTheCall() throws Exception {
    String callId = callIdNotOwnedBy(0);
    try (RawTcpPeer caller = new RawTcpPeer(nodes.get(0).listening().get(1).address().getPort())) {
      caller.invite(callId);
      RawMessage invite = carrier.receive("INVITE");
      int owner = nodeAt(invite.from().getPort());
      assertNotEquals(0, owner);
      caller.receive("SIP/2.0 100");
      carrier.replyTo(address((owner + 1) % 3), invite, "200 OK",
          carrier.contact() + "Content-Type: application/sdp\r\n", ANSWER);
      carrier.receive("ACK");
      RawMessage ok = caller.receive("SIP/2.0 200");
      caller.ack(ok, callId);

      // The carrier hangs up, towards yet another node; the BYE on leg A comes over TCP.
      String tandem = invite.header("Contact").replaceAll("^<|>.*$", "");
      carrier.send("BYE " + tandem + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + carrier.port() + ";branch=z9hG4bK-cbye" + callId.hashCode() + "\r\n"
          + "Max-Forwards: 70\r\nFrom: " + invite.header("To") + ";tag=raw-b\r\nTo: " + invite.header("From") + "\r\n"
          + "Call-ID: " + invite.header("Call-ID") + "\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n",
          address((owner + 2) % 3));
      RawMessage bye = caller.receive("BYE");
      assertEquals(callId, bye.header("Call-ID"));
      caller.ok(bye);
      carrier.receive("SIP/2.0 200");
      await("the call ends on its node", Duration.ofSeconds(5), () -> totalCalls() == 0);
      assertTrue(counters(0).written() >= 3, "node 0 wrote 100, 200 and BYE: " + counters(0).written());
    }
  }

  /**
   * A PBX registers through node 0; its binding reaches every node, and a call that another
   * node owns reaches the PBX.
   */
  @Test
  void aPbxRegisteredThroughOneNodeIsCalledFromAnother() throws Exception {
    try (RawPeer pbx = new RawPeer(); RawPeer caller = new RawPeer()) {
      pbx.send("REGISTER sip:127.0.0.1 SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + pbx.port() + ";branch=z9hG4bK-reg1;rport\r\n"
          + "Max-Forwards: 70\r\nFrom: <sip:pbx1@127.0.0.1>;tag=r1\r\nTo: <sip:pbx1@127.0.0.1>\r\n"
          + "Call-ID: register-pbx1@127.0.0.1\r\nCSeq: 1 REGISTER\r\n"
          + "Contact: <sip:pbx1@127.0.0.1:" + pbx.port() + ">\r\nExpires: 60\r\nContent-Length: 0\r\n\r\n", address(0));
      pbx.receive("SIP/2.0 200");
      await("the binding on every node", Duration.ofSeconds(10), () -> nodes.stream()
          .allMatch(n -> n.location().orElseThrow().bindings("pbx1").size() == 1));

      String callId = callIdNotOwnedBy(0);
      String invite = caller.inviteText(port(0), callId).replace("sip:bob@", "sip:pbx1@");
      caller.send(invite, address(0));
      RawMessage atPbx = pbx.receive("INVITE");
      assertNotEquals(0, nodeAt(atPbx.from().getPort()), "placed by the call's owner, not the registrar's node");
      assertTrue(atPbx.text().startsWith("INVITE sip:pbx1@127.0.0.1:" + pbx.port()), atPbx.text());
      pbx.reply(atPbx, "486 Busy Here", "", "");
      pbx.receive("ACK");
      RawMessage busy = caller.receive("SIP/2.0 486");
      String head = invite.substring(0, invite.indexOf("Contact:"));
      caller.send(head.replaceFirst("^INVITE", "ACK").replace("CSeq: 1 INVITE", "CSeq: 1 ACK")
          .replace("To: <sip:pbx1@127.0.0.1>", "To: " + busy.header("To")) + "Content-Length: 0\r\n\r\n", address(0));
      await("the call ends", Duration.ofSeconds(5), () -> totalCalls() == 0);
    }
  }

  /**
   * The carrier "limited" takes one call at a time in the whole cluster: while one node's call
   * rings there, a call another node owns skips it, and with no other carrier on its route the
   * caller gets 500 (a carrier at its limit counts as a 503, which a B2BUA does not relay as
   * such: RFC 3261 section 16.7 step 6).
   */
  @Test
  void aCarriersCallLimitIsTheClustersNotEachNodes() throws Exception {
    try (RawPeer first = new RawPeer(); RawPeer second = new RawPeer()) {
      String one = "lim-a-" + System.nanoTime() + "@127.0.0.1";
      first.invite(port(0), one, "lim1");
      RawMessage ringing = carrier.receive("INVITE");
      int owner = nodeAt(ringing.from().getPort());
      carrier.reply(ringing, "180 Ringing", "", "");
      first.receive("SIP/2.0 180");
      int other = (owner + 1) % 3;
      await("every other node sees the call on node " + owner, Duration.ofSeconds(5), // the second call's
          () -> nodes.stream().filter(n -> n != nodes.get(owner)) // owner may be either of them
              .allMatch(n -> n.cluster().orElseThrow().callsElsewhere() >= 1));

      String two = callIdNotOwnedBy(owner);
      second.invite(port(other), two, "lim2");
      RawMessage refused = second.receive("SIP/2.0 500");
      assertEquals(two, refused.header("Call-ID"));
      second.ackFinal(refused, port(other));

      first.cancelLastInvite(port(0));
      carrier.replyToCancelAndInvite();
      await("the calls end", Duration.ofSeconds(5), () -> totalCalls() == 0);
    }
  }

  /**
   * Each node probes the carrier "watched" with OPTIONS; it answers every probe to another
   * node than the one that sent it. The response reaches the prober all the same, so the
   * carrier stays up everywhere (down-after = 1: one lost response would take it down).
   */
  @Test
  void aProbeAnsweredToAnotherNodeReachesTheProber() throws Exception {
    List<Integer> probers = new ArrayList<>();
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < until) {
      RawMessage options = watched.receive("OPTIONS");
      int prober = nodeAt(options.from().getPort());
      probers.add(prober);
      watched.replyTo(address((prober + 1) % 3), options, "200 OK", "", "");
    }
    assertTrue(probers.containsAll(List.of(0, 1, 2)), "every node probes: " + probers);
    for (int i = 0; i < 3; i++) {
      assertTrue(nodes.get(i).carrierHealth().isUp("watched"), "up on node " + i);
      assertNotEquals(0, counters((i + 1) % 3).toOtherNodes(), "offered on by node " + (i + 1) % 3);
    }
  }

  /**
   * A Call-ID whose call key the node {@code node} does not own: a BYE for no dialog with
   * that Call-ID, sent to node 0, is answered 481 by the key's owner, from its own socket.
   */
  private static String callIdNotOwnedBy(int node) throws Exception {
    try (RawPeer prober = new RawPeer()) {
      for (int i = 0; i < 30; i++) {
        String callId = "tcp-" + i + "-" + System.nanoTime() + "@127.0.0.1";
        prober.send("BYE sip:bob@127.0.0.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:" + prober.port() + ";branch=z9hG4bK-probe" + i + "\r\n"
            + "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=p\r\nTo: <sip:bob@127.0.0.1>;tag=q\r\n"
            + "Call-ID: " + callId + "\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n", address(0));
        if (nodeAt(prober.receive("SIP/2.0 481").from().getPort()) != node) {
          return callId;
        }
      }
    }
    throw new AssertionError("node " + node + " owns every key tried");
  }

  private static String admin(int node, String path) throws Exception {
    InetSocketAddress at = nodes.get(node).adminAddress().orElseThrow();
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + at.getPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static ClusterCounters counters(int node) {
    return nodes.get(node).cluster().orElseThrow().counters();
  }


  private static int totalCalls() throws Exception {
    return cluster.totalCalls();
  }


  private static int port(int node) {
    return cluster.port(node);
  }


  private static InetSocketAddress address(int node) {
    return cluster.address(node);
  }


  private static int nodeAt(int udpPort) {
    return cluster.nodeAt(udpPort);
  }


  private static void await(String what, Duration within, TestCluster.Check condition) throws Exception {
    TestCluster.await(what, within, condition);
  }
}
