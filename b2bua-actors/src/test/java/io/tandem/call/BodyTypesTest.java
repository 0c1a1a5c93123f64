package io.tandem.call;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** tandem.call.accepted-body-types as the settings read it. */
class BodyTypesTest {
  @Test
  void theDefaultsAreSdpMultipartAndIsup() {
    CallSettings s = CallSettings.fromConfig(ConfigFactory.load());
    assertEquals(List.of("application/sdp", "multipart/mixed", "application/isup"), s.acceptedBodyTypes());
  }

  @Test
  void typesAreKeptInLowerCaseOnceEach() {
    CallSettings s = CallSettings.fromConfig(ConfigFactory.parseString(
        "tandem.call.accepted-body-types = [\"Application/SDP\", \"application/sdp\", \" application/x-private \"]")
        .withFallback(ConfigFactory.load()));
    assertEquals(List.of("application/sdp", "application/x-private"), s.acceptedBodyTypes());
    assertEquals(List.of("application/sdp", "application/x-private", "application/isup"),
        BodyTypes.union(s.acceptedBodyTypes(), List.of("application/isup", "application/sdp")));
  }

  @Test
  void aTypeThatIsNoMediaTypeOrNoneAtAllIsRefusedNamingTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CallSettings.fromConfig(
        ConfigFactory.parseString("tandem.call.accepted-body-types = [isup]").withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().startsWith("tandem.call.accepted-body-types: 'isup'"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> CallSettings.fromConfig(
        ConfigFactory.parseString("tandem.call.accepted-body-types = []").withFallback(ConfigFactory.load())));
    assertTrue(e.getMessage().startsWith("tandem.call.accepted-body-types"), e.getMessage());
  }
}
