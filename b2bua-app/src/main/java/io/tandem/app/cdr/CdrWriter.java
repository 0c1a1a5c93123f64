package io.tandem.app.cdr;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends call detail records, one line each, to the current file, on a thread of its own: a
 * caller only offers a line to a bounded queue, and a full queue drops the line and counts it
 * (a call never waits on a disk). Files rotate by the UTC day of the moment a line was offered.
 */
public final class CdrWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CdrWriter.class);
  private static final String SUFFIX = ".jsonl";

  private record Line(Instant at, String text) {}

  private static final Line END = new Line(Instant.EPOCH, "");

  private final CdrSettings settings;
  private final Clock clock;
  private final BlockingQueue<Line> queue;
  private final LongAdder written = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final Thread thread;
  private volatile boolean closing;

  private BufferedWriter out;
  private Path current;

  /** Starts the writer thread; {@code clock} dates each line (and so picks its file). */
  public CdrWriter(CdrSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(settings.queueSize() + 1); // + 1: room for END
    this.thread = new Thread(this::run, "tandem-cdr-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code line} (one JSON object, no line end); false if it was dropped. */
  public boolean write(String line) {
    if (closing || queue.remainingCapacity() <= 1 || !queue.offer(new Line(clock.instant(), line))) {
      dropped.increment();
      return false;
    }
    return true;
  }

  /** The file a line written at {@code at} goes to. */
  Path fileFor(Instant at) {
    String name = settings.rotate() == CdrSettings.Rotate.DAILY
        ? settings.filePrefix() + "-" + LocalDate.ofInstant(at, ZoneOffset.UTC) + SUFFIX
        : settings.filePrefix() + SUFFIX;
    return settings.directory().resolve(name);
  }

  public long written() {
    return written.sum();
  }

  /** Lines dropped because the queue was full (or the writer closing). */
  public long dropped() {
    return dropped.sum();
  }

  /** Lines lost to a write error (logged). */
  public long failed() {
    return failed.sum();
  }

  private void run() {
    try {
      for (Line line = queue.take(); line != END; line = queue.take()) {
        append(line);
        if (queue.isEmpty()) {
          flush(); // an idle writer leaves nothing in its buffer
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeFile();
    }
  }

  private void append(Line line) {
    try {
      Path file = fileFor(line.at());
      if (!file.equals(current)) {
        closeFile();
        Files.createDirectories(file.getParent() == null ? Path.of(".") : file.getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
        current = file;
      }
      out.write(line.text());
      out.write('\n');
      written.increment();
    } catch (IOException | UncheckedIOException e) {
      failed.increment();
      LOG.warn("CDR not written to {}: {}", current, e.toString());
      closeFile();
    }
  }

  private void flush() {
    if (out != null) {
      try {
        out.flush();
      } catch (IOException e) {
        LOG.warn("CDR file {} not flushed: {}", current, e.toString());
      }
    }
  }

  private void closeFile() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        LOG.warn("CDR file {} not closed: {}", current, e.toString());
      }
    }
    out = null;
    current = null;
  }

  /** Writes what is queued, closes the file and stops the thread (waiting up to 5 s). */
  @Override
  public void close() {
    closing = true;
    queue.offer(END);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
