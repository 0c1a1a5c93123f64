package io.tandem.app.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.Uri;
import io.tandem.sip.message.Via;
import io.tandem.app.LayerOnProbes;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transport.Peer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The registrar actor: it answers in the REGISTER's transaction, and its sweep frees lapsed AORs. */
class RegistrarTest {
  private static final ActorTestKit KIT =
      ActorTestKit.create(ManualTime.config().withFallback(ConfigFactory.load()));
  private static final ManualTime TIME = ManualTime.get(KIT.system());
  private static final Duration SWEEP = Duration.ofSeconds(30);

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static TransactionEvent.RequestReceived register(String user, long cseq, String expires,
      LayerOnProbes transaction) {
    SipRequest r = SipRequest.builder(Method.REGISTER, Uri.parse("sip:example.com"))
        .header(HeaderName.VIA, Via.of("UDP", "192.0.2.1", 5060, Via.MAGIC_COOKIE + "-r" + user + cseq))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(Uri.parse("sip:" + user + "@example.com")).withTag("f"))
        .header(HeaderName.TO, NameAddr.of(Uri.parse("sip:" + user + "@example.com")))
        .header(HeaderName.CALL_ID, "reg-" + user)
        .header(HeaderName.CSEQ, new CSeq(cseq, Method.REGISTER))
        .header(HeaderName.CONTACT, NameAddr.parse("<sip:" + user + "@192.0.2.1>"))
        .header(HeaderName.EXPIRES, expires)
        .build();
    return transaction.receive(r, Peer.udp(new InetSocketAddress("192.0.2.1", 5060), null));
  }

  private static int status(LayerOnProbes transaction) {
    return transaction.response().statusCode();
  }

  @Test
  void answersInTheTransactionAndSweepsLapsedBindingsEverySweepInterval() {
    MutableClock clock = new MutableClock();
    LocationService location = new LocationService(10, 10, clock);
    RegistrarSettings settings = new RegistrarSettings(true, Set.of(), Duration.ofSeconds(60),
        Duration.ofSeconds(3600), Duration.ofSeconds(3600), 10, 10, SWEEP, RegistrarSettings.SendCallsTo.AUTO);
    ActorRef<Registrar.Command> registrar =
        KIT.spawn(Registrar.create(settings, location, RegisterAuthorizer.ACCEPT_ALL));
    LayerOnProbes tx = new LayerOnProbes(KIT, TimerSettings.DEFAULTS);

    registrar.tell(new Registrar.Register(register("a", 1, "60", tx)));
    registrar.tell(new Registrar.Register(register("b", 1, "600", tx)));
    assertEquals(200, status(tx));
    assertEquals(200, status(tx));
    assertEquals(2, location.aorCount());

    clock.advance(Duration.ofSeconds(61)); // a has lapsed; nothing removes it before a sweep
    TIME.timePasses(SWEEP.minusSeconds(1));
    registrar.tell(new Registrar.Register(register("c", 1, "0", tx))); // a round trip
    assertEquals(200, status(tx));
    assertEquals(2, location.aorCount());

    TIME.timePasses(Duration.ofSeconds(1));
    registrar.tell(new Registrar.Register(register("c", 2, "0", tx)));
    assertEquals(200, status(tx));
    assertEquals(1, location.aorCount(), "the sweep dropped a");
  }
}
