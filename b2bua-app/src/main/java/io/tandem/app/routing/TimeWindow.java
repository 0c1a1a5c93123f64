package io.tandem.app.routing;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Set;

/**
 * A route's {@code match.time}: the days of the week and the time of day, in one time zone,
 * when the route takes calls (office hours, night service).
 *
 * <p>The window includes {@code from} and excludes {@code to}. When {@code to} is not after
 * {@code from} the window runs through midnight (22:00 to 06:00), and the day that counts is
 * the one it started on: Friday 22:00 to 06:00 takes a call at 01:00 on Saturday.
 *
 * @param days the days the window opens on; all seven when the key is left out
 * @param from the time it opens
 * @param to the time it closes
 * @param zone the zone of the days and times
 */
record TimeWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) {

  TimeWindow {
    days = days.isEmpty() ? EnumSet.allOf(DayOfWeek.class) : EnumSet.copyOf(days);
  }

  /** Whether the window is open at {@code now}. */
  boolean contains(Instant now) {
    ZonedDateTime t = now.atZone(zone);
    LocalTime time = t.toLocalTime();
    DayOfWeek day = t.getDayOfWeek();
    if (from.isBefore(to)) {
      return days.contains(day) && !time.isBefore(from) && time.isBefore(to);
    }
    // Through midnight: the evening part belongs to today, the early part to yesterday.
    return (days.contains(day) && !time.isBefore(from))
        || (days.contains(day.minus(1)) && time.isBefore(to));
  }
}
