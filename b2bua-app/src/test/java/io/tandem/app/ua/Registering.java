package io.tandem.app.ua;

import javax.sip.message.Response;

/** The client transaction of one REGISTER a {@link SipUa} sent: where its responses go. */
final class Registering {
  final Journal<Response> responses = new Journal<>();
}
