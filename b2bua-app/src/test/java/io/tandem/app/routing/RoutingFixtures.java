package io.tandem.app.routing;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Uri;
import io.tandem.sip.message.Via;

/** Routing configurations and INVITEs shared by the routing tests. */
final class RoutingFixtures {
  /** Three carriers: two on loopback UDP, one on IPv6 TCP. */
  static final String CARRIERS = "tandem.routing.carriers {\n"
      + "  lab { address = \"127.0.0.1\", port = 5070, transport = udp }\n"
      + "  backup { address = \"127.0.0.1\", port = 5080 }\n"
      + "  v6 { address = \"::1\", port = 5090, transport = tcp, max-calls = 2 }\n"
      + "}\n";

  private RoutingFixtures() {}

  /** The policy read from reference.conf with {@code overrides} on top. */
  static ConfigRoutingPolicy policy(String overrides) {
    return ConfigRoutingPolicy.fromConfig(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference()));
  }

  /** The policy with {@link #CARRIERS} and these routes (HOCON list items). */
  static ConfigRoutingPolicy withRoutes(String... routes) {
    return policy(CARRIERS + "tandem.routing.routes = [" + String.join(",\n", routes) + "]");
  }

  /** An INVITE from leg A to {@code requestUri}. */
  static SipRequest invite(String requestUri) {
    return SipRequest.builder(Method.INVITE, Uri.parse(requestUri))
        .header(HeaderName.VIA, Via.of("UDP", "192.0.2.1", 5060, Via.MAGIC_COOKIE + "-r1"))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(SipUri.parse("sip:alice@192.0.2.1")).withTag("f1"))
        .header(HeaderName.TO, NameAddr.of(SipUri.parse("sip:bob@192.0.2.2")))
        .header(HeaderName.CALL_ID, "routing-1@192.0.2.1")
        .header(HeaderName.CSEQ, new CSeq(1, Method.INVITE))
        .header(HeaderName.CONTACT, NameAddr.of(SipUri.parse("sip:alice@192.0.2.1:5060")))
        .build();
  }
}
