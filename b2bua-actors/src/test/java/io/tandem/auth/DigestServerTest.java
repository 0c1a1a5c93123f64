package io.tandem.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.message.CSeq;
import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Via;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The server side: nonces that expire, digests checked, replays refused, memory bounded. */
class DigestServerTest {
  private static final String URI = "sip:+15551234567@tandem.example";
  private static final Function<String, Optional<String>> USERS =
      name -> Optional.ofNullable(Map.of("alice", "wonderland").get(name));

  /** A clock the test moves by hand. */
  private static final class TestClock extends Clock {
    private long millis = 1_700_000_000_000L;

    void advance(Duration d) {
      millis += d.toMillis();
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  private final TestClock clock = new TestClock();
  private final DigestServer server = new DigestServer("tandem", List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5),
      Duration.ofSeconds(300), 100, clock);
  private final DigestClient client = new DigestClient();

  private DigestCredentials answer(DigestChallenge challenge, String user, String password) {
    return client.answer(challenge, "INVITE", URI, user, password).orElseThrow();
  }

  private DigestServer.Verdict verify(DigestCredentials c) {
    return server.verify(c, "INVITE", URI, USERS);
  }

  @Test
  void challengesOfferSha256FirstThenMd5WithOneNonceAndQopAuth() {
    List<DigestChallenge> challenges = server.challenges(false);
    assertEquals(List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5),
        challenges.stream().map(DigestChallenge::algorithm).toList());
    assertEquals(challenges.get(0).nonce(), challenges.get(1).nonce());
    assertTrue(challenges.stream().allMatch(c -> c.offersAuth() && c.realm().equals("tandem") && !c.stale()));
    assertNotEquals(challenges.get(0).nonce(), server.challenges(false).get(0).nonce(), "a fresh nonce each time");
  }

  @Test
  void rightCredentialsAreAcceptedWithEitherAlgorithm() {
    for (DigestChallenge c : server.challenges(false)) {
      assertEquals(new DigestServer.Verdict.Accepted("alice"), verify(answer(c, "alice", "wonderland")), c.toString());
    }
  }

  @Test
  void wrongPasswordOrUnknownUserIsForbidden() {
    DigestChallenge c = server.challenges(false).get(0);
    assertInstanceOf(DigestServer.Verdict.Forbidden.class, verify(answer(c, "alice", "looking-glass")));
    assertInstanceOf(DigestServer.Verdict.Forbidden.class, verify(answer(c, "mallory", "wonderland")));
  }

  @Test
  void aReplayedNonceCountIsRefusedAsStaleAndTheNextCountIsAccepted() {
    DigestChallenge c = server.challenges(false).get(0);
    DigestCredentials first = answer(c, "alice", "wonderland");
    assertInstanceOf(DigestServer.Verdict.Accepted.class, verify(first));
    assertInstanceOf(DigestServer.Verdict.Stale.class, verify(first), "the same nc again is a replay");
    DigestCredentials second = answer(c, "alice", "wonderland");
    assertEquals("00000002", second.nc(), "the client counts per nonce");
    assertInstanceOf(DigestServer.Verdict.Accepted.class, verify(second));
    assertInstanceOf(DigestServer.Verdict.Stale.class, verify(first), "a lower nc after a higher one");
  }

  @Test
  void anExpiredNonceWithTheRightDigestIsStaleAndWithAWrongOneForbidden() {
    DigestChallenge c = server.challenges(false).get(1);
    clock.advance(Duration.ofSeconds(301));
    assertInstanceOf(DigestServer.Verdict.Stale.class, verify(answer(c, "alice", "wonderland")));
    assertInstanceOf(DigestServer.Verdict.Forbidden.class, verify(answer(c, "alice", "nope")));
  }

  @Test
  void aNonceAtItsTtlIsStillGood() {
    DigestChallenge c = server.challenges(false).get(0);
    clock.advance(Duration.ofSeconds(300));
    assertInstanceOf(DigestServer.Verdict.Accepted.class, verify(answer(c, "alice", "wonderland")));
  }

  @Test
  void aNonceNotIssuedHereOrForgedIsChallengedAfresh() {
    DigestServer other = new DigestServer("tandem", List.of(DigestAlgorithm.MD5), Duration.ofSeconds(300), 10, clock);
    DigestChallenge foreign = other.challenges(false).get(0);
    assertInstanceOf(DigestServer.Verdict.Challenge.class, verify(answer(foreign, "alice", "wonderland")));
    DigestChallenge mine = server.challenges(false).get(1);
    String n = mine.nonce();
    String forged = n.substring(0, 5) + (n.charAt(5) == 'A' ? 'B' : 'A') + n.substring(6);
    DigestChallenge tampered = new DigestChallenge("tandem", forged, null, DigestAlgorithm.MD5, List.of("auth"), false);
    assertInstanceOf(DigestServer.Verdict.Challenge.class, verify(answer(tampered, "alice", "wonderland")));
    DigestChallenge garbage = new DigestChallenge("tandem", "not base64 !", null, DigestAlgorithm.MD5, List.of("auth"), false);
    assertInstanceOf(DigestServer.Verdict.Challenge.class, verify(answer(garbage, "alice", "wonderland")));
  }

  @Test
  void credentialsForAnotherRealmOrAlgorithmAreChallenged() {
    DigestChallenge c = server.challenges(false).get(0);
    DigestChallenge otherRealm = new DigestChallenge("elsewhere", c.nonce(), null, c.algorithm(), c.qop(), false);
    assertInstanceOf(DigestServer.Verdict.Challenge.class, verify(answer(otherRealm, "alice", "wonderland")));
    DigestChallenge sess = new DigestChallenge("tandem", c.nonce(), null, DigestAlgorithm.MD5_SESS, c.qop(), false);
    assertInstanceOf(DigestServer.Verdict.Challenge.class, verify(answer(sess, "alice", "wonderland")));
  }

  @Test
  void aDigestUriOtherThanTheRequestUriIsABadRequest() {
    DigestChallenge c = server.challenges(false).get(0);
    DigestCredentials creds = client.answer(c, "INVITE", "sip:other@tandem.example", "alice", "wonderland").orElseThrow();
    assertInstanceOf(DigestServer.Verdict.BadRequest.class, verify(creds));
  }

  @Test
  void credentialsWithoutQopAreForbidden() {
    DigestChallenge c = server.challenges(false).get(1);
    DigestChallenge legacy = new DigestChallenge(c.realm(), c.nonce(), null, c.algorithm(), List.of(), false);
    assertInstanceOf(DigestServer.Verdict.Forbidden.class, verify(answer(legacy, "alice", "wonderland")));
  }

  @Test
  void theNonceTableStaysWithinItsCapAndRefusesWhatItDropped() {
    DigestServer small = new DigestServer("tandem", List.of(DigestAlgorithm.MD5), Duration.ofSeconds(300), 2, clock);
    DigestCredentials[] used = new DigestCredentials[3];
    for (int i = 0; i < 3; i++) {
      used[i] = answer(small.challenges(false).get(0), "alice", "wonderland");
      clock.advance(Duration.ofMillis(1));
      assertInstanceOf(DigestServer.Verdict.Accepted.class, small.verify(used[i], "INVITE", URI, USERS));
    }
    assertEquals(2, small.trackedNonces());
    assertInstanceOf(DigestServer.Verdict.Stale.class, small.verify(used[0], "INVITE", URI, USERS),
        "the dropped nonce's history is lost: refused, not taken for a first use");
    clock.advance(Duration.ofSeconds(301));
    DigestCredentials fresh = answer(small.challenges(false).get(0), "alice", "wonderland");
    assertInstanceOf(DigestServer.Verdict.Accepted.class, small.verify(fresh, "INVITE", URI, USERS));
    assertEquals(1, small.trackedNonces(), "expired nonces are purged");
  }

  private static SipRequest invite(HeaderName header, String... values) {
    SipRequest.Builder b = SipRequest.builder(Method.INVITE, SipUri.parse(URI))
        .header(HeaderName.VIA, Via.of("UDP", "192.0.2.10", 5060, "z9hG4bK-1"))
        .header(HeaderName.MAX_FORWARDS, "70")
        .header(HeaderName.FROM, NameAddr.of(SipUri.parse("sip:alice@192.0.2.10")).withTag("f1"))
        .header(HeaderName.TO, NameAddr.of(SipUri.parse(URI)))
        .header(HeaderName.CALL_ID, "c1")
        .header(HeaderName.CSEQ, new CSeq(2, Method.INVITE));
    for (String v : values) {
      b.header(header, v);
    }
    return b.build();
  }

  @Test
  void checkFindsTheCredentialsForItsRealmAmongOthers() {
    DigestCredentials mine = answer(server.challenges(false).get(0), "alice", "wonderland");
    String theirs = "Digest username=\"x\", realm=\"upstream\", nonce=\"n\", uri=\"" + URI + "\", response=\"0\"";
    SipRequest request = invite(HeaderName.PROXY_AUTHORIZATION, theirs, mine.render());
    assertEquals(new DigestServer.Verdict.Accepted("alice"), server.check(request, true, USERS));
    assertInstanceOf(DigestServer.Verdict.Challenge.class, server.check(request, false, USERS),
        "the credentials are in Proxy-Authorization, not Authorization");
  }

  @Test
  void checkWithoutCredentialsChallengesAndWithBrokenOnesIsABadRequest() {
    assertInstanceOf(DigestServer.Verdict.Challenge.class, server.check(invite(HeaderName.AUTHORIZATION), false, USERS));
    SipRequest broken = invite(HeaderName.AUTHORIZATION, "Digest realm=\"tandem\", nonce=\"n\"");
    assertInstanceOf(DigestServer.Verdict.BadRequest.class, server.check(broken, false, USERS));
  }
}
