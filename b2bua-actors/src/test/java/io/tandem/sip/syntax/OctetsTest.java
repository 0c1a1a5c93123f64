package io.tandem.sip.syntax;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The word-at-a-time searches agree with the obvious octet-by-octet ones, everywhere. */
class OctetsTest {
  private static int naiveNextControl(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      int v = b[i] & 0xff;
      if (v < 0x20 || v == 0x7f) {
        return i;
      }
    }
    return to;
  }

  private static int naiveEndOfHead(byte[] b, int from, int to) {
    for (int i = from; i + 3 < to; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
        return i + 4;
      }
    }
    return -1;
  }

  /** Octets drawn mostly from text, with controls, DEL, 0x80 and up, CR and LF mixed in. */
  private static byte[] sample(Random random, int length) {
    byte[] alphabet = {'a', 'Z', '0', ' ', ';', '\t', '\r', '\n', 0x00, 0x1f, 0x20, 0x7e, 0x7f,
        (byte) 0x80, (byte) 0x9f, (byte) 0xc3, (byte) 0xff};
    byte[] b = new byte[length];
    for (int i = 0; i < length; i++) {
      b[i] = random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : (byte) ('a' + random.nextInt(26));
    }
    return b;
  }

  @Test
  void nextControlFindsTheFirstControlAtEveryOffsetAndBound() {
    Random random = new Random(4475);
    for (int round = 0; round < 2_000; round++) {
      byte[] b = sample(random, 1 + random.nextInt(40));
      int from = random.nextInt(b.length);
      int to = from + random.nextInt(b.length - from + 1);
      assertEquals(naiveNextControl(b, from, to), Octets.nextControl(b, from, to));
    }
  }

  @ParameterizedTest(name = "octet 0x{0}")
  @ValueSource(ints = {0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x7f})
  void eachControlIsFoundInEachLaneOfAWord(int control) {
    for (int lane = 0; lane < 16; lane++) {
      byte[] b = "abcdefghijklmnopqrstuvwx".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      b[lane] = (byte) control;
      assertEquals(lane, Octets.nextControl(b, 0, b.length));
    }
  }

  @Test
  void octetsFrom0x80AreNeverControls() {
    byte[] b = new byte[64];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (0x80 + i);
    }
    assertEquals(b.length, Octets.nextControl(b, 0, b.length));
  }

  @Test
  void endOfHeadFindsTheFirstEmptyLineWhereverItFalls() {
    Random random = new Random(3261);
    for (int round = 0; round < 5_000; round++) {
      byte[] b = sample(random, 4 + random.nextInt(60));
      if (random.nextBoolean()) {
        int at = random.nextInt(b.length - 3);
        b[at] = '\r';
        b[at + 1] = '\n';
        b[at + 2] = '\r';
        b[at + 3] = '\n';
      }
      int from = random.nextInt(b.length);
      int to = from + random.nextInt(b.length - from + 1);
      assertEquals(naiveEndOfHead(b, from, to), Octets.endOfHead(b, from, to),
          () -> java.util.Arrays.toString(b) + " from " + from + " to " + to);
    }
  }
}
