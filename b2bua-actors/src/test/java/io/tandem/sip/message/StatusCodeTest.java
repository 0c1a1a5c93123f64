package io.tandem.sip.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.sip.message.StatusCode.StatusClass;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Status codes: the reason phrases of RFC 3261 section 21 and its extensions, and the six classes. */
class StatusCodeTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', value = {
    "100 | Trying", "180 | Ringing", "181 | Call Is Being Forwarded", "182 | Queued",
    "183 | Session Progress", "199 | Early Dialog Terminated", "200 | OK", "202 | Accepted",
    "204 | No Notification", "300 | Multiple Choices", "301 | Moved Permanently",
    "302 | Moved Temporarily", "305 | Use Proxy", "380 | Alternative Service", "400 | Bad Request",
    "401 | Unauthorized", "402 | Payment Required", "403 | Forbidden", "404 | Not Found",
    "405 | Method Not Allowed", "406 | Not Acceptable", "407 | Proxy Authentication Required",
    "408 | Request Timeout", "410 | Gone", "413 | Request Entity Too Large",
    "414 | Request-URI Too Long", "415 | Unsupported Media Type", "416 | Unsupported URI Scheme",
    "420 | Bad Extension", "421 | Extension Required", "422 | Session Interval Too Small",
    "423 | Interval Too Brief", "480 | Temporarily Unavailable",
    "481 | Call/Transaction Does Not Exist", "482 | Loop Detected", "483 | Too Many Hops",
    "484 | Address Incomplete", "485 | Ambiguous", "486 | Busy Here", "487 | Request Terminated",
    "488 | Not Acceptable Here", "489 | Bad Event", "491 | Request Pending", "493 | Undecipherable",
    "494 | Security Agreement Required", "500 | Server Internal Error", "501 | Not Implemented",
    "502 | Bad Gateway", "503 | Service Unavailable", "504 | Server Time-out",
    "505 | Version Not Supported", "513 | Message Too Large", "600 | Busy Everywhere",
    "603 | Decline", "604 | Does Not Exist Anywhere", "606 | Not Acceptable"
  })
  void registeredCodeHasItsReasonPhrase(int code, String phrase) {
    assertEquals(phrase, StatusCode.reasonPhrase(code));
    assertTrue(StatusCode.isKnown(code));
  }

  /** RFC 3261 section 8.1.3.2: an unknown code is treated as the x00 code of its class. */
  @ParameterizedTest(name = "{0} reads as {1}")
  @CsvSource(delimiter = '|', value = {"199 | Early Dialog Terminated", "299 | OK", "399 | Multiple Choices",
      "499 | Bad Request", "599 | Server Internal Error", "699 | Busy Everywhere"})
  void unregisteredCodeTakesThePhraseOfItsClass(int code, String phrase) {
    assertEquals(phrase, StatusCode.reasonPhrase(code));
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "100, PROVISIONAL", "199, PROVISIONAL", "200, SUCCESS", "299, SUCCESS", "300, REDIRECTION",
    "399, REDIRECTION", "400, CLIENT_ERROR", "499, CLIENT_ERROR", "500, SERVER_ERROR",
    "599, SERVER_ERROR", "600, GLOBAL_FAILURE", "699, GLOBAL_FAILURE"
  })
  void classOfBoundaries(int code, StatusClass expected) {
    assertEquals(expected, StatusCode.classOf(code));
    assertTrue(StatusCode.isValid(code));
  }

  @ParameterizedTest(name = "{0} is no status code")
  @ValueSource(ints = {Integer.MIN_VALUE, -200, 0, 99, 700, 999, 1000})
  void classOfOutsideOneHundredToSixNinetyNineIsRefused(int code) {
    assertThrows(IllegalArgumentException.class, () -> StatusCode.classOf(code));
    assertFalse(StatusCode.isValid(code));
  }

  @Test
  void provisionalAndFinalBoundaries() {
    assertFalse(StatusCode.isProvisional(99));
    assertTrue(StatusCode.isProvisional(100));
    assertTrue(StatusCode.isProvisional(199));
    assertFalse(StatusCode.isProvisional(200));
    assertFalse(StatusCode.isFinal(199));
    assertTrue(StatusCode.isFinal(200));
    assertTrue(StatusCode.isFinal(699));
    assertFalse(StatusCode.isFinal(700));
    assertTrue(StatusCode.isSuccess(299));
    assertFalse(StatusCode.isSuccess(300));
  }

  @Test
  void parsedResponseOfAnUnregisteredCodeHasItsClassAndItsOwnPhrase() {
    String raw = TestMessages.response().replace("SIP/2.0 200 OK", "SIP/2.0 499 Very Custom");
    SipResponse r = (SipResponse) TestMessages.parse(raw);
    assertEquals(StatusClass.CLIENT_ERROR, r.statusClass());
    assertEquals("Very Custom", r.reasonPhrase());
  }
}
