package io.tandem.transport;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the transport counts: messages in and out, and every message it drops or fails to send,
 * by reason. Thread-safe; readers take {@link #get} or a {@link #snapshot}.
 *
 * <table>
 *   <caption>Counters</caption>
 *   <tr><th>name</th><th>counts</th></tr>
 *   <tr><td>received</td><td>messages handed to the handler (UDP and TCP)</td></tr>
 *   <tr><td>sent</td><td>messages written to a socket or a connection's queue</td></tr>
 *   <tr><td>queue-full</td><td>datagrams dropped because the UDP ingress queue was full</td></tr>
 *   <tr><td>oversize</td><td>datagrams larger than max-message-bytes, dropped</td></tr>
 *   <tr><td>malformed-response</td><td>malformed responses, dropped (never answered)</td></tr>
 *   <tr><td>malformed-unanswerable</td><td>malformed requests with no readable Via (or an
 *       ACK), dropped</td></tr>
 *   <tr><td>answered-malformed</td><td>malformed requests answered by the transport</td></tr>
 *   <tr><td>bad-destination</td><td>sends to a host that is not an IP literal, or with no
 *       socket for the address family</td></tr>
 *   <tr><td>send-failed</td><td>sends that failed (connect refused or timed out, connection
 *       lost, outgoing queue full, socket error); the sender got SendFailed</td></tr>
 *   <tr><td>framing-lost</td><td>TCP connections closed because the framing was lost</td></tr>
 *   <tr><td>handler-failed</td><td>messages whose handler threw</td></tr>
 *   <tr><td>connection-refused</td><td>accepted connections closed over max-connections</td></tr>
 *   <tr><td>keepalive</td><td>CRLF keep-alives received (RFC 5626 section 3.5.1)</td></tr>
 * </table>
 */
public final class TransportCounters {
  /** Every counter name, in the order of the table above. */
  public static final List<String> NAMES = List.of(
      "received", "sent", "queue-full", "oversize", "malformed-response",
      "malformed-unanswerable", "answered-malformed", "bad-destination", "send-failed",
      "framing-lost", "handler-failed", "connection-refused", "keepalive");

  private final Map<String, LongAdder> counters = new LinkedHashMap<>();

  TransportCounters() {
    for (String name : NAMES) {
      counters.put(name, new LongAdder());
    }
  }

  /** The count named {@code name}; 0 for a name that is not counted. */
  public long get(String name) {
    LongAdder adder = counters.get(name);
    return adder == null ? 0 : adder.sum();
  }

  /** Every counter's value now, in table order. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new LinkedHashMap<>();
    counters.forEach((name, adder) -> out.put(name, adder.sum()));
    return out;
  }

  void increment(String name) {
    LongAdder adder = counters.get(name);
    if (adder == null) {
      throw new IllegalArgumentException("no transport counter " + name);
    }
    adder.increment();
  }

  @Override
  public String toString() {
    return "TransportCounters" + snapshot();
  }
}
