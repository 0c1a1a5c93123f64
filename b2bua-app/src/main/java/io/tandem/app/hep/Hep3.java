package io.tandem.app.hep;

import io.tandem.transport.TransportProtocol;
import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The HEPv3 encoding of one captured SIP message (Homer's "HEP3" format): the magic
 * {@code HEP3}, the total length, then chunks of vendor 0, each a type, a length (header
 * included) and a value: address family, IP protocol, source and destination address and port,
 * time (seconds and microseconds), protocol type 1 (SIP), capture agent id, optional password
 * and the payload.
 */
final class Hep3 {
  static final int FAMILY = 0x0001;
  static final int IP_PROTOCOL = 0x0002;
  static final int IPV4_SOURCE = 0x0003;
  static final int IPV4_DESTINATION = 0x0004;
  static final int IPV6_SOURCE = 0x0005;
  static final int IPV6_DESTINATION = 0x0006;
  static final int SOURCE_PORT = 0x0007;
  static final int DESTINATION_PORT = 0x0008;
  static final int SECONDS = 0x0009;
  static final int MICROSECONDS = 0x000a;
  static final int PROTOCOL_TYPE = 0x000b;
  static final int CAPTURE_ID = 0x000c;
  static final int PASSWORD = 0x000e;
  static final int PAYLOAD = 0x000f;

  private Hep3() {}

  /**
   * One HEP3 packet.
   *
   * @param password the collector's password, or empty for none
   */
  static byte[] encode(TransportProtocol protocol, InetSocketAddress source, InetSocketAddress destination,
      long epochMicros, int captureId, String password, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 96);
    out.writeBytes(new byte[] {'H', 'E', 'P', '3', 0, 0});
    boolean v4 = source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address;
    chunk(out, FAMILY, new byte[] {(byte) (v4 ? 2 : 10)});
    chunk(out, IP_PROTOCOL, new byte[] {(byte) (protocol == TransportProtocol.UDP ? 17 : 6)});
    chunk(out, v4 ? IPV4_SOURCE : IPV6_SOURCE, address(source, v4));
    chunk(out, v4 ? IPV4_DESTINATION : IPV6_DESTINATION, address(destination, v4));
    chunk(out, SOURCE_PORT, u16(source.getPort()));
    chunk(out, DESTINATION_PORT, u16(destination.getPort()));
    chunk(out, SECONDS, u32(epochMicros / 1_000_000));
    chunk(out, MICROSECONDS, u32(epochMicros % 1_000_000));
    chunk(out, PROTOCOL_TYPE, new byte[] {1});
    chunk(out, CAPTURE_ID, u32(captureId));
    if (!password.isEmpty()) {
      chunk(out, PASSWORD, password.getBytes(StandardCharsets.UTF_8));
    }
    chunk(out, PAYLOAD, payload);
    byte[] packet = out.toByteArray();
    packet[4] = (byte) (packet.length >>> 8);
    packet[5] = (byte) packet.length;
    return packet;
  }

  /** An IPv4 address as 4 octets; in an IPv6 packet, an IPv4 address as its mapped form. */
  private static byte[] address(InetSocketAddress a, boolean v4) {
    byte[] raw = a.getAddress().getAddress();
    if (v4 || raw.length == 16) {
      return raw;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(raw, 0, mapped, 12, 4);
    return mapped;
  }

  private static void chunk(ByteArrayOutputStream out, int type, byte[] value) {
    out.writeBytes(u16(0)); // vendor: generic
    out.writeBytes(u16(type));
    out.writeBytes(u16(value.length + 6));
    out.writeBytes(value);
  }

  private static byte[] u16(long v) {
    return new byte[] {(byte) (v >>> 8), (byte) v};
  }

  private static byte[] u32(long v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }
}
