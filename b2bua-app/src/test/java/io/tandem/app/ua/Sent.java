package io.tandem.app.ua;

import java.time.Duration;
import javax.sip.message.Request;
import javax.sip.message.Response;

/** One request a {@link UaRequests} sent, and the responses its client transaction passed up. */
public final class Sent {
  private final SipUa ua;
  private final Request request;
  final Journal<Response> responses = new Journal<>();

  Sent(SipUa ua, Request request) {
    this.ua = ua;
    this.request = request;
  }

  /** The request as sent. */
  public Request request() {
    return request;
  }

  /** The final response; fails with every open UA's ladder when none comes in {@code timeout}. */
  public Response awaitFinal(Duration timeout) throws InterruptedException {
    return responses.await(r -> r.getStatusCode() >= 200, timeout)
        .orElseThrow(() -> new AssertionError(ua.name() + ": no final to " + request.getMethod() + " in " + timeout
            + "\n" + SipUa.ladders()));
  }
}
