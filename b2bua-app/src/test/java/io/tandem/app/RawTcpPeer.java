package io.tandem.app;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SIP peer on one TCP connection it opened, writing messages by hand and reading them framed
 * by Content-Length (RFC 3261 section 18.3). It accepts no connections: whatever is sent to it
 * must come over this one.
 */
final class RawTcpPeer implements AutoCloseable {
  private static final Pattern LENGTH = Pattern.compile("(?im)^(?:Content-Length|l):\\s*(\\d+)\\s*$");
  private final Socket socket;
  private final InputStream in;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  RawTcpPeer(int port) throws Exception {
    socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3_000);
    in = socket.getInputStream();
  }

  int port() {
    return socket.getLocalPort();
  }

  /** An INVITE with an SDP offer over this connection, to {@code user}@127.0.0.1. */
  void invite(String callId) throws Exception {
    send("INVITE sip:bob@127.0.0.1 SIP/2.0\r\n"
        + "Via: SIP/2.0/TCP 127.0.0.1:" + port() + ";branch=z9hG4bK-t" + callId.hashCode() + "\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=tcp-a\r\nTo: <sip:bob@127.0.0.1>\r\n"
        + "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\n"
        + "Contact: <sip:alice@127.0.0.1:" + port() + ";transport=tcp>\r\n"
        + "Content-Type: application/sdp\r\nContent-Length: " + RawPeer.OFFER.length() + "\r\n\r\n" + RawPeer.OFFER);
  }

  /** The ACK for the 2xx {@code ok} (a new branch, CSeq 1 ACK, to its Contact). */
  void ack(RawMessage ok, String callId) throws Exception {
    String contact = ok.header("Contact").replaceAll("^<|>.*$", "");
    send("ACK " + contact + " SIP/2.0\r\n"
        + "Via: SIP/2.0/TCP 127.0.0.1:" + port() + ";branch=z9hG4bK-ack" + callId.hashCode() + "\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=tcp-a\r\nTo: " + ok.header("To") + "\r\n"
        + "Call-ID: " + callId + "\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n");
  }

  /** 200 OK to {@code request}, over this connection. */
  void ok(RawMessage request) throws Exception {
    StringBuilder out = new StringBuilder("SIP/2.0 200 OK\r\n");
    for (String via : request.headers("Via")) {
      out.append("Via: ").append(via).append("\r\n");
    }
    out.append("From: ").append(request.header("From")).append("\r\n")
        .append("To: ").append(request.header("To")).append("\r\n")
        .append("Call-ID: ").append(request.header("Call-ID")).append("\r\n")
        .append("CSeq: ").append(request.header("CSeq")).append("\r\nContent-Length: 0\r\n\r\n");
    send(out.toString());
  }

  void send(String message) throws Exception {
    socket.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
    socket.getOutputStream().flush();
  }

  /** The next message starting with {@code start}, skipping others. */
  RawMessage receive(String start) throws Exception {
    long deadline = System.nanoTime() + RawPeer.WAIT.toNanos();
    List<String> skipped = new ArrayList<>();
    byte[] buf = new byte[8192];
    while (System.nanoTime() < deadline) {
      String message = next();
      if (message != null) {
        if (message.startsWith(start + " ") || message.startsWith(start + "\r")) {
          return new RawMessage(message, (InetSocketAddress) socket.getRemoteSocketAddress());
        }
        skipped.add(message.lines().findFirst().orElse(""));
        continue;
      }
      socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        break;
      }
      if (n < 0) {
        throw new AssertionError("connection closed; got " + skipped);
      }
      pending.write(buf, 0, n);
    }
    throw new AssertionError("no " + start + " over TCP in " + RawPeer.WAIT + "; got " + skipped);
  }

  /** One whole message off the front of what was read, or null. */
  private String next() {
    String text = pending.toString(StandardCharsets.UTF_8);
    int skip = 0;
    while (text.startsWith("\r\n", skip)) {
      skip += 2; // keep-alives
    }
    int end = text.indexOf("\r\n\r\n", skip);
    if (end < 0) {
      return null;
    }
    Matcher m = LENGTH.matcher(text.substring(skip, end));
    int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
    int total = end + 4 + length;
    if (text.length() < total) {
      return null;
    }
    String message = text.substring(skip, total);
    byte[] rest = text.substring(total).getBytes(StandardCharsets.UTF_8);
    pending.reset();
    pending.write(rest, 0, rest.length);
    return message;
  }

  @Override
  public void close() throws Exception {
    socket.close();
  }
}
