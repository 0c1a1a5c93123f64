package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line an operator uses: settings, overrides, bad configuration, parse verdicts. */
class MainTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private Path file(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void showsTheDocumentedDefaults() throws IOException {
    Path empty = file("empty.conf", "");
    assertEquals(0, run("--config", empty.toString(), "settings"));
    assertTrue(out().contains("max-message-bytes = 65507"), out());
    assertTrue(out().contains("max-body-bytes    = 32768"), out());
  }

  @Test
  void theShippedConfigurationLoads() {
    Settings settings = Settings.load(Path.of("..", "conf", "application.conf"));
    assertEquals(65_507, settings.limits().maxMessageBytes());
  }

  @Test
  void overridesApplyToTheParser() throws IOException {
    Path conf = file("small.conf", "tandem.sip.parser { max-body-bytes = 10, supported-option-tags = [100rel] }");
    Path invite = file("invite.sip", ("INVITE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c@h\r\nCSeq: 1 INVITE\r\n"
        + "Require: 100rel\r\nContent-Length: 20\r\n\r\n01234567890123456789"));
    assertEquals(1, run("--config", conf.toString(), "parse", invite.toString()));
    assertTrue(out().contains("would answer: 413 Request Entity Too Large"), out());
  }

  @Test
  void aBadLimitIsRefusedWithItsName() throws IOException {
    Path conf = file("bad.conf", "tandem.sip.parser.max-header-count = 0");
    assertEquals(2, run("--config", conf.toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("max-header-count must be positive"), err.toString());
  }

  @Test
  void aMissingNamedConfigurationIsAnError() {
    assertEquals(2, run("--config", dir.resolve("nope.conf").toString()));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("no such file"));
  }

  @Test
  void parsePrintsTheCanonicalMessageOrTheAnswer() throws IOException {
    Path empty = file("empty.conf", "");
    Path ok = file("ok.sip", "OPTIONS sip:p@127.0.0.1 SIP/2.0\r\nv: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK2\r\n"
        + "f: <sip:a@127.0.0.1>;tag=1\r\nt: <sip:p@127.0.0.1>\r\ni: o@h\r\nCSeq: 1 OPTIONS\r\nl: 0\r\n\r\n");
    Path bad = file("bad.sip", "OPTIONS sip:p@127.0.0.1 SIP/7.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK3\r\n\r\n");
    Path response = file("resp.sip", "SIP/2.0 999 Nope\r\nVia: SIP/2.0/UDP h\r\n\r\n");
    assertEquals(1, run("--config", empty.toString(), "parse", ok.toString(), bad.toString(), response.toString()));
    String text = out();
    assertTrue(text.contains("Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK2\r\nFrom: "), text);
    assertTrue(text.contains("would answer: 505 Version Not Supported"), text);
    assertTrue(text.contains("would drop this response"), text);
  }

  @Test
  void unknownCommandPrintsUsage() throws IOException {
    Path empty = file("empty.conf", "");
    assertEquals(2, run("--config", empty.toString(), "serve"));
    assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("usage:"));
  }
}
