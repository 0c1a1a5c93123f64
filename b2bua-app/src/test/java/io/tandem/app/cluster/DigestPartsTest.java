package io.tandem.app.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.cluster.proto.CallReplication;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A holder's digest (the keys of every call it holds) in parts small enough for one Artery
 * frame, and a replica that prunes only on a whole digest: a part lost, or parts of two rounds
 * mixed, never make it drop copies of calls that are up.
 */
class DigestPartsTest {
  private static final List<String> KEYS = IntStream.range(0, 10_000).mapToObj(i -> String.format("%016x", i)).toList();

  @Test
  void aLargeDigestGoesInPartsThatEachFitAFrame() {
    List<CallReplication> parts = CallReplica.digestParts("n1", KEYS, 7);
    assertEquals(3, parts.size());
    Set<String> all = new HashSet<>();
    for (CallReplication part : parts) {
      assertTrue(part.getSerializedSize() < 256 * 1024 / 2, "well under Artery's frame: " + part.getSerializedSize());
      assertEquals(3, part.getDigestParts());
      assertEquals(7, part.getDigestRound());
      all.addAll(part.getHeldList());
    }
    assertEquals(Set.copyOf(KEYS), all);
    assertEquals(1, CallReplica.digestParts("n1", List.of(), 8).size(), "a holder with no calls says so");
  }

  @Test
  void aReplicaHasTheDigestOnlyOnceEveryPartOfOneRoundIsIn() {
    Map<String, CallReplica.DigestParts> byHolder = new HashMap<>();
    List<CallReplication> first = CallReplica.digestParts("n1", KEYS, 1);
    List<CallReplication> second = CallReplica.digestParts("n1", KEYS.subList(0, 9_000), 2);

    assertEquals(Optional.empty(), CallReplica.DigestParts.add(byHolder, first.get(0)));
    assertEquals(Optional.empty(), CallReplica.DigestParts.add(byHolder, first.get(1)));
    // The last part of round 1 is lost; round 2 starts afresh, a late part of round 1 is ignored.
    assertEquals(Optional.empty(), CallReplica.DigestParts.add(byHolder, second.get(0)));
    assertEquals(Optional.empty(), CallReplica.DigestParts.add(byHolder, first.get(2)));
    assertEquals(Optional.empty(), CallReplica.DigestParts.add(byHolder, second.get(2)));
    assertEquals(Optional.of(Set.copyOf(KEYS.subList(0, 9_000))), CallReplica.DigestParts.add(byHolder, second.get(1)));
    assertTrue(byHolder.isEmpty());
  }

  @Test
  void aDigestOfOneMessageFromANodeThatSendsNoPartsIsWhole() {
    CallReplication whole = CallReplication.newBuilder().setDigest(true).setNode("n2").addHeld("a").build();
    assertEquals(Optional.of(Set.of("a")), CallReplica.DigestParts.add(new HashMap<>(), whole));
  }
}
