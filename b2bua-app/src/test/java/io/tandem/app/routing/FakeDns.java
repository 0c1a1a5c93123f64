package io.tandem.app.routing;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DNS server on a loopback UDP port for tests (RFC 1035 messages, one question each): it
 * answers SRV and A queries from its table, NXDOMAIN for a name it does not know.
 */
final class FakeDns implements AutoCloseable {
  /** One SRV record: priority, weight, port, target. */
  record Srv(int priority, int weight, int port, String target) {}

  private final DatagramSocket socket;
  private final Map<String, List<Srv>> srv = new ConcurrentHashMap<>();
  private final Map<String, InetAddress> a = new ConcurrentHashMap<>();
  private final Thread thread;

  FakeDns() throws Exception {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    thread = new Thread(this::serve, "fake-dns");
    thread.setDaemon(true);
    thread.start();
  }

  int port() {
    return socket.getLocalPort();
  }

  FakeDns srv(String name, Srv... records) {
    srv.put(name.toLowerCase(), List.of(records));
    return this;
  }

  FakeDns a(String name, String ip) throws Exception {
    a.put(name.toLowerCase(), InetAddress.getByName(ip));
    return this;
  }

  private void serve() {
    byte[] buffer = new byte[512];
    while (!socket.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        socket.receive(p);
        byte[] answer = answer(p.getData(), p.getLength());
        socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
      } catch (Exception e) {
        // closed, or a query it cannot read: no answer
      }
    }
  }

  private byte[] answer(byte[] q, int length) {
    int at = 12;
    StringBuilder name = new StringBuilder();
    while (q[at] != 0) {
      int n = q[at++];
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(new String(q, at, n, StandardCharsets.US_ASCII));
      at += n;
    }
    at++;
    int type = ((q[at] & 0xff) << 8) | (q[at + 1] & 0xff);
    int questionEnd = at + 4;
    String key = name.toString().toLowerCase();
    ByteArrayOutputStream records = new ByteArrayOutputStream();
    int count = 0;
    boolean known = srv.containsKey(key) || a.containsKey(key);
    if (type == 33 && srv.containsKey(key)) {
      for (Srv r : srv.get(key)) {
        ByteArrayOutputStream rdata = new ByteArrayOutputStream();
        rdata.writeBytes(u16(r.priority()));
        rdata.writeBytes(u16(r.weight()));
        rdata.writeBytes(u16(r.port()));
        rdata.writeBytes(labels(r.target()));
        record(records, 33, rdata.toByteArray());
        count++;
      }
    } else if (type == 1 && a.containsKey(key)) {
      record(records, 1, a.get(key).getAddress());
      count++;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(q[0]);
    out.write(q[1]);
    out.writeBytes(u16(known ? 0x8180 : 0x8183)); // response, RD, RA; NXDOMAIN for an unknown name
    out.writeBytes(u16(1));
    out.writeBytes(u16(count));
    out.writeBytes(u16(0));
    out.writeBytes(u16(0));
    out.write(q, 12, questionEnd - 12);
    out.writeBytes(records.toByteArray());
    return out.toByteArray();
  }

  private static void record(ByteArrayOutputStream out, int type, byte[] rdata) {
    out.writeBytes(u16(0xc00c)); // the question's name
    out.writeBytes(u16(type));
    out.writeBytes(u16(1)); // IN
    out.writeBytes(new byte[] {0, 0, 0, 60});
    out.writeBytes(u16(rdata.length));
    out.writeBytes(rdata);
  }

  private static byte[] labels(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String label : name.split("\\.")) {
      out.write(label.length());
      out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    out.write(0);
    return out.toByteArray();
  }

  private static byte[] u16(int v) {
    return new byte[] {(byte) (v >>> 8), (byte) v};
  }

  @Override
  public void close() {
    socket.close();
  }
}
