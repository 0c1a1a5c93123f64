package io.tandem.app.hep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.Server;
import io.tandem.app.Settings;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.ListenPoint;
import io.tandem.transport.TransportProtocol;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** HEPv3 packets as Homer reads them: the encoding chunk by chunk, and a running server's export. */
class HepExportTest {
  /** The chunks of one HEP3 packet by type, after checking the magic and the total length. */
  static Map<Integer, byte[]> chunks(byte[] packet, int length) {
    assertEquals("HEP3", new String(packet, 0, 4, StandardCharsets.US_ASCII));
    ByteBuffer b = ByteBuffer.wrap(packet, 0, length);
    b.position(4);
    assertEquals(length, b.getShort() & 0xffff, "the total length");
    Map<Integer, byte[]> out = new HashMap<>();
    while (b.hasRemaining()) {
      assertEquals(0, b.getShort(), "vendor 0");
      int type = b.getShort() & 0xffff;
      byte[] value = new byte[(b.getShort() & 0xffff) - 6];
      b.get(value);
      out.put(type, value);
    }
    return out;
  }

  private static int u(byte[] v) {
    int n = 0;
    for (byte x : v) {
      n = (n << 8) | (x & 0xff);
    }
    return n;
  }

  @Test
  void encodesEveryChunkHomerReads() throws Exception {
    byte[] payload = "OPTIONS sip:a@b SIP/2.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] packet = Hep3.encode(TransportProtocol.UDP, new InetSocketAddress("192.0.2.1", 5060),
        new InetSocketAddress("198.51.100.2", 5080), 1_700_000_000_123_456L, 2001, "secret", payload);
    Map<Integer, byte[]> c = chunks(packet, packet.length);
    assertEquals(2, u(c.get(Hep3.FAMILY)));
    assertEquals(17, u(c.get(Hep3.IP_PROTOCOL)));
    assertArrayEquals(InetAddress.getByName("192.0.2.1").getAddress(), c.get(Hep3.IPV4_SOURCE));
    assertArrayEquals(InetAddress.getByName("198.51.100.2").getAddress(), c.get(Hep3.IPV4_DESTINATION));
    assertEquals(5060, u(c.get(Hep3.SOURCE_PORT)));
    assertEquals(5080, u(c.get(Hep3.DESTINATION_PORT)));
    assertEquals(1_700_000_000, Integer.toUnsignedLong(u(c.get(Hep3.SECONDS))));
    assertEquals(123_456, u(c.get(Hep3.MICROSECONDS)));
    assertEquals(1, u(c.get(Hep3.PROTOCOL_TYPE)));
    assertEquals(2001, u(c.get(Hep3.CAPTURE_ID)));
    assertEquals("secret", new String(c.get(Hep3.PASSWORD), StandardCharsets.UTF_8));
    assertArrayEquals(payload, c.get(Hep3.PAYLOAD));

    byte[] v6 = Hep3.encode(TransportProtocol.TCP, new InetSocketAddress("::1", 5060),
        new InetSocketAddress("::1", 5070), 0, 1, "", payload);
    Map<Integer, byte[]> c6 = chunks(v6, v6.length);
    assertEquals(10, u(c6.get(Hep3.FAMILY)));
    assertEquals(6, u(c6.get(Hep3.IP_PROTOCOL)));
    assertEquals(16, c6.get(Hep3.IPV6_SOURCE).length);
    assertTrue(!c6.containsKey(Hep3.PASSWORD), "no password chunk without a password");
  }

  /** An OPTIONS in and its 200 out, both at the collector with the right direction. */
  @Test
  void aRunningServerExportsWhatItReceivesAndSends() throws Exception {
    try (DatagramSocket collector = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        SipUa ua = SipUa.start("pinger")) {
      collector.setSoTimeout(5000);
      Server server = Server.start(Settings.of(ConfigFactory.parseString("""
          tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = 0 }]
          tandem.hep { enabled = true, collector-port = %d, capture-id = 7 }
          """.formatted(collector.getLocalPort())), "test"));
      try {
        int port = server.listening().stream().filter(l -> l.protocol() == TransportProtocol.UDP)
            .map(ListenPoint::address).findFirst().orElseThrow().getPort();
        assertEquals(200, ua.options("sip:127.0.0.1:" + port, "udp").getStatusCode());
        List<Map<Integer, byte[]>> seen = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
          collector.receive(p);
          seen.add(chunks(p.getData(), p.getLength()));
        }
        Map<Integer, byte[]> in = seen.stream()
            .filter(c -> new String(c.get(Hep3.PAYLOAD), StandardCharsets.UTF_8).startsWith("OPTIONS ")).findFirst()
            .orElseThrow();
        Map<Integer, byte[]> out = seen.stream()
            .filter(c -> new String(c.get(Hep3.PAYLOAD), StandardCharsets.UTF_8).startsWith("SIP/2.0 200")).findFirst()
            .orElseThrow();
        assertEquals(port, u(in.get(Hep3.DESTINATION_PORT)), "received: Tandem is the destination");
        assertEquals(ua.port(), u(in.get(Hep3.SOURCE_PORT)));
        assertEquals(port, u(out.get(Hep3.SOURCE_PORT)), "sent: Tandem is the source");
        assertEquals(ua.port(), u(out.get(Hep3.DESTINATION_PORT)));
        assertEquals(7, u(out.get(Hep3.CAPTURE_ID)));
      } finally {
        server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }
}
