package io.tandem.transaction;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The base timers of RFC 3261 section 17 (table 4 of appendix A), from which every
 * transaction timer is derived.
 *
 * <table>
 *   <caption>Settings under {@code tandem.sip.timers}</caption>
 *   <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>t1</td><td>500 ms</td><td>RTT estimate; first retransmission interval (A, E, G)
 *       and 64*T1 for B, F, H, J, L, M</td></tr>
 *   <tr><td>t2</td><td>4 s</td><td>cap of the non-INVITE and INVITE-response retransmission
 *       interval</td></tr>
 *   <tr><td>t4</td><td>5 s</td><td>longest a message stays in the network: timers I, K</td></tr>
 *   <tr><td>timer-d</td><td>32 s</td><td>client INVITE wait for response retransmissions over
 *       an unreliable transport (RFC 3261: at least 32 s)</td></tr>
 *   <tr><td>trying-delay</td><td>200 ms</td><td>server INVITE: send 100 Trying if the user has
 *       sent no response within this (RFC 3261 section 17.2.1)</td></tr>
 * </table>
 */
public record TimerSettings(
    Duration t1, Duration t2, Duration t4, Duration timerD, Duration tryingDelay) {

  /** The RFC 3261 defaults. */
  public static final TimerSettings DEFAULTS =
      new TimerSettings(
          Duration.ofMillis(500),
          Duration.ofSeconds(4),
          Duration.ofSeconds(5),
          Duration.ofSeconds(32),
          Duration.ofMillis(200));

  public TimerSettings {
    requirePositive("t1", t1);
    requirePositive("t2", t2);
    requirePositive("t4", t4);
    requirePositive("timer-d", timerD);
    requirePositive("trying-delay", tryingDelay);
    if (t2.compareTo(t1) < 0) {
      throw new IllegalArgumentException("tandem.sip.timers.t2 must be >= t1, is " + t2);
    }
  }

  /** Reads {@code tandem.sip.timers} (see reference.conf). */
  public static TimerSettings fromConfig(Config config) {
    Config c = config.getConfig("tandem.sip.timers");
    return new TimerSettings(
        c.getDuration("t1"),
        c.getDuration("t2"),
        c.getDuration("t4"),
        c.getDuration("timer-d"),
        c.getDuration("trying-delay"));
  }

  /** 64*T1: timers B, F, H, J (unreliable), L and M. */
  public Duration sixtyFourT1() {
    return t1.multipliedBy(64);
  }

  /** Timer B: client INVITE gives up waiting for any response. */
  public Duration timerB() {
    return sixtyFourT1();
  }

  /** Timer F: client non-INVITE gives up waiting for a final response. */
  public Duration timerF() {
    return sixtyFourT1();
  }

  /** Timer H: server INVITE gives up waiting for the ACK to its non-2xx final. */
  public Duration timerH() {
    return sixtyFourT1();
  }

  /** Timer D: client INVITE Completed wait; zero over a reliable transport. */
  public Duration timerD(boolean reliable) {
    return reliable ? Duration.ZERO : timerD;
  }

  /** Timer I: server INVITE Confirmed wait for ACK retransmissions; zero if reliable. */
  public Duration timerI(boolean reliable) {
    return reliable ? Duration.ZERO : t4;
  }

  /** Timer J: server non-INVITE Completed wait; zero if reliable. */
  public Duration timerJ(boolean reliable) {
    return reliable ? Duration.ZERO : sixtyFourT1();
  }

  /** Timer K: client non-INVITE Completed wait; zero if reliable. */
  public Duration timerK(boolean reliable) {
    return reliable ? Duration.ZERO : t4;
  }

  /** Timer L (RFC 6026): server INVITE Accepted wait for 2xx ACKs / retransmitted INVITEs. */
  public Duration timerL() {
    return sixtyFourT1();
  }

  /** Timer M (RFC 6026): client INVITE Accepted wait for 2xx retransmissions. */
  public Duration timerM() {
    return sixtyFourT1();
  }

  /** The retransmission interval after {@code previous}: doubled, capped at T2 (17.1.2.2). */
  public Duration nextInterval(Duration previous) {
    Duration doubled = previous.multipliedBy(2);
    return doubled.compareTo(t2) > 0 ? t2 : doubled;
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("tandem.sip.timers." + name + " must be > 0, is " + d);
    }
  }
}
