package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A bad value anywhere in the file stops the start with its config path, file and line. */
class StartupValidationTest {
  @TempDir
  Path dir;

  @Test
  void aBadValueOutsideRoutingNamesItsFileAndLine() throws Exception {
    Path file = dir.resolve("bad.conf");
    Files.writeString(file, """
        tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = 0 }]
        tandem.access {
          refuse = ignore
        }
        """);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Server.start(Settings.load(file)));
    assertTrue(e.getMessage().contains("tandem.access.refuse"), e.getMessage());
    assertTrue(e.getMessage().contains("bad.conf line 3"), e.getMessage());
  }
}
