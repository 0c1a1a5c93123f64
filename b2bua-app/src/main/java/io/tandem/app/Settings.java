package io.tandem.app;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import java.nio.file.Files;
import java.nio.file.Path;

/** The configuration Tandem runs with: a file over the modules' reference.conf defaults. */
public final class Settings {
  private static final ConfigRenderOptions CONCISE = ConfigRenderOptions.concise();

  /** Where the configuration is looked for unless {@code --config} names another file. */
  public static final Path DEFAULT_CONFIG = Path.of("conf", "application.conf");

  private final Config config;
  private final String source;
  private final Path file;
  private final SipParser parserTemplate;

  private Settings(Config config, String source) {
    this(config, source, null);
  }

  private Settings(Config config, String source, Path file) {
    this.config = io.tandem.app.cluster.ClusterSettings.applyTo(config);
    this.source = source;
    this.file = file;
    this.parserTemplate = SipParser.fromConfig(this.config);
  }

  /**
   * Loads {@code file} over the defaults. A missing default file means the embedded defaults; a
   * missing file named on the command line is an error.
   */
  public static Settings load(Path file) {
    Config defaults = defaults();
    if (!Files.exists(file)) {
      if (!file.equals(DEFAULT_CONFIG)) {
        throw new IllegalArgumentException("no such file: " + file);
      }
      return new Settings(defaults.resolve(), "embedded defaults");
    }
    Config loaded = ConfigFactory.parseFile(file.toFile()).withFallback(defaults).resolve();
    return new Settings(loaded, file.toString(), file);
  }

  /** {@code overrides} over the server defaults and reference.conf (tests, embedding). */
  public static Settings of(Config overrides, String source) {
    return new Settings(overrides.withFallback(defaults()).resolve(), source);
  }

  /** The server's own defaults (tandem-server.conf) over every module's reference.conf. */
  private static Config defaults() {
    return ConfigFactory.parseResources(Settings.class.getClassLoader(), "tandem-server.conf")
        .withFallback(ConfigFactory.defaultReference());
  }

  /** Where the configuration came from: the file, or "embedded defaults". */
  public String source() {
    return source;
  }

  /** The file the configuration was read from; empty for the embedded defaults or {@link #of}. */
  public java.util.Optional<Path> file() {
    return java.util.Optional.ofNullable(file);
  }

  public Config config() {
    return config;
  }

  public ParserLimits limits() {
    return parserTemplate.limits();
  }

  /** A new parser with the configured limits and option tags (a parser is not thread-safe). */
  public SipParser parser() {
    return new SipParser(parserTemplate.limits(), parserTemplate.supportedOptionTags());
  }

  /** {@code routing} with each carrier's password shown as "***". */
  private static Config withoutPasswords(Config routing) {
    Config out = routing;
    if (routing.hasPath("carriers")) {
      for (String carrier : routing.getObject("carriers").keySet()) {
        String key = "carriers." + com.typesafe.config.ConfigUtil.quoteString(carrier) + ".password";
        if (routing.hasPath(key)) {
          out = out.withValue(key, com.typesafe.config.ConfigValueFactory.fromAnyRef("***"));
        }
      }
    }
    return out;
  }

  /** The settings in effect, for the operator. */
  public String describe() {
    ParserLimits limits = limits();
    return "Tandem configuration: " + source + "\n"
        + "  tandem.sip.parser.max-message-bytes = " + limits.maxMessageBytes() + "\n"
        + "  tandem.sip.parser.max-line-length   = " + limits.maxLineLength() + "\n"
        + "  tandem.sip.parser.max-header-count  = " + limits.maxHeaderCount() + "\n"
        + "  tandem.sip.parser.max-body-bytes    = " + limits.maxBodyBytes() + "\n"
        + "  tandem.sip.parser.supported-option-tags = " + parserTemplate.supportedOptionTags() + "\n"
        + "  tandem.sip.timers = " + config.getConfig("tandem.sip.timers").root().render(CONCISE) + "\n"
        + "  tandem.sip.transactions = "
        + config.getConfig("tandem.sip.transactions").root().render(CONCISE)
        + "\n"
        + "  tandem.transport.listen = " + config.getList("tandem.transport.listen").render(CONCISE) + "\n"
        + "  tandem.call = " + config.getConfig("tandem.call").root().render(CONCISE) + "\n"
        + "  tandem.routing = " + withoutPasswords(config.getConfig("tandem.routing")).root().render(CONCISE) + "\n"
        + "  tandem.auth = " + io.tandem.app.auth.AuthSettings.fromConfig(config) + "\n"
        + "  tandem.registrar = " + config.getConfig("tandem.registrar").root().render(CONCISE) + "\n"
        + "  tandem.cluster = " + config.getConfig("tandem.cluster").root().render(CONCISE) + "\n"
        + "  tandem.demo-carrier = " + config.getConfig("tandem.demo-carrier").root().render(CONCISE);
  }
}
