package io.tandem.app.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.app.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tandem demo}: one full call, both legs printed, exit status 0. */
class DemoCommandTest {
  @TempDir Path dir;

  @Test
  void printsBothLegsOfACompletedCall() throws Exception {
    Path conf = Files.writeString(dir.resolve("fast.conf"), "tandem.demo-carrier.ring-time = 200ms");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Main.run(new String[] {"--config", conf.toString(), "demo"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    String why = text + err.toString(StandardCharsets.UTF_8);
    assertEquals(0, status, why);
    List<String> lines = text.lines().toList();
    for (String expected : List.of(
        "leg A  caller -> tandem   INVITE sip:demo@127.0.0.1:",
        "leg A  caller <- tandem   180 Ringing",
        "leg A  caller <- tandem   200 OK",
        "leg A  caller -> tandem   ACK",
        "leg A  caller -> tandem   BYE",
        "leg A  caller <- tandem   200 OK (BYE)",
        "leg B  tandem -> carrier  INVITE sip:demo@127.0.0.1:",
        "leg B  tandem <- carrier  180 Ringing",
        "leg B  tandem <- carrier  200 OK  [application/sdp]",
        "leg B  tandem -> carrier  ACK",
        "leg B  tandem -> carrier  BYE",
        "leg B  tandem <- carrier  200 OK (BYE)")) {
      assertTrue(lines.stream().anyMatch(l -> l.contains(expected)), "no line with '" + expected + "' in\n" + why);
    }
    assertTrue(index(lines, "leg A  caller -> tandem   INVITE") < index(lines, "leg B  tandem -> carrier  INVITE"),
        "in time order: leg A's INVITE before leg B's\n" + text);
    assertTrue(index(lines, "leg B  tandem <- carrier  200 OK  [") < index(lines, "leg A  caller <- tandem   200 OK  ["),
        "in time order: the carrier's 200 before the one Tandem relays to the caller\n" + text);
  }

  private static int index(List<String> lines, String part) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(part)) {
        return i;
      }
    }
    return -1;
  }
}
