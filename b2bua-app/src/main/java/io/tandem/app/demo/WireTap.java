package io.tandem.app.demo;

import io.tandem.sip.message.SipMessage;

/**
 * What an embedded user agent sees on its socket: each message it sends and receives. The demo
 * command prints them as a ladder; the server's demo carrier has none. Called from the
 * transport's ingress streams and from actors: implementations are thread-safe.
 */
public interface WireTap {
  /** A tap that records nothing. */
  WireTap NONE = new WireTap() {
    @Override
    public void sent(SipMessage message) {}

    @Override
    public void received(SipMessage message) {}
  };

  void sent(SipMessage message);

  void received(SipMessage message);
}
