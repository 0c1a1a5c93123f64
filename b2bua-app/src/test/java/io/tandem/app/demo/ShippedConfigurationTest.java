package io.tandem.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.Server;
import io.tandem.app.Settings;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.TransportProtocol;
import java.io.File;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

/**
 * The conf/application.conf Tandem ships answers a softphone's call out of the box (through the
 * demo carrier); the embedded defaults route nowhere.
 */
class ShippedConfigurationTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  /** Free ports instead of 5060 and 5070, so the test never clashes with a running Tandem. */
  private static final String FREE_PORTS = """
      tandem.transport.listen = [
        { protocol = udp, address = "127.0.0.1", port = 0 }
        { protocol = tcp, address = "127.0.0.1", port = 0 }
      ]
      tandem.demo-carrier.port = 0
      """;

  @Test
  void aCallToTheShippedConfigurationIsAnswered() throws Exception {
    assertEquals(200, callThrough(ConfigFactory.parseFile(new File("../conf/application.conf"))));
  }

  @Test
  void theEmbeddedDefaultsHaveNoRoute() throws Exception {
    assertEquals(404, callThrough(ConfigFactory.empty()));
  }

  private static int callThrough(com.typesafe.config.Config config) throws Exception {
    Server server = Server.start(Settings.of(ConfigFactory.parseString(FREE_PORTS).withFallback(config), "test"));
    try (SipUa phone = SipUa.start("phone")) {
      server.demoCarrier().ifPresent(c -> assertNotEquals(5070, c.address().getPort()));
      int port = server.listening().stream().filter(p -> p.protocol() == TransportProtocol.UDP)
          .map(ListenPoint::address).findFirst().orElseThrow().getPort();
      OutgoingCall call = phone.invite("sip:100@127.0.0.1:" + port, "udp", "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n");
      int status = call.awaitFinal(WAIT).getStatusCode();
      if (status == 200) {
        call.bye();
        call.awaitResponse(Request.BYE, 200, WAIT);
      }
      return status;
    } finally {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
