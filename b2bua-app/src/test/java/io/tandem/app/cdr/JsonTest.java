package io.tandem.app.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** CDR lines stay one valid JSON line whatever the SIP messages held. */
class JsonTest {
  @Test
  void quoteAndBackslashAreEscaped() {
    assertEquals("\"a\\\"b\\\\c\"", Json.quote("a\"b\\c"));
  }

  @Test
  void controlCharactersNeverBreakTheLine() {
    assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001f\"", Json.quote("\n\r\t\b\f\u0000\u001f"));
  }

  @Test
  void lineSeparatorsAndLoneSurrogatesAreEscaped() {
    assertEquals("\"\\u2028\\u2029\\ud800x\"", Json.quote("\u2028\u2029\ud800x"));
  }

  @Test
  void otherCharactersAreKeptAsWritten() {
    assertEquals("\"+44 20 / caf\u00e9 \ud83d\ude00 <sip:a@b>\"", Json.quote("+44 20 / caf\u00e9 \ud83d\ude00 <sip:a@b>"));
  }

  @Test
  void membersAndElementsAreSeparatedByCommas() {
    Json j = new Json().beginObject().field("a", "x").field("n", 3).field("none", null).beginArray("list");
    j.element("p").element("q").beginObject().field("k", 1).endObject().endArray().bool("ok", true).endObject();
    assertEquals("{\"a\":\"x\",\"n\":3,\"none\":null,\"list\":[\"p\",\"q\",{\"k\":1}],\"ok\":true}", j.toString());
  }
}
