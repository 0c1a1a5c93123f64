package io.tandem.call;

import io.tandem.sip.message.SipMessage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The identity of one call (DESIGN section 4): derived from the leg-A Call-ID, and written into
 * everything Tandem generates for leg B (its Call-ID, From tag and Via branches), so that any
 * message of either leg names its call from its own bytes, with no lookup table shared
 * between nodes.
 *
 * @param value 16 lower-case hex digits
 */
public record CallKey(String value) {
  /** The prefix of every leg-B Call-ID, tag and branch suffix Tandem writes. */
  static final String MARK = "tdm";
  private static final String LEG_B_PREFIX = MARK + "-";
  /** How every Via branch of a call's request starts: the key follows. */
  static final String BRANCH_PREFIX = io.tandem.sip.message.Via.MAGIC_COOKIE + "-" + MARK + "-";

  public CallKey {
    if (value == null || !value.matches("[0-9a-f]{16}")) {
      throw new IllegalArgumentException("a call key is 16 hex digits: " + value);
    }
  }

  /** The key of the call that leg-A Call-ID {@code callId} starts. */
  public static CallKey ofLegA(String callId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(callId.getBytes(StandardCharsets.UTF_8));
      return new CallKey(HexFormat.of().formatHex(digest, 0, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** The key a leg-B message carries in its Call-ID, if Tandem generated that Call-ID. */
  public static Optional<CallKey> ofLegB(SipMessage message) {
    return ofLegBCallId(message.callId());
  }

  /** The key in {@code callId}, if Tandem generated that Call-ID for a leg B. */
  public static Optional<CallKey> ofLegBCallId(String callId) {
    return keyAfter(callId, LEG_B_PREFIX); // tdm-<16 hex>-<attempt>
  }

  /**
   * The key in a Via branch Tandem made for a call's request ({@code z9hG4bK-tdm-<key>-...}),
   * if {@code branch} is one.
   */
  public static Optional<CallKey> ofBranch(String branch) {
    return keyAfter(branch, BRANCH_PREFIX);
  }

  /** The key in {@code text} if it is {@code prefix}, 16 lower-case hex digits, '-' and more. */
  private static Optional<CallKey> keyAfter(String text, String prefix) {
    int end = prefix.length() + 16;
    if (text.length() <= end || !text.startsWith(prefix) || text.charAt(end) != '-') {
      return Optional.empty();
    }
    for (int i = prefix.length(); i < end; i++) {
      char c = text.charAt(i);
      if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
        return Optional.empty();
      }
    }
    return Optional.of(new CallKey(text.substring(prefix.length(), end)));
  }

  /** The attempt whose leg-B Call-ID {@code callId} is, for this key; -1 if it is none. */
  int attemptOf(String callId) {
    String prefix = MARK + "-" + value + "-";
    if (!callId.startsWith(prefix) || callId.length() == prefix.length() || callId.length() > prefix.length() + 9) {
      return -1;
    }
    int attempt = 0;
    for (int i = prefix.length(); i < callId.length(); i++) {
      char c = callId.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      attempt = attempt * 10 + (c - '0');
    }
    return attempt;
  }

  /** The leg-B Call-ID of attempt {@code attempt} (each destination tried is one attempt). */
  String legBCallId(int attempt) {
    return MARK + "-" + value + "-" + attempt;
  }

  @Override
  public String toString() {
    return value;
  }
}
