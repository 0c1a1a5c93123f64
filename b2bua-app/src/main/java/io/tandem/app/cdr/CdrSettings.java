package io.tandem.app.cdr;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code tandem.cdr}: whether call detail records are written, where, and how files rotate.
 *
 * @param queueSize records waiting for the writer at most; more are dropped (and counted)
 */
public record CdrSettings(boolean enabled, Path directory, String filePrefix, Rotate rotate, int queueSize) {
  /** When a new file starts. */
  public enum Rotate {
    /** One file per UTC day: PREFIX-YYYY-MM-DD.jsonl. */
    DAILY,
    /** One file for ever: PREFIX.jsonl. */
    NEVER
  }

  public CdrSettings {
    if (queueSize < 1) {
      throw new IllegalArgumentException("tandem.cdr.queue-size must be at least 1, not " + queueSize);
    }
    if (filePrefix.isBlank() || filePrefix.contains("/") || filePrefix.contains("\\")) {
      throw new IllegalArgumentException("tandem.cdr.file-prefix must be a plain file name: " + filePrefix);
    }
  }

  public static CdrSettings fromConfig(Config config) {
    Config c = config.getConfig("tandem.cdr");
    String rotate = c.getString("rotate").toUpperCase(Locale.ROOT);
    if (!rotate.equals("DAILY") && !rotate.equals("NEVER")) {
      throw new IllegalArgumentException("tandem.cdr.rotate must be daily or never, not " + c.getString("rotate"));
    }
    return new CdrSettings(c.getBoolean("enabled"), Path.of(c.getString("directory")), c.getString("file-prefix"),
        Rotate.valueOf(rotate), c.getInt("queue-size"));
  }
}
