package io.tandem.sip.codec;

import com.typesafe.config.Config;

/**
 * The limits the parser enforces, each answered with its own status when exceeded.
 *
 * <table>
 *   <caption>Limits, defaults and what exceeding them gets</caption>
 *   <tr><th>limit</th><th>default</th><th>exceeded</th></tr>
 *   <tr><td>{@code maxMessageBytes}: start line, headers and body</td><td>65,507 (the largest
 *       UDP payload over IPv4)</td><td>513 Message Too Large</td></tr>
 *   <tr><td>{@code maxLineLength}: the start line, or one header field with its folds</td>
 *       <td>8,192</td><td>414 Request-URI Too Long (Request-Line), 513 (header field)</td></tr>
 *   <tr><td>{@code maxHeaderCount}: header fields in a message</td><td>128</td>
 *       <td>513 Message Too Large</td></tr>
 *   <tr><td>{@code maxBodyBytes}: the body</td><td>32,768</td>
 *       <td>413 Request Entity Too Large</td></tr>
 * </table>
 *
 * <p>Configured under {@code tandem.sip.parser} (see reference.conf).
 */
public record ParserLimits(int maxMessageBytes, int maxLineLength, int maxHeaderCount, int maxBodyBytes) {
  /** The largest UDP payload over IPv4: 65,535 - 8 (UDP header) - 20 (IPv4 header). */
  public static final int UDP_MAX_PAYLOAD = 65_507;

  public static final ParserLimits DEFAULTS = new ParserLimits(UDP_MAX_PAYLOAD, 8_192, 128, 32_768);

  public ParserLimits {
    positive("max-message-bytes", maxMessageBytes);
    positive("max-line-length", maxLineLength);
    positive("max-header-count", maxHeaderCount);
    if (maxBodyBytes < 0) {
      throw new IllegalArgumentException("max-body-bytes must not be negative: " + maxBodyBytes);
    }
    if (maxLineLength > maxMessageBytes || maxBodyBytes > maxMessageBytes) {
      throw new IllegalArgumentException(
          "max-line-length and max-body-bytes must not exceed max-message-bytes");
    }
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  /** The limits at {@code tandem.sip.parser} in {@code config}. */
  public static ParserLimits fromConfig(Config config) {
    Config c = config.getConfig("tandem.sip.parser");
    return new ParserLimits(
        c.getInt("max-message-bytes"),
        c.getInt("max-line-length"),
        c.getInt("max-header-count"),
        c.getInt("max-body-bytes"));
  }
}
