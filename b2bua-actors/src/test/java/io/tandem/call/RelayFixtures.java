package io.tandem.call;

import io.tandem.routing.CallLimits;
import io.tandem.routing.Destination;
import io.tandem.routing.HuntPolicy;
import io.tandem.routing.RoutingDecision;
import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Via;
import io.tandem.transaction.RecordingServerTransaction;
import io.tandem.transaction.TimerSettings;
import io.tandem.transaction.TransactionEvent;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.RecordingTransactions;
import io.tandem.transport.Peer;
import io.tandem.transport.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/** Leg-A requests, a two-carrier route and a transaction layer probe for the relay tests. */
final class RelayFixtures {
  static final InetSocketAddress TANDEM = new InetSocketAddress("127.0.0.9", 5060);
  static final InetSocketAddress ALICE = new InetSocketAddress("192.0.2.1", 5060);
  static final Destination ONE = new Destination("one", TransportProtocol.UDP, new InetSocketAddress("192.0.2.50", 5060));
  static final Destination TWO = new Destination("two", TransportProtocol.UDP, new InetSocketAddress("192.0.2.60", 5060));
  static final RelaySettings SETTINGS = RelaySettings.DEFAULTS; // attempt 4 s, expires 3600 s, grace 32 s

  private RelayFixtures() {}

  /** A context whose transaction layer is {@code layer} and whose every request routes to one, then two. */
  static CallContext context(TestProbe<RecordingTransactions.SendRequest> layer) {
    RoutingDecision route = new RoutingDecision.Route("all", List.of(ONE, TWO), HuntPolicy.DEFAULTS);
    return new CallContext(new RecordingTransactions(layer.ref()), request -> route, new CallLimits(100, Map.of()), CallSettings.DEFAULTS,
        TimerSettings.DEFAULTS, p -> TANDEM, null); // no manager: relays never look for another call
  }

  /** An out-of-dialog request from alice to bob, with {@code headers} (name, value pairs). */
  static SipRequest fromAlice(Method method, String callId, String... headers) {
    SipRequest.Builder b = SipRequest.builder(method, SipUri.of("bob", "127.0.0.9", 5060))
        .header(HeaderName.VIA, Via.of("UDP", "192.0.2.1", 5060, Via.MAGIC_COOKIE + "-a-" + callId))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(SipUri.of("alice", "192.0.2.1", 5060)).withTag("alice-tag"))
        .header(HeaderName.TO, NameAddr.of(SipUri.of("bob", "127.0.0.9", 5060)))
        .header(HeaderName.CALL_ID, callId)
        .header(HeaderName.CSEQ, new CSeq(1, method))
        .header(HeaderName.CONTACT, NameAddr.of(SipUri.of("alice", "192.0.2.1", 5060)));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(HeaderName.of(headers[i]), headers[i + 1]);
    }
    return b.build();
  }

  /** {@code request} as the transaction layer hands it up, answered through {@code tx}. */
  static TransactionEvent.RequestReceived received(SipRequest request, ActorRef<RecordingServerTransaction.Respond> tx) {
    Peer source = Peer.udp(ALICE, TANDEM);
    return new TransactionEvent.RequestReceived(TransactionKey.server(request), request, source,
        RecordingServerTransaction.of(request, source, tx));
  }

  /** A final from leg B to {@code sent}, with {@code toTag} and {@code headers} (name, value pairs). */
  static TransactionEvent.ResponseReceived answer(RecordingTransactions.SendRequest sent, int status, String toTag,
      String... headers) {
    SipResponse.Builder b = SipResponse.builderFor(sent.request(), status)
        .set(HeaderName.TO, sent.request().to().withTag(toTag));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(HeaderName.of(headers[i]), headers[i + 1]);
    }
    return new TransactionEvent.ResponseReceived(TransactionKey.client(sent.request()), b.build());
  }

  /** A NOTIFY of the notifier (tag {@code notifierTag}) in the dialog of leg B's {@code subscribe}. */
  static SipRequest notifyFor(SipRequest subscribe, String notifierTag, String state) {
    return SipRequest.builder(Method.NOTIFY, SipUri.of("tandem", "127.0.0.9", 5060))
        .header(HeaderName.VIA, Via.of("UDP", "192.0.2.50", 5060, Via.MAGIC_COOKIE + "-n-" + notifierTag + state.length()))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(subscribe.to().uri()).withTag(notifierTag))
        .header(HeaderName.TO, subscribe.from())
        .header(HeaderName.CALL_ID, subscribe.callId())
        .header(HeaderName.CSEQ, new CSeq(1, Method.NOTIFY))
        .header(HeaderName.CONTACT, NameAddr.of(SipUri.of("bob", "192.0.2.50", 5060)))
        .header(HeaderName.EVENT, "presence")
        .header(HeaderName.SUBSCRIPTION_STATE, state)
        .build();
  }
}
