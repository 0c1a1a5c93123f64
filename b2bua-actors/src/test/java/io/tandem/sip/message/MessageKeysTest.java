package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The keys the scanner records (top Via branch, From and To tags, Call-ID) equal what the typed
 * headers say, including when a parameter is repeated: the first one counts, as in
 * {@link Parameters#get} (a Jazzer finding: the scanner used to keep the last).
 */
class MessageKeysTest {
  @ParameterizedTest(name = "Via: {0} / From: {1} / To: {2}")
  @CsvSource(delimiter = '|', value = {
    "SIP/2.0/UDP h;branch=z9hG4bK1 | <sip:a@x>;tag=f1 | <sip:b@x> | z9hG4bK1 | f1 |",
    "SIP/2.0/UDP h;branch=z9hG4bK1;branch=z9hG4bK2 | <sip:a@x>;tag=f1;tag=f2 | <sip:b@x>;tag=t1;tag=t2 | z9hG4bK1 | f1 | t1",
    "SIP/2.0/UDP h;received=192.0.2.1 ;  BRANCH = z9hG4bKup , SIP/2.0/TCP g;branch=z9hG4bKsecond | sip:a@x;TAG=f9 | b <sip:b@x> | z9hG4bKup | f9 |",
    "SIP/2.0/UDP h | <sip:a@x> | <sip:b@x> | | |",
  })
  void recordedKeysEqualTheTypedHeaders(
      String via, String from, String to, String branch, String fromTag, String toTag) {
    SipMessage m = TestMessages.parse("OPTIONS sip:b@x SIP/2.0\r\nVia: " + via + "\r\nFrom: " + from
        + "\r\nTo: " + to + "\r\nCall-ID: k@h\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
    assertEquals(Optional.ofNullable(branch), m.topViaBranch());
    assertEquals(m.vias().get(0).branch(), m.topViaBranch());
    assertEquals(Optional.ofNullable(fromTag), m.fromTag());
    assertEquals(m.from().tag(), m.fromTag());
    assertEquals(Optional.ofNullable(toTag), m.toTag());
    assertEquals(m.to().tag(), m.toTag());
    assertEquals("k@h", m.callId());
  }
}
