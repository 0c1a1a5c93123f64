package io.tandem.app.registrar;

import io.tandem.sip.message.NameAddr;
import io.tandem.transport.Peer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The location service of RFC 3261 section 10: the bindings of each address-of-record, the
 * registrar writing them and routing reading them.
 *
 * <p>An address-of-record is named by its user part: Tandem serves users, and a call finds the
 * bindings of the Request-URI user (see {@code tandem.registrar.domains}).
 *
 * <p>Thread-safe: each update of one AOR runs atomically ({@link ConcurrentHashMap#compute}) on
 * an immutable list, so a Call reading bindings on another thread sees a whole update or none
 * (section 10.3 step 7: updates are committed all together or not at all). Bounded: at most
 * {@code maxAors} AORs and {@code maxBindingsPerAor} bindings each. Lapsed bindings are never
 * returned, and {@link #sweep} drops them.
 */
public final class LocationService {
  /** Bindings first by q, highest first, then the older first. */
  static final Comparator<Binding> PREFERENCE =
      Comparator.comparingDouble(Binding::q).reversed().thenComparingLong(Binding::order);

  /** A change one REGISTER asks for one Contact: {@code expiresSeconds} 0 removes it. */
  public record ContactUpdate(NameAddr contact, double q, long expiresSeconds) {}

  /** The outcome of an update; nothing changed unless it is {@link Updated}. */
  public sealed interface Result {}

  /** Committed: the AOR's bindings now, by preference. */
  public record Updated(List<Binding> bindings) implements Result {}

  /**
   * Step 7: a binding was last written by this Call-ID with a CSeq not lower than the
   * request's, so the request is out of order and changes nothing.
   */
  public record OutOfOrder(NameAddr contact) implements Result {}

  /**
   * Told every AOR's bindings after a REGISTER changed them (empty: none left), on the thread
   * that updated them: a cluster replicates them to the other nodes ({@link #replace}).
   */
  public interface Listener {
    void changed(String aor, List<Binding> bindings);
  }

  /** The AOR would hold more than {@code maxBindingsPerAor} bindings. */
  public record TooManyBindings(int max) implements Result {}

  /** A new AOR beyond {@code maxAors}. */
  public record TooManyAors(int max) implements Result {}

  private final ConcurrentHashMap<String, List<Binding>> byAor = new ConcurrentHashMap<>();
  private final AtomicInteger aors = new AtomicInteger();
  private final AtomicLong order = new AtomicLong();
  private final int maxAors;
  private final int maxBindingsPerAor;
  private final Clock clock;
  private volatile Listener listener = (aor, bindings) -> {};

  public LocationService(int maxAors, int maxBindingsPerAor, Clock clock) {
    if (maxAors < 1 || maxBindingsPerAor < 1) {
      throw new IllegalArgumentException("max-aors and max-bindings-per-aor must be positive");
    }
    this.maxAors = maxAors;
    this.maxBindingsPerAor = maxBindingsPerAor;
    this.clock = clock;
  }

  public Instant now() {
    return clock.instant();
  }

  /** {@code l} is told of every change a REGISTER makes from now on. */
  public void listen(Listener l) {
    this.listener = l;
  }

  /**
   * Another node's bindings of {@code aor} (a cluster's registrar): they replace this node's,
   * with no REGISTER ordering (the last write wins) and no listener told. Empty removes the
   * AOR. Refused (false) for a new AOR beyond {@code max-aors}.
   */
  public boolean replace(String aor, List<Binding> bindings) {
    boolean[] accepted = {true};
    byAor.compute(aor, (key, current) -> {
      if (bindings.isEmpty()) {
        if (current != null) {
          aors.decrementAndGet();
        }
        return null;
      }
      if (current == null && aors.incrementAndGet() > maxAors) {
        aors.decrementAndGet();
        accepted[0] = false;
        return null;
      }
      List<Binding> sorted = new ArrayList<>(bindings);
      sorted.sort(PREFERENCE);
      return List.copyOf(sorted);
    });
    return accepted[0];
  }

  /** The live bindings of {@code aor}, by preference; empty when it has none. */
  public List<Binding> bindings(String aor) {
    List<Binding> all = byAor.get(aor);
    return all == null ? List.of() : live(all, clock.instant());
  }

  /**
   * Section 10.3 steps 6 and 7 for the Contacts of one REGISTER, committed all together or not
   * at all: a Contact bound already is refreshed (or removed, expires 0) unless the binding
   * comes from the same Call-ID with a CSeq not lower; a new one is added (none for expires 0).
   */
  public Result update(String aor, List<ContactUpdate> updates, String callId, long cseq, Peer source) {
    Result[] result = new Result[1];
    byAor.compute(aor, (key, current) -> {
      Instant now = clock.instant();
      List<Binding> next = new ArrayList<>(current == null ? List.of() : live(current, now));
      Set<Binding> written = new HashSet<>();
      for (ContactUpdate u : updates) {
        int i = indexOf(next, u.contact());
        Binding existing = i < 0 ? null : next.get(i);
        if (existing != null && !written.contains(existing)
            && existing.callId().equals(callId) && cseq <= existing.cseq()) {
          result[0] = new OutOfOrder(u.contact());
          return current;
        }
        if (existing != null) {
          next.remove(i);
        }
        if (u.expiresSeconds() > 0) {
          long created = existing != null ? existing.order() : order.incrementAndGet();
          Binding b = new Binding(u.contact().withoutParam("expires"), u.q(), callId, cseq,
              now.plusSeconds(u.expiresSeconds()), source, created);
          next.add(b);
          written.add(b);
        }
      }
      if (next.size() > maxBindingsPerAor) {
        result[0] = new TooManyBindings(maxBindingsPerAor);
        return current;
      }
      return commit(current, next, result);
    });
    if (result[0] instanceof Updated updated) {
      listener.changed(aor, updated.bindings());
    }
    return result[0];
  }

  /**
   * Step 6, {@code Contact: *} with Expires 0: every binding goes, unless one was written by
   * this Call-ID with a CSeq not lower, which makes the whole request out of order.
   */
  public Result removeAll(String aor, String callId, long cseq) {
    Result[] result = {new Updated(List.of())};
    byAor.computeIfPresent(aor, (key, current) -> {
      for (Binding b : live(current, clock.instant())) {
        if (b.callId().equals(callId) && cseq <= b.cseq()) {
          result[0] = new OutOfOrder(b.contact());
          return current;
        }
      }
      aors.decrementAndGet();
      return null;
    });
    if (result[0] instanceof Updated) {
      listener.changed(aor, List.of());
    }
    return result[0];
  }

  /** Drops every lapsed binding and every AOR left without one; returns how many went. */
  public int sweep() {
    Instant now = clock.instant();
    int[] removed = {0};
    for (String aor : byAor.keySet()) {
      byAor.computeIfPresent(aor, (key, current) -> {
        List<Binding> next = live(current, now);
        removed[0] += current.size() - next.size();
        if (next.isEmpty()) {
          aors.decrementAndGet();
          return null;
        }
        return next.size() == current.size() ? current : next;
      });
    }
    return removed[0];
  }

  /** AORs with at least one binding (lapsed ones count until swept or touched). */
  public int aorCount() {
    return aors.get();
  }

  private List<Binding> commit(List<Binding> current, List<Binding> next, Result[] result) {
    if (next.isEmpty()) {
      if (current != null) {
        aors.decrementAndGet();
      }
      result[0] = new Updated(List.of());
      return null;
    }
    if (current == null && aors.incrementAndGet() > maxAors) {
      aors.decrementAndGet();
      result[0] = new TooManyAors(maxAors);
      return null;
    }
    next.sort(PREFERENCE);
    List<Binding> committed = List.copyOf(next);
    result[0] = new Updated(committed);
    return committed;
  }

  /** Section 10.3 step 6: Contacts match by the URI comparison rules of section 19.1.4. */
  private static int indexOf(List<Binding> bindings, NameAddr contact) {
    for (int i = 0; i < bindings.size(); i++) {
      if (bindings.get(i).contact().uri().equals(contact.uri())) {
        return i;
      }
    }
    return -1;
  }

  private static List<Binding> live(List<Binding> bindings, Instant now) {
    for (Binding b : bindings) {
      if (b.expired(now)) {
        return bindings.stream().filter(x -> !x.expired(now)).toList();
      }
    }
    return bindings;
  }
}
