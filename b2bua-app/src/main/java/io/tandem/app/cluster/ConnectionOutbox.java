package io.tandem.app.cluster;

import io.tandem.app.cluster.proto.SipSend;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Egress;
import io.tandem.transport.Peer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where another node's call writes over a TCP connection this node holds: each
 * {@link SipSend} goes to this node's egress as a response or request over that connection.
 * If the connection has closed meanwhile, egress does what it does for its own messages: a
 * response is sent to the Via's received address over a new connection (RFC 3261 section
 * 18.2.2), a request over a new connection to the peer.
 */
final class ConnectionOutbox {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionOutbox.class);

  private ConnectionOutbox() {}

  static Behavior<SipSend> create(ActorRef<Egress.Command> egress, ThreadLocal<SipParser> parsers,
      ClusterCounters counters) {
    return Behaviors.setup(context -> {
      ActorRef<Egress.SendFailed> failures = context.getSystem().ignoreRef();
      return Behaviors.receiveMessage(send -> {
        ParseResult parsed = parsers.get().parseDatagram(send.getOctets().toByteArray());
        if (!(parsed instanceof ParseResult.Parsed p)) {
          counters.undeliverable.increment();
          LOG.warn("A message another node sent for a TCP connection here does not parse: {}", parsed);
          return Behaviors.same();
        }
        Peer over;
        try {
          over = Deliveries.over(send);
        } catch (IllegalArgumentException e) {
          counters.undeliverable.increment();
          LOG.warn("A message another node sent for a TCP connection here has {}", e.getMessage());
          return Behaviors.same();
        }
        counters.written.increment();
        if (p.message() instanceof SipResponse response) {
          egress.tell(new Egress.SendResponse(response, over, failures));
        } else {
          egress.tell(new Egress.SendRequest((SipRequest) p.message(), over, failures));
        }
        return Behaviors.same();
      });
    });
  }
}
