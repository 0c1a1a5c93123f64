package io.tandem.call;

import com.typesafe.config.Config;
import io.tandem.sip.message.HeaderName;
import java.time.Duration;
import java.util.List;

/**
 * The call layer's settings ({@code tandem.call} in reference.conf).
 *
 * @param provisionalTimeout a leg-B INVITE with no provisional response within this fails over
 *     to the next destination
 * @param maxDuration an answered call is ended with BYE on both legs after this; zero = no limit
 * @param copyHeaders headers copied from one leg to the other besides the body (the identities
 *     and tags of each leg never cross)
 * @param referSubscription the expiry the implicit subscription of a REFER Tandem acts on
 *     announces in its first NOTIFY (RFC 3515 section 2.4.4); Tandem ends it with the final
 *     NOTIFY of the transfer
 * @param sessionTimer RFC 4028 session timers, negotiated on each leg on its own
 * @param acceptedBodyTypes the body types a new call's INVITE may carry ("type/subtype", lower
 *     case; a route may add more): another gets 415, an Accept naming none of them 406
 */
public record CallSettings(Duration provisionalTimeout, Duration maxDuration, List<HeaderName> copyHeaders,
    Duration referSubscription, SessionTimerSettings sessionTimer, List<String> acceptedBodyTypes) {
  /** Headers that belong to one leg only; copying one would leak a leg's topology or break it. */
  private static final List<HeaderName> PER_LEG = List.of(
      HeaderName.VIA, HeaderName.FROM, HeaderName.TO, HeaderName.CALL_ID, HeaderName.CSEQ,
      HeaderName.CONTACT, HeaderName.ROUTE, HeaderName.RECORD_ROUTE, HeaderName.MAX_FORWARDS,
      HeaderName.CONTENT_LENGTH, HeaderName.CONTENT_TYPE, HeaderName.RSEQ, HeaderName.RACK,
      HeaderName.SESSION_EXPIRES, HeaderName.MIN_SE);

  /** What tandem.call.accepted-body-types is by default: SDP, multipart bodies, and SIP-I/SIP-T's ISUP. */
  static final List<String> DEFAULT_BODY_TYPES = List.of("application/sdp", "multipart/mixed", "application/isup");

  /** The reference.conf defaults. */
  public static final CallSettings DEFAULTS = new CallSettings(
      Duration.ofSeconds(8), Duration.ZERO, List.of(HeaderName.P_ASSERTED_IDENTITY, HeaderName.PRIVACY),
      Duration.ofSeconds(60), SessionTimerSettings.DEFAULTS, DEFAULT_BODY_TYPES);

  public CallSettings {
    if (provisionalTimeout.isNegative() || provisionalTimeout.isZero()) {
      throw new IllegalArgumentException("tandem.call.provisional-timeout must be positive, is " + provisionalTimeout);
    }
    if (maxDuration.isNegative()) {
      throw new IllegalArgumentException("tandem.call.max-duration must not be negative, is " + maxDuration);
    }
    for (HeaderName h : copyHeaders) {
      if (PER_LEG.contains(h)) {
        throw new IllegalArgumentException(
            "tandem.call.copy-headers: " + h.name() + " belongs to one leg and is never copied");
      }
    }
    copyHeaders = List.copyOf(copyHeaders);
    if (referSubscription.getSeconds() < 1) {
      throw new IllegalArgumentException(
          "tandem.call.refer-subscription must be at least 1s, is " + referSubscription);
    }
    if (acceptedBodyTypes.isEmpty()) {
      throw new IllegalArgumentException("tandem.call.accepted-body-types: at least one type (application/sdp)");
    }
    acceptedBodyTypes = acceptedBodyTypes.stream()
        .map(t -> BodyTypes.normalise(t, "tandem.call.accepted-body-types")).distinct().toList();
  }

  /** Settings with the default accepted body types. */
  public CallSettings(Duration provisionalTimeout, Duration maxDuration, List<HeaderName> copyHeaders,
      Duration referSubscription, SessionTimerSettings sessionTimer) {
    this(provisionalTimeout, maxDuration, copyHeaders, referSubscription, sessionTimer, DEFAULT_BODY_TYPES);
  }

  /** Settings with the default REFER subscription expiry and session timers. */
  public CallSettings(Duration provisionalTimeout, Duration maxDuration, List<HeaderName> copyHeaders) {
    this(provisionalTimeout, maxDuration, copyHeaders, DEFAULTS.referSubscription());
  }

  /** Settings with the default session timers. */
  public CallSettings(Duration provisionalTimeout, Duration maxDuration, List<HeaderName> copyHeaders,
      Duration referSubscription) {
    this(provisionalTimeout, maxDuration, copyHeaders, referSubscription, DEFAULTS.sessionTimer());
  }

  /**
   * A body type as the settings keep it ("type/subtype", lower case), for a route's
   * accept-body-types too; an error naming {@code where} for one that is not a type.
   */
  public static String bodyType(String type, String where) {
    return BodyTypes.normalise(type, where);
  }

  /** Reads {@code tandem.call}. */
  public static CallSettings fromConfig(Config config) {
    Config c = config.getConfig("tandem.call");
    return new CallSettings(
        c.getDuration("provisional-timeout"),
        c.getDuration("max-duration"),
        c.getStringList("copy-headers").stream().map(HeaderName::of).toList(),
        c.getDuration("refer-subscription"),
        SessionTimerSettings.fromConfig(c),
        c.getStringList("accepted-body-types"));
  }
}
