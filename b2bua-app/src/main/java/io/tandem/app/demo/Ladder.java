package io.tandem.app.demo;

import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The messages of both legs of a demo call, as the demo caller (leg A) and the demo carrier
 * (leg B) saw them on their sockets, merged in time order: one line per message per leg.
 *
 * <pre>
 *   0.000s  leg A  caller -> tandem   INVITE sip:demo@127.0.0.1:40312   Call-ID 5f3a...@127.0.0.1  [SDP]
 *   0.004s  leg B  tandem -> carrier  INVITE sip:demo@127.0.0.1:5070   Call-ID tdm-...  [SDP]
 * </pre>
 */
public final class Ladder {
  /** One message one user agent sent or received; {@code nanos} from {@link System#nanoTime}. */
  public record Entry(long nanos, String leg, String arrow, SipMessage message) {}

  private final List<Entry> entries = new ArrayList<>();

  /** The tap of the caller: leg A, seen from the caller's side. */
  public WireTap caller() {
    return tap("A", "caller -> tandem ", "caller <- tandem ");
  }

  /** The tap of the carrier: leg B, seen from the carrier's side. */
  public WireTap carrier() {
    return tap("B", "tandem <- carrier", "tandem -> carrier");
  }

  private WireTap tap(String leg, String sentArrow, String receivedArrow) {
    return new WireTap() {
      @Override
      public void sent(SipMessage message) {
        add(new Entry(System.nanoTime(), leg, sentArrow, message));
      }

      @Override
      public void received(SipMessage message) {
        add(new Entry(System.nanoTime(), leg, receivedArrow, message));
      }
    };
  }

  private synchronized void add(Entry entry) {
    entries.add(entry);
  }

  /** The entries so far, in time order. */
  public synchronized List<Entry> entries() {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparingLong(Entry::nanos));
    return sorted;
  }

  /**
   * Whether {@code leg}'s user agent sent or received (per {@code arrow}) a {@code status}
   * response to {@code method}.
   */
  public boolean has(String leg, String arrow, int status, Method method) {
    return entries().stream().anyMatch(e -> e.leg().equals(leg) && e.arrow().equals(arrow)
        && e.message() instanceof SipResponse r && r.statusCode() == status
        && r.cseq().method().equals(method));
  }

  /** The ladder, one line per entry, timed from the first. */
  public List<String> lines() {
    List<Entry> sorted = entries();
    long start = sorted.isEmpty() ? 0 : sorted.get(0).nanos();
    return sorted.stream().map(e -> line(e, start)).toList();
  }

  private static String line(Entry e, long start) {
    StringBuilder b = new StringBuilder(String.format("%6.3fs  leg %s  %s  ",
        (e.nanos() - start) / 1e9, e.leg(), e.arrow()));
    if (e.message() instanceof SipRequest request) {
      b.append(request.method().name());
      if (Method.INVITE.equals(request.method())) {
        b.append(' ').append(request.requestUriText()).append("   Call-ID ").append(request.callId());
      }
    } else {
      SipResponse response = (SipResponse) e.message();
      b.append(response.statusCode()).append(' ').append(response.reasonPhrase());
      if (!Method.INVITE.equals(response.cseq().method())) {
        b.append(" (").append(response.cseq().method().name()).append(')');
      }
    }
    if (e.message().bodyLength() > 0) {
      b.append("  [").append(e.message().contentType().map(Object::toString).orElse("body")).append(']');
    }
    return b.toString();
  }
}
