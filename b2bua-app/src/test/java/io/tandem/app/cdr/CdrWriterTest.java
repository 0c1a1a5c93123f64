package io.tandem.app.cdr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CDR files: one line per record, a new file each UTC day, nothing after close. */
class CdrWriterTest {
  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @TempDir
  Path dir;

  private CdrSettings settings(CdrSettings.Rotate rotate) {
    return new CdrSettings(true, dir.resolve("cdr"), "tandem-cdr", rotate, 100);
  }

  @Test
  void aNewFileStartsAtUtcMidnight() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-03-01T23:59:59.500Z"));
    CdrWriter writer = new CdrWriter(settings(CdrSettings.Rotate.DAILY), clock);
    writer.write("{\"n\":1}");
    writer.write("{\"n\":2}");
    clock.advance(Duration.ofSeconds(1));
    writer.write("{\"n\":3}");
    writer.close();

    assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), Files.readAllLines(dir.resolve("cdr/tandem-cdr-2026-03-01.jsonl")));
    assertEquals(List.of("{\"n\":3}"), Files.readAllLines(dir.resolve("cdr/tandem-cdr-2026-03-02.jsonl")));
    assertEquals(3, writer.written());
  }

  @Test
  void withoutRotationOneFileTakesEveryDayAndIsAppendedTo() throws Exception {
    TestClock clock = new TestClock(Instant.parse("2026-03-01T12:00:00Z"));
    CdrWriter first = new CdrWriter(settings(CdrSettings.Rotate.NEVER), clock);
    first.write("{\"n\":1}");
    first.close();
    clock.advance(Duration.ofDays(2));
    CdrWriter second = new CdrWriter(settings(CdrSettings.Rotate.NEVER), clock);
    second.write("{\"n\":2}");
    second.close();

    assertEquals(List.of("{\"n\":1}", "{\"n\":2}"), Files.readAllLines(dir.resolve("cdr/tandem-cdr.jsonl")));
  }

  @Test
  void aClosedWriterDropsAndCounts() {
    CdrWriter writer = new CdrWriter(settings(CdrSettings.Rotate.DAILY), Clock.systemUTC());
    writer.close();
    assertFalse(writer.write("{}"));
    assertEquals(1, writer.dropped());
  }
}
