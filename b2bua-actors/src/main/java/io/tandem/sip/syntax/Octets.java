package io.tandem.sip.syntax;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Searches over octets that read eight at a time where they can: the scans every octet of a
 * message head goes through once.
 */
public final class Octets {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private Octets() {}

  /**
   * The index of the first control octet (below 0x20, or 0x7F) in [from, to), or {@code to}.
   *
   * <p>Eight octets at a time: a byte below 0x20 borrows when 0x20 is subtracted from it, and
   * 0x7F becomes zero when xored with 0x7F; the lowest flagged byte is always a true match
   * (borrows only run upwards), and little-endian order makes the lowest the first in memory.
   * Octets from 0x80 up (UTF-8) are never flagged.
   */
  public static int nextControl(byte[] b, int from, int to) {
    int i = from;
    while (i + 8 <= to) {
      long w = (long) LONGS.get(b, i);
      long below = (w - 0x20 * ONES) & ~w & HIGHS;
      long x = w ^ (0x7F * ONES);
      long del = (x - ONES) & ~x & HIGHS;
      long match = below | del;
      if (match != 0) {
        return i + (Long.numberOfTrailingZeros(match) >>> 3);
      }
      i += 8;
    }
    for (; i < to; i++) {
      int v = b[i] & 0xff;
      if (v < 0x20 || v == 0x7f) {
        return i;
      }
    }
    return to;
  }

  /**
   * The offset just past the first CR LF CR LF in [from, to), or -1.
   *
   * <p>Looks at every fourth octet: any four consecutive octets include exactly one of them,
   * and in CR LF CR LF it is a CR or an LF; only then are the windows around it compared.
   */
  public static int endOfHead(byte[] b, int from, int to) {
    for (int i = from + 3; i < to; i += 4) {
      byte x = b[i];
      if (x == '\n' || x == '\r') {
        for (int s = i - 3; s <= i && s + 3 < to; s++) {
          if (b[s] == '\r' && b[s + 1] == '\n' && b[s + 2] == '\r' && b[s + 3] == '\n') {
            return s + 4;
          }
        }
      }
    }
    return -1;
  }
}
