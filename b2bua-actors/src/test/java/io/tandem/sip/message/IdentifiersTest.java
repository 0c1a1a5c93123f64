package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IdentifiersTest {
  /** RFC 3261 section 19.3: a tag is a token, and no two calls share one. */
  @Test
  void tagsAreSixtyFourBitHexTokensThatDoNotRepeat() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String tag = Identifiers.newTag();
      assertTrue(tag.matches("[0-9a-f]{16}"), tag);
      seen.add(tag);
    }
    assertEquals(10_000, seen.size());
  }
}
