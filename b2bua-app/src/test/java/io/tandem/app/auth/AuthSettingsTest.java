package io.tandem.app.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.auth.DigestAlgorithm;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading tandem.auth: the documented defaults, and each error naming its key. */
class AuthSettingsTest {
  private static AuthSettings read(String overrides) {
    return AuthSettings.fromConfig(ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()));
  }

  @Test
  void referenceDefaults() {
    AuthSettings s = read("");
    assertEquals("tandem", s.realm());
    assertEquals(407, s.challengeStatus());
    assertEquals(List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5), s.algorithms(), "RFC 8760: SHA-256 first");
    assertEquals(Duration.ofSeconds(300), s.nonceTtl());
    assertEquals(100_000, s.maxTrackedNonces());
    assertTrue(s.users().isEmpty());
    assertTrue(s.trustedSources().isEmpty());
  }

  @Test
  void usersAndTrustedSources() {
    AuthSettings s = read("tandem.auth { users { alice = \"wonderland\", \"+15551234567\" = pw },"
        + " trusted-sources = [\"10.0.0.0/8\", \"192.0.2.17\", \"2001:db8::/32\"], challenge-status = 401 }");
    assertEquals(Map.of("alice", "wonderland", "+15551234567", "pw"), s.users());
    assertEquals(401, s.challengeStatus());
    assertFalse(s.toString().contains("wonderland"), "passwords are never printed");
    assertEquals(3, s.trustedSources().size());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "bad status     | tandem.auth.challenge-status = 403            | tandem.auth.challenge-status",
      "bad algorithm  | tandem.auth.algorithms = [SHA-512]              | tandem.auth.algorithms",
      "no algorithm   | tandem.auth.algorithms = []                    | tandem.auth.algorithms",
      "twice          | tandem.auth.algorithms = [MD5, md5]            | tandem.auth.algorithms",
      "zero ttl       | tandem.auth.nonce-ttl = 0s                     | tandem.auth.nonce-ttl",
      "no nonces      | tandem.auth.max-tracked-nonces = 0             | tandem.auth.max-tracked-nonces",
      "bad cidr       | tandem.auth.trusted-sources = [\"10.0.0.0/33\"] | tandem.auth.trusted-sources",
      "host name      | tandem.auth.trusted-sources = [\"pbx.example\"] | tandem.auth.trusted-sources",
      "number pw      | tandem.auth.users { bob = {} }                  | tandem.auth.users.bob",
  })
  void errorsNameTheirKey(String name, String config, String key) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(config), name);
    assertTrue(e.getMessage().startsWith(key), e.getMessage());
  }

  @Test
  void cidrMatching() throws Exception {
    Cidr v4 = Cidr.parse("192.0.2.0/23");
    assertTrue(v4.contains(InetAddress.getByName("192.0.3.255")));
    assertFalse(v4.contains(InetAddress.getByName("192.0.4.0")));
    assertFalse(v4.contains(InetAddress.getByName("::1")), "no IPv4 address in an IPv6 network and back");
    assertTrue(Cidr.parse("127.0.0.2").contains(InetAddress.getByName("127.0.0.2")));
    assertFalse(Cidr.parse("127.0.0.2").contains(InetAddress.getByName("127.0.0.1")));
    assertTrue(Cidr.parse("2001:db8::/32").contains(InetAddress.getByName("2001:db8:ffff::1")));
    assertTrue(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("203.0.113.9")));
  }
}
