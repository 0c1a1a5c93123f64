package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Raw messages for the message-model tests, parsed as one UDP datagram each. */
final class TestMessages {
  /** The header fields every base message carries, replaced by a field of the same name. */
  private static final List<String[]> BASE =
      List.of(
          new String[] {"Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-base"},
          new String[] {"From", "<sip:alice@atlanta.example>;tag=f1"},
          new String[] {"To", "<sip:bob@biloxi.example>"},
          new String[] {"Call-ID", "base@192.0.2.1"},
          new String[] {"CSeq", "1 INVITE"});

  private TestMessages() {}

  /** What the parser makes of {@code raw} (UTF-8 octets). */
  static ParseResult parseResult(String raw) {
    return parseResult(raw.getBytes(StandardCharsets.UTF_8));
  }

  static ParseResult parseResult(byte[] raw) {
    return new SipParser(ParserLimits.DEFAULTS).parseDatagram(raw);
  }

  /** The message {@code raw} holds; fails the test if the parser refuses it. */
  static SipMessage parse(String raw) {
    return parse(raw.getBytes(StandardCharsets.UTF_8));
  }

  static SipMessage parse(byte[] raw) {
    ParseResult r = parseResult(raw);
    return assertInstanceOf(ParseResult.Parsed.class, r, r::toString).message();
  }

  /**
   * A 200 response (no CSeq/method pairing to satisfy) with the base fields and then
   * {@code nameValuePairs} (name, value, name, value ...): the first pair whose name equals a
   * base field's name (long or compact, any case) takes that field's place; the other pairs are
   * appended in order.
   */
  static String response(String... nameValuePairs) {
    List<String[]> fields = new ArrayList<>(BASE);
    for (int i = 0; i < nameValuePairs.length; i += 2) {
      String[] field = {nameValuePairs[i], nameValuePairs[i + 1]};
      HeaderName name = HeaderName.of(field[0]);
      int at = -1;
      for (int j = 0; j < BASE.size(); j++) {
        if (HeaderName.of(BASE.get(j)[0]).equals(name) && fields.get(j) == BASE.get(j)) {
          at = j;
        }
      }
      if (at >= 0) {
        fields.set(at, field);
      } else {
        fields.add(field);
      }
    }
    StringBuilder out = new StringBuilder("SIP/2.0 200 OK\r\n");
    for (String[] f : fields) {
      out.append(f[0]).append(": ").append(f[1]).append("\r\n");
    }
    return out.append("\r\n").toString();
  }

  /** {@link #response} parsed. */
  static SipMessage responseWith(String... nameValuePairs) {
    return parse(response(nameValuePairs));
  }
}
