package io.tandem.app.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.registrar.LocationService.ContactUpdate;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipUri;
import io.tandem.transport.Peer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The location service: RFC 3261 section 10.3 steps 6 and 7, expiry and its bounds. */
class LocationServiceTest {
  private static final Peer SOURCE = Peer.udp(new InetSocketAddress("192.0.2.1", 5060), null);
  private final MutableClock clock = new MutableClock();
  private final LocationService location = new LocationService(3, 2, clock);

  private static ContactUpdate contact(String uri, double q, long expires) {
    return new ContactUpdate(NameAddr.of(SipUri.parse(uri)), q, expires);
  }

  private LocationService.Result register(String aor, String callId, long cseq, ContactUpdate... c) {
    return location.update(aor, List.of(c), callId, cseq, SOURCE);
  }

  private List<String> contacts(String aor) {
    return location.bindings(aor).stream().map(b -> b.contact().uri().toString()).toList();
  }

  @Test
  void bindingsComeByQHighestFirstThenOldestFirst() {
    register("pbx", "c1", 1, contact("sip:a@192.0.2.1", 0.5, 60), contact("sip:b@192.0.2.1", 1, 60));
    assertEquals(List.of("sip:b@192.0.2.1", "sip:a@192.0.2.1"), contacts("pbx"));
    register("pbx", "c1", 2, contact("sip:a@192.0.2.1", 1, 60));
    assertEquals(List.of("sip:a@192.0.2.1", "sip:b@192.0.2.1"), contacts("pbx"),
        "a refreshed binding keeps its age: a, bound first, leads the tie on q");
  }

  @Test
  void aContactMatchesItsBindingByUriComparisonNotText() {
    register("pbx", "c1", 1, contact("sip:pbx@EXAMPLE.com:5060;transport=udp", 1, 60));
    register("pbx", "c1", 2, contact("sip:pbx@example.com:5060;TRANSPORT=UDP", 1, 120));
    assertEquals(1, location.bindings("pbx").size(), "section 19.1.4: the same URI, refreshed");
    assertEquals(120, location.bindings("pbx").get(0).remainingSeconds(clock.instant()));
  }

  @Test
  void sameCallIdWithLowerOrEqualCseqIsOutOfOrderAndChangesNothing() {
    register("pbx", "c1", 5, contact("sip:a@192.0.2.1", 1, 60));
    var equal = register("pbx", "c1", 5, contact("sip:a@192.0.2.1", 1, 0),
        contact("sip:new@192.0.2.1", 1, 60));
    assertInstanceOf(LocationService.OutOfOrder.class, equal);
    assertEquals(List.of("sip:a@192.0.2.1"), contacts("pbx"), "not removed, nothing added");
    assertInstanceOf(LocationService.OutOfOrder.class, register("pbx", "c1", 4, contact("sip:a@192.0.2.1", 1, 0)));
    assertInstanceOf(LocationService.Updated.class, register("pbx", "c1", 6, contact("sip:a@192.0.2.1", 1, 0)));
    assertEquals(List.of(), contacts("pbx"));
  }

  @Test
  void anotherCallIdUpdatesWhateverItsCseq() {
    register("pbx", "c1", 9, contact("sip:a@192.0.2.1", 1, 60));
    assertInstanceOf(LocationService.Updated.class, register("pbx", "c2", 1, contact("sip:a@192.0.2.1", 1, 300)));
    Binding b = location.bindings("pbx").get(0);
    assertEquals("c2", b.callId());
    assertEquals(300, b.remainingSeconds(clock.instant()));
  }

  @Test
  void wildcardRemovalRespectsOrderingToo() {
    register("pbx", "c1", 3, contact("sip:a@192.0.2.1", 1, 60));
    register("pbx", "c2", 1, contact("sip:b@192.0.2.1", 1, 60));
    assertInstanceOf(LocationService.OutOfOrder.class, location.removeAll("pbx", "c1", 3));
    assertEquals(2, contacts("pbx").size());
    assertInstanceOf(LocationService.Updated.class, location.removeAll("pbx", "c1", 4));
    assertEquals(List.of(), contacts("pbx"));
    assertEquals(0, location.aorCount());
  }

  @Test
  void lapsedBindingsAreNeverReturnedAndTheSweepFreesThem() {
    register("pbx", "c1", 1, contact("sip:a@192.0.2.1", 1, 60), contact("sip:b@192.0.2.1", 1, 120));
    register("other", "c9", 1, contact("sip:o@192.0.2.1", 1, 30));
    clock.advance(Duration.ofSeconds(59));
    assertEquals(1, location.bindings("pbx").get(0).remainingSeconds(clock.instant()));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(List.of("sip:b@192.0.2.1"), contacts("pbx"), "a lapsed at 60 s");
    assertEquals(List.of(), contacts("other"));
    assertEquals(2, location.aorCount(), "counted until swept");
    assertEquals(2, location.sweep());
    assertEquals(1, location.aorCount());
  }

  @Test
  void aLapsedBindingNoLongerOrdersUpdates() {
    register("pbx", "c1", 5, contact("sip:a@192.0.2.1", 1, 60));
    clock.advance(Duration.ofSeconds(61));
    assertInstanceOf(LocationService.Updated.class, register("pbx", "c1", 1, contact("sip:a@192.0.2.1", 1, 60)),
        "a UA restarting its CSeq after its binding lapsed is a new binding");
  }

  @Test
  void tooManyBindingsChangesNothing() {
    register("pbx", "c1", 1, contact("sip:a@192.0.2.1", 1, 60));
    var r = register("pbx", "c1", 2, contact("sip:b@192.0.2.1", 1, 60), contact("sip:c@192.0.2.1", 1, 60));
    assertEquals(new LocationService.TooManyBindings(2), r);
    assertEquals(List.of("sip:a@192.0.2.1"), contacts("pbx"));
    assertInstanceOf(LocationService.Updated.class, register("pbx", "c1", 3,
        contact("sip:a@192.0.2.1", 1, 0), contact("sip:b@192.0.2.1", 1, 60), contact("sip:c@192.0.2.1", 1, 60)),
        "a removal in the same request makes room");
  }

  @Test
  void tooManyAorsRefusesANewOneButNotUpdatesOfExistingOnes() {
    for (String aor : List.of("a", "b", "c")) {
      register(aor, "c", 1, contact("sip:x@192.0.2.1", 1, 60));
    }
    assertEquals(new LocationService.TooManyAors(3), register("d", "c", 1, contact("sip:x@192.0.2.1", 1, 60)));
    assertEquals(List.of(), contacts("d"));
    assertInstanceOf(LocationService.Updated.class, register("a", "c", 2, contact("sip:y@192.0.2.1", 1, 60)));
    register("a", "c", 3, contact("sip:x@192.0.2.1", 1, 0), contact("sip:y@192.0.2.1", 1, 0));
    assertEquals(2, location.aorCount(), "an AOR left without bindings is gone");
    assertInstanceOf(LocationService.Updated.class, register("d", "c", 1, contact("sip:x@192.0.2.1", 1, 60)));
  }

  @Test
  void removingWhatIsNotBoundCreatesNothing() {
    assertEquals(new LocationService.Updated(List.of()), register("pbx", "c", 1, contact("sip:a@192.0.2.1", 1, 0)));
    assertEquals(0, location.aorCount());
  }

  @Test
  void concurrentRegistrationsNeverExceedTheAorLimit() throws Exception {
    LocationService shared = new LocationService(50, 2, clock);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            String aor = "u" + (i % 80);
            shared.update(aor, List.of(contact("sip:t" + thread + "@192.0.2.1", 1, i % 3 == 0 ? 0 : 60)),
                "t" + thread, i, SOURCE);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    int withBindings = 0;
    for (int i = 0; i < 80; i++) {
      withBindings += shared.bindings("u" + i).isEmpty() ? 0 : 1;
    }
    assertTrue(shared.aorCount() <= 50, "aors " + shared.aorCount());
    assertEquals(withBindings, shared.aorCount(), "the count is exact once the threads are done");
  }

  /** A cluster's registrar: each committed change is told, and another node's replaces ours. */
  @Test
  void changesAreToldAndAnotherNodesBindingsReplaceOursWithinTheBounds() {
    List<String> told = new ArrayList<>();
    location.listen((aor, bindings) -> told.add(aor + "=" + bindings.size()));
    register("pbx", "c1", 1, contact("sip:a@192.0.2.1", 1, 60));
    register("pbx", "c1", 1, contact("sip:a@192.0.2.1", 1, 60)); // out of order: no change, not told
    location.removeAll("pbx", "c1", 2);
    assertEquals(List.of("pbx=1", "pbx=0"), told);

    Binding remote = new Binding(NameAddr.of(SipUri.parse("sip:r@192.0.2.9")), 1, "c9", 4,
        clock.instant().plusSeconds(30), SOURCE, 1);
    assertTrue(location.replace("desk", List.of(remote)));
    assertEquals(List.of("sip:r@192.0.2.9"), contacts("desk"));
    assertEquals(List.of("pbx=1", "pbx=0"), told, "a replicated change is not told again");
    assertTrue(location.replace("a2", List.of(remote)));
    assertTrue(location.replace("a3", List.of(remote)));
    assertEquals(false, location.replace("a4", List.of(remote)), "max-aors (3) holds for replicated AORs too");
    assertTrue(location.replace("desk", List.of()));
    assertEquals(List.of(), contacts("desk"));
    assertEquals(2, location.aorCount());
  }
}
