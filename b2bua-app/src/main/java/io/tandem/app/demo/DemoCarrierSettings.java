package io.tandem.app.demo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.tandem.transport.IpLiteral;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The settings of the embedded demo carrier ({@code tandem.demo-carrier} in b2bua-app's
 * reference.conf).
 *
 * @param enabled whether the server starts the demo carrier
 * @param listen where it listens (UDP); port 0 takes a free port
 * @param ringTime how long it rings (180) before it answers 200
 * @param maxTalkTime it hangs up (BYE) after this long answered; zero = never
 */
public record DemoCarrierSettings(boolean enabled, InetSocketAddress listen, Duration ringTime, Duration maxTalkTime) {
  private static final String PATH = "tandem.demo-carrier";

  /** The name of the carrier in {@code tandem.routing.carriers} that is the demo carrier. */
  public static final String CARRIER = "demo";

  public DemoCarrierSettings {
    if (ringTime.isNegative()) {
      throw new IllegalArgumentException(PATH + ".ring-time must not be negative, is " + ringTime);
    }
    if (maxTalkTime.isNegative()) {
      throw new IllegalArgumentException(PATH + ".max-talk-time must not be negative, is " + maxTalkTime);
    }
  }

  /** Reads {@code tandem.demo-carrier}. */
  public static DemoCarrierSettings fromConfig(Config config) {
    Config c = config.getConfig(PATH);
    String address = c.getString("address").trim();
    InetAddress ip = IpLiteral.parse(address).orElseThrow(() ->
        new IllegalArgumentException(PATH + ".address: not an IP address: '" + address + "'"));
    int port = c.getInt("port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(PATH + ".port: not a port (0-65535): " + port);
    }
    return new DemoCarrierSettings(c.getBoolean("enabled"), new InetSocketAddress(ip, port),
        c.getDuration("ring-time"), c.getDuration("max-talk-time"));
  }

  /**
   * {@code config} with the carrier named {@value #CARRIER} pointing at {@code bound}, where
   * the demo carrier actually listens (its port may have been 0), over UDP. Any other key the
   * operator gave that carrier (max-calls) stays.
   */
  public static Config routeTo(Config config, InetSocketAddress bound) {
    String carrier = "tandem.routing.carriers." + CARRIER;
    return config
        .withValue(carrier + ".address", ConfigValueFactory.fromAnyRef(bound.getAddress().getHostAddress()))
        .withValue(carrier + ".port", ConfigValueFactory.fromAnyRef(bound.getPort()))
        .withValue(carrier + ".transport", ConfigValueFactory.fromAnyRef("udp"));
  }
}
