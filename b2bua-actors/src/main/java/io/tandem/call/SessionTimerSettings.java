package io.tandem.call;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;

/**
 * RFC 4028 session timers as Tandem runs them on each leg ({@code tandem.call.session-timer}).
 *
 * @param enabled false: Tandem neither asks for nor answers with Session-Expires, and ignores
 *     the peers' (their requests cross as before)
 * @param sessionExpires the session interval Tandem asks for on leg B and grants at most on leg A
 * @param minSe the shortest interval Tandem accepts: a leg-A INVITE asking for less gets 422
 *     with this as Min-SE. RFC 4028 section 5 puts the floor on the wire at 90 s; the setting
 *     is not checked against it, so that tests can run with seconds
 * @param refresh how Tandem refreshes a session where it is the refresher
 */
public record SessionTimerSettings(boolean enabled, Duration sessionExpires, Duration minSe, Refresh refresh) {
  /** The request Tandem refreshes a session with (RFC 4028 section 7.4: re-INVITE or UPDATE). */
  public enum Refresh {
    /** UPDATE when the peer's Allow lists it, else re-INVITE. */
    AUTO,
    UPDATE,
    INVITE
  }

  /** The reference.conf defaults. */
  public static final SessionTimerSettings DEFAULTS =
      new SessionTimerSettings(true, Duration.ofSeconds(1800), Duration.ofSeconds(90), Refresh.AUTO);

  public SessionTimerSettings {
    if (minSe.getSeconds() < 1) {
      throw new IllegalArgumentException("tandem.call.session-timer.min-se must be at least 1s, is " + minSe);
    }
    if (sessionExpires.compareTo(minSe) < 0) {
      throw new IllegalArgumentException("tandem.call.session-timer.session-expires (" + sessionExpires
          + ") must not be below min-se (" + minSe + ")");
    }
  }

  /** Reads {@code session-timer} from the {@code tandem.call} section {@code call}. */
  static SessionTimerSettings fromConfig(Config call) {
    Config c = call.getConfig("session-timer");
    String refresh = c.getString("refresh");
    try {
      return new SessionTimerSettings(c.getBoolean("enabled"), c.getDuration("session-expires"),
          c.getDuration("min-se"), Refresh.valueOf(refresh.toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("tandem.")) {
        throw e;
      }
      throw new IllegalArgumentException(
          "tandem.call.session-timer.refresh must be auto, update or invite, is " + refresh, e);
    }
  }
}
