package io.tandem.transport;

import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What both ingress stages do with a parse result: hand a message up (a request with its top
 * Via stamped), answer a malformed request, drop and count anything else. Never throws, so no
 * single message can fail a stream (DESIGN section 7).
 */
final class Ingress {
  /** How the stage a result came from writes back to where it came from. */
  interface Replier {
    /** Sends the answer to a malformed request; {@code answer.topVia()} routes it over UDP. */
    void answer(MalformedAnswer.Answer answer) throws Exception;

    /** Answers a double-CRLF ping with a CRLF pong (RFC 5626 section 3.5.1); streams only. */
    void pong();
  }

  private final Consumer<Inbound> handler;
  private final DropLog drops;
  private final TransportCounters counters;

  Ingress(Consumer<Inbound> handler, DropLog drops) {
    this.handler = handler;
    this.drops = drops;
    this.counters = drops.counters();
  }

  DropLog drops() {
    return drops;
  }

  /** Handles one result from {@code source}; framing-lost results are the stage's to act on. */
  void onResult(ParseResult result, Peer source, Replier replier) {
    try {
      if (result instanceof ParseResult.Parsed) {
        deliver(((ParseResult.Parsed) result).message(), source);
      } else if (result instanceof ParseResult.KeepAlive) {
        counters.increment("keepalive");
        if (((ParseResult.KeepAlive) result).ping()) {
          replier.pong();
        }
      } else if (result instanceof ParseResult.Malformed) {
        malformed((ParseResult.Malformed) result, source, replier);
      }
    } catch (Exception e) {
      drops.count("send-failed", source, "answering a malformed request: " + e);
    }
  }

  private void deliver(SipMessage message, Peer source) {
    SipMessage up = message;
    if (message.isRequest()) {
      try {
        up = ViaRules.stamp((SipRequest) message, source.remote());
      } catch (RuntimeException e) {
        // Cannot happen for a parsed Via; if it does, hand the request up as it came.
        drops.count("handler-failed", source, "stamping the Via failed: " + e);
        return;
      }
    }
    counters.increment("received");
    try {
      handler.accept(new Inbound(up, source));
    } catch (RuntimeException | LinkageError | AssertionError e) {
      drops.count("handler-failed", source, "handler threw " + e);
    }
  }

  private void malformed(ParseResult.Malformed m, Peer source, Replier replier) throws Exception {
    if (m.framingLost()) {
      return; // the stream stage closes the connection and counts framing-lost
    }
    if (!m.request()) {
      drops.count("malformed-response", source, m.status() + " " + m.reason() + ": " + m.detail());
      return;
    }
    Optional<MalformedAnswer.Answer> answer = MalformedAnswer.of(m, source.remote());
    if (answer.isEmpty()) {
      drops.count("malformed-unanswerable", source, m.reason() + ": " + m.detail());
      return;
    }
    replier.answer(answer.get());
    drops.count("answered-malformed", source, m.status() + " " + m.reason() + ": " + m.detail());
  }
}
