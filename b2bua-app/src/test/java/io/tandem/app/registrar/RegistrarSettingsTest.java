package io.tandem.app.registrar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reading tandem.registrar: the documented defaults, and values that stop the start. */
class RegistrarSettingsTest {
  private static RegistrarSettings read(String overrides) {
    return RegistrarSettings.fromConfig(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference()));
  }

  @Test
  void referenceDefaults() {
    RegistrarSettings s = read("");
    assertFalse(s.enabled(), "off until REGISTER is authenticated");
    assertEquals(Set.of(), s.domains());
    assertEquals(Duration.ofSeconds(60), s.minExpires());
    assertEquals(Duration.ofSeconds(3600), s.maxExpires());
    assertEquals(Duration.ofSeconds(3600), s.defaultExpires());
    assertEquals(10_000, s.maxAors());
    assertEquals(10, s.maxBindingsPerAor());
    assertEquals(RegistrarSettings.SendCallsTo.AUTO, s.sendCallsTo());
  }

  @Test
  void domainsCompareWithoutCase() {
    RegistrarSettings s = read("tandem.registrar.domains = [\"PBX.Example.com\"]");
    assertTrue(s.serves("pbx.example.COM"));
    assertFalse(s.serves("example.com"));
  }

  @Test
  void badValuesNameTheirKey() {
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> read("tandem.registrar.send-calls-to = nat")).getMessage().contains("send-calls-to"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> read("tandem.registrar.default-expires = 10s")).getMessage().contains("default-expires"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> read("tandem.registrar.max-expires = 30s")).getMessage().contains("max-expires"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> read("tandem.registrar.max-aors = 0")).getMessage().contains("max-aors"));
  }
}
