package io.tandem.call;

import static io.tandem.call.RelayFixtures.ALICE;
import static io.tandem.call.RelayFixtures.ONE;
import static io.tandem.call.RelayFixtures.TANDEM;
import static io.tandem.call.RelayFixtures.fromAlice;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.tandem.routing.CallLimits;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.MediaType;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.Via;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transaction.TransactionLimits;
import io.tandem.transport.Egress;
import io.tandem.transport.Inbound;
import io.tandem.transport.Peer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What is left of a call once it is over: no actor, only its transactions' records, which
 * answer retransmissions as RFC 3261 says until their timers (64*T1 = 32 s here) expire. The
 * transaction layer and call manager are real; the transport is a probe, time is manual.
 *
 * <pre>
 *   alice          Tandem               carrier
 *   INVITE -->     100, INVITE -------->
 *                  <-------------------- 200      ACK -->
 *   <-- 200
 *   ACK -->
 *   BYE -->        200, BYE ----------->
 *                  <-------------------- 200      the call and its legs are gone
 *   (20 s later)
 *   BYE again -->  the same 200, from the BYE's record (Timer J)
 *                  <-------------------- 200 to the INVITE again
 *                  the same ACK, from the INVITE's record (Timer M)   -->
 * </pre>
 */
class LingeringRecordsTest {
  private static final ActorTestKit KIT =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime TIME = ManualTime.get(KIT.system());
  private static final Peer FROM_ALICE = Peer.udp(ALICE, TANDEM);
  private static final Peer FROM_CARRIER = Peer.udp(ONE.address(), TANDEM);
  private static final byte[] SDP = ("v=0\r\no=x 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
      + "m=audio 4000 RTP/AVP 0\r\n").getBytes(StandardCharsets.US_ASCII);

  private final TestProbe<Egress.Command> wire = KIT.createTestProbe();
  private final ActorRef<CallManager.Command> manager = KIT.spawn(CallManager.create(TimerSettings.DEFAULTS,
      TransactionLimits.DEFAULTS, wire.ref(), request -> new RoutingDecision.Route("all", List.of(ONE), HuntPolicy.DEFAULTS),
      new CallLimits(100, Map.of()), Duration.ofSeconds(5), CallSettings.DEFAULTS, p -> TANDEM,
      KIT.<TransactionEvent>createTestProbe().ref()));
  private final TransactionLayer layer = layerOf(manager);

  @AfterAll
  static void shutDown() {
    KIT.shutdownTestKit();
  }

  private static TransactionLayer layerOf(ActorRef<CallManager.Command> manager) {
    TestProbe<TransactionLayer> reply = KIT.createTestProbe();
    manager.tell(new CallManager.GetTransactions(reply.ref()));
    return reply.receiveMessage();
  }

  private <T extends Egress.Command> T next(Class<T> kind) {
    return wire.expectMessageClass(kind);
  }

  private CallManager.ActorCount actors() {
    TestProbe<CallManager.ActorCount> reply = KIT.createTestProbe();
    manager.tell(new CallManager.GetActorCount(reply.ref()));
    return reply.receiveMessage();
  }

  /** A request of alice's in the dialog Tandem's 200 made. */
  private static SipRequest inDialog(Method method, long cseq, String branch, SipResponse ok) {
    return fromAlice(method, ok.callId()).toBuilder()
        .set(HeaderName.VIA, Via.of("UDP", "192.0.2.1", 5060, Via.MAGIC_COOKIE + branch))
        .set(HeaderName.TO, ok.to())
        .set(HeaderName.CSEQ, new CSeq(cseq, method))
        .build();
  }

  @Test
  void aByeAndA2xxRetransmittedAfterTheCallGetTheirAnswersFromRecordsAlone() {
    SipRequest invite = fromAlice(Method.INVITE, "lingering-1").toBuilder().body(MediaType.SDP, SDP).build();
    layer.receive(new Inbound(invite, FROM_ALICE));
    assertEquals(100, next(Egress.SendResponse.class).response().statusCode());
    SipRequest toCarrier = next(Egress.SendRequest.class).request();
    assertEquals(Method.INVITE, toCarrier.method());

    SipResponse carrierOk = SipResponse.builderFor(toCarrier, 200)
        .set(HeaderName.TO, toCarrier.to().withTag("carrier-tag"))
        .header(HeaderName.CONTACT, "<sip:bob@192.0.2.50:5060>")
        .body(MediaType.SDP, SDP)
        .build();
    layer.receive(new Inbound(carrierOk, FROM_CARRIER));
    SipRequest ack = next(Egress.SendRequest.class).request();
    assertEquals(Method.ACK, ack.method());
    SipResponse okToAlice = next(Egress.SendResponse.class).response();
    assertEquals(200, okToAlice.statusCode());

    layer.receive(new Inbound(inDialog(Method.ACK, 1, "-ack", okToAlice), FROM_ALICE));
    SipRequest bye = inDialog(Method.BYE, 2, "-bye", okToAlice);
    layer.receive(new Inbound(bye, FROM_ALICE));
    SipResponse byeOk = next(Egress.SendResponse.class).response();
    assertEquals(200, byeOk.statusCode());
    assertEquals(Method.BYE, byeOk.cseq().method());
    SipRequest byeToCarrier = next(Egress.SendRequest.class).request();
    assertEquals(Method.BYE, byeToCarrier.method());
    layer.receive(new Inbound(SipResponse.builderFor(byeToCarrier, 200).build(), FROM_CARRIER));

    wire.awaitAssert(() -> {
      assertEquals(new CallManager.ActorCount(0, 0), actors(), "no Call and no leg actor");
      return null;
    });
    TransactionLayer.TransactionCount left = layer.counts();
    assertEquals(0, left.client() - left.clientRecords(), "no client transaction actor: " + left);

    TIME.timePasses(Duration.ofSeconds(20));
    layer.receive(new Inbound(bye, FROM_ALICE)); // alice did not get the 200 to her BYE
    assertEquals(byeOk, next(Egress.SendResponse.class).response(), "the same 200, from the BYE's record");
    layer.receive(new Inbound(carrierOk, FROM_CARRIER)); // the carrier did not get the ACK
    assertEquals(ack, next(Egress.SendRequest.class).request(), "the same ACK, from the INVITE's record");
    wire.expectNoMessage(Duration.ofMillis(100));
    assertEquals(new CallManager.ActorCount(0, 0), actors(), "no actor came back for either");

    TIME.timePasses(Duration.ofSeconds(13)); // past 64*T1 from the last final
    assertEquals(0, layer.counts().total(), "the records are gone too: " + layer.counts());
    layer.receive(new Inbound(carrierOk, FROM_CARRIER));
    wire.expectNoMessage(Duration.ofMillis(100)); // a stray now, for the core: nothing is sent
  }
}
