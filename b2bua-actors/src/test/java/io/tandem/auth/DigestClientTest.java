package io.tandem.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The client side: what Tandem answers a carrier's challenge with. */
class DigestClientTest {
  private final DigestClient client = new DigestClient();

  @Test
  void answersQopAuthWithAFreshCnonceAndACountPerNonce() {
    DigestChallenge c = new DigestChallenge("carrier", "n1", "op", DigestAlgorithm.SHA_256, List.of("auth-int", "auth"), false);
    DigestCredentials first = client.answer(c, "INVITE", "sip:1@carrier", "tandem", "pw").orElseThrow();
    DigestCredentials second = client.answer(c, "INVITE", "sip:1@carrier", "tandem", "pw").orElseThrow();
    assertEquals("auth", first.qop());
    assertEquals("00000001", first.nc());
    assertEquals("00000002", second.nc());
    assertNotEquals(first.cnonce(), second.cnonce());
    assertEquals(32, first.cnonce().length(), "128 random bits in hex");
    assertEquals("op", first.opaque(), "opaque comes back unchanged");
    assertEquals(Digest.response(DigestAlgorithm.SHA_256, "tandem", "carrier", "pw", "INVITE", "sip:1@carrier", "n1",
        "00000001", first.cnonce(), "auth"), first.response());
    DigestChallenge other = new DigestChallenge("carrier", "n2", null, DigestAlgorithm.MD5, List.of("auth"), false);
    assertEquals("00000001", client.answer(other, "INVITE", "sip:1@carrier", "tandem", "pw").orElseThrow().nc());
  }

  @Test
  void answersALegacyChallengeWithoutQopCnonceOrCount() {
    DigestChallenge legacy = new DigestChallenge("carrier", "n", null, DigestAlgorithm.MD5, List.of(), false);
    DigestCredentials c = client.answer(legacy, "INVITE", "sip:1@carrier", "tandem", "pw").orElseThrow();
    assertNull(c.qop());
    assertNull(c.nc());
    assertNull(c.cnonce());
    assertEquals(Digest.response(DigestAlgorithm.MD5, "tandem", "carrier", "pw", "INVITE", "sip:1@carrier", "n",
        null, null, null), c.response());
    assertTrue(c.render().startsWith("Digest username=\"tandem\""));
  }

  @Test
  void cannotAnswerAuthIntOnly() {
    DigestChallenge c = new DigestChallenge("carrier", "n", null, DigestAlgorithm.MD5, List.of("auth-int"), false);
    assertTrue(client.answer(c, "INVITE", "sip:1@carrier", "tandem", "pw").isEmpty());
  }
}
