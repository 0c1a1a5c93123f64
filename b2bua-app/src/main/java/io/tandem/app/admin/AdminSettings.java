package io.tandem.app.admin;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code tandem.admin}: whether the admin HTTP API runs, where it listens, how long it asks. */
public record AdminSettings(boolean enabled, String address, int port, Duration askTimeout) {
  public static AdminSettings fromConfig(Config config) {
    Config c = config.getConfig("tandem.admin");
    int port = c.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("tandem.admin.port must be 0-65535: " + port);
    }
    return new AdminSettings(c.getBoolean("enabled"), c.getString("address"), port, c.getDuration("ask-timeout"));
  }
}
