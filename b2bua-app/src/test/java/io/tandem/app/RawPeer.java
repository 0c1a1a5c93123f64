package io.tandem.app;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;

/** A SIP peer on one UDP socket, writing messages by hand. */
final class RawPeer implements AutoCloseable {
  /** How long {@link #receive} waits. */
  static final Duration WAIT = Duration.ofSeconds(8);
  /** The SDP offer of {@link #inviteText}. */
  static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  /** The To header field line of a message (the text up to its CRLF). */
  private static final String TO_LINE = "(?m)^To: [^\r\n]*";
  private final DatagramSocket socket;
  /** The loopback address of this peer's family (127.0.0.1 or ::1), and as a URI host. */
  private final InetAddress loopback;
  private final String host;
  private String lastInvite;
  private RawMessage lastCarrierInvite;

  RawPeer() throws Exception {
    this(InetAddress.getLoopbackAddress());
  }

  /** A peer on {@code loopback} (127.0.0.1, or ::1 for IPv6), talking to Tandem there. */
  RawPeer(InetAddress loopback) throws Exception {
    this.loopback = loopback;
    this.host = loopback instanceof java.net.Inet6Address ? "[" + loopback.getHostAddress().replaceAll("%.*", "") + "]"
        : loopback.getHostAddress();
    socket = new DatagramSocket(0, loopback);
  }

  /** This peer's address as a URI host: 127.0.0.1, or [::1]. */
  String host() {
    return host;
  }

  int port() {
    return socket.getLocalPort();
  }

  String contact() {
    return "Contact: <sip:raw@" + host + ":" + port() + ">\r\n";
  }

  String inviteText(int to, String callId) {
    return "INVITE sip:bob@" + host + ":" + to + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP " + host + ":" + port() + ";branch=z9hG4bK-" + callId.hashCode() + ";rport\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:alice@" + host + ">;tag=raw-a\r\nTo: <sip:bob@" + host + ">\r\n"
        + "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\n" + contact()
        + "Content-Type: application/sdp\r\nContent-Length: " + OFFER.length() + "\r\n\r\n" + OFFER;
  }

  void invite(int to, String callId) throws Exception {
    invite(to, callId, "bob");
  }

  /** An INVITE to {@code user}@127.0.0.1 (Request-URI and To), sent to Tandem's port {@code to}. */
  void invite(int to, String callId, String user) throws Exception {
    lastInvite = inviteText(to, callId).replace("sip:bob@", "sip:" + user + "@");
    send(lastInvite, new InetSocketAddress(loopback, to));
  }

  /** {@code invite}, an INVITE's whole text (made by {@link #inviteText}, then changed), to Tandem's port {@code to}. */
  void sendInvite(String invite, int to) throws Exception {
    lastInvite = invite;
    send(lastInvite, new InetSocketAddress(loopback, to));
  }

  /** The last INVITE again, the same request (a retransmission), to Tandem's port {@code to}. */
  void resendLastInvite(int to) throws Exception {
    send(lastInvite, new InetSocketAddress(loopback, to));
  }

  /** Section 9.1: the CANCEL of the last INVITE, then the 487's ACK (17.1.1.3). */
  void cancelLastInvite(int to) throws Exception {
    InetSocketAddress tandem = new InetSocketAddress(loopback, to);
    String head = lastInvite.substring(0, lastInvite.indexOf("Content-Type"));
    send(head.replaceFirst("^INVITE", "CANCEL").replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL")
        .replace(contact(), "") + "Content-Length: 0\r\n\r\n", tandem);
    ackFinal(receive("SIP/2.0 487"), to);
  }

  /** The ACK of a non-2xx final to the last INVITE: its transaction's (section 17.1.1.3). */
  void ackFinal(RawMessage fin, int to) throws Exception {
    String head = lastInvite.substring(0, lastInvite.indexOf("Content-Type"));
    send(head.replaceFirst("^INVITE", "ACK").replace("CSeq: 1 INVITE", "CSeq: 1 ACK").replace(contact(), "")
        .replaceFirst(TO_LINE, Matcher.quoteReplacement("To: " + fin.header("To"))) + "Content-Length: 0\r\n\r\n",
        new InetSocketAddress(loopback, to));
  }

  /** As a carrier: 200 to the next CANCEL, 487 to its INVITE, and take the ACK. */
  void replyToCancelAndInvite() throws Exception {
    RawMessage cancel = receive("CANCEL");
    reply(cancel, "200 OK", "", "");
    RawMessage invite = lastCarrierInvite != null && cancel.header("Call-ID").equals(lastCarrierInvite.header("Call-ID"))
        ? lastCarrierInvite : null;
    String cseq = cancel.header("CSeq").replace("CANCEL", "INVITE");
    String text = cancel.text().replaceFirst("(?m)^CSeq:.*$", "CSeq: " + cseq);
    reply(new RawMessage(text, cancel.from()), "487 Request Terminated", "", "");
    receive("ACK");
    lastCarrierInvite = invite;
  }

  /** The ACK for a 2xx (section 13.2.2.4): a new branch, to the 2xx's Contact. */
  void ack(RawMessage ok, int to) throws Exception {
    inDialog("ACK", 1, ok, to);
  }

  /** A BYE in the dialog the 2xx {@code ok} made (CSeq 2, to its Contact). */
  void bye(RawMessage ok, int to) throws Exception {
    inDialog("BYE", 2, ok, to);
  }

  /** {@code method} with CSeq {@code cseq} in the dialog of {@code ok}: to its Contact, a new branch. */
  private void inDialog(String method, int cseq, RawMessage ok, int to) throws Exception {
    String head = lastInvite.substring(0, lastInvite.indexOf("Content-Type"));
    String contact = ok.header("Contact").replaceAll("^<|>.*$", "");
    send(head.replaceFirst("^INVITE \\S+", method + " " + contact).replace("CSeq: 1 INVITE", "CSeq: " + cseq + " " + method)
        .replace(";branch=z9hG4bK-", ";branch=z9hG4bK-" + method.toLowerCase(java.util.Locale.ROOT) + "-")
        .replace(contact(), "")
        .replaceFirst(TO_LINE, Matcher.quoteReplacement("To: " + ok.header("To"))) + "Content-Length: 0\r\n\r\n",
        new InetSocketAddress(loopback, to));
  }

  /** The next message, whatever it is (none within {@link #WAIT} fails). */
  RawMessage next() throws Exception {
    return next(System.nanoTime() + WAIT.toNanos())
        .orElseThrow(() -> new AssertionError("nothing in " + WAIT + " at port " + port()));
  }

  /** The next message if one comes within {@code within}; empty if none does. */
  Optional<RawMessage> poll(Duration within) throws Exception {
    return next(System.nanoTime() + within.toNanos());
  }

  /** The next message starting with {@code start} (a method, or "SIP/2.0 487"). */
  RawMessage receive(String start) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<String> skipped = new ArrayList<>();
    for (Optional<RawMessage> next = next(deadline); next.isPresent(); next = next(deadline)) {
      RawMessage m = next.get();
      if (m.text().startsWith(start + " ") || m.text().startsWith(start + "\r")) {
        if (start.equals("INVITE")) {
          lastCarrierInvite = m;
        }
        return m;
      }
      skipped.add(m.text().lines().findFirst().orElse(""));
    }
    throw new AssertionError("no " + start + " in " + WAIT + " at port " + port() + "; got " + skipped);
  }

  /**
   * Its INVITE's 2xx sent again, if one comes within {@code within} (a node that brings an
   * answered call back less than 64*T1 after its answer sends it again: RFC 3261 section
   * 13.3.1.4), ACKed to {@code to} as a UAC must (section 13.2.2.4); false if none came.
   * Anything else that comes meanwhile is dropped.
   */
  boolean ackOkAgain(Duration within, int to) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    for (Optional<RawMessage> next = next(deadline); next.isPresent(); next = next(deadline)) {
      RawMessage m = next.get();
      if (m.text().startsWith("SIP/2.0 200 ") && m.header("CSeq").endsWith("INVITE")) {
        ack(m, to);
        return true;
      }
    }
    return false;
  }

  /** The next datagram to arrive before {@code deadline} (nanoTime); empty once it has passed. */
  private Optional<RawMessage> next(long deadline) throws Exception {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      return Optional.empty();
    }
    socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
    byte[] buf = new byte[65_535];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    try {
      socket.receive(p);
    } catch (SocketTimeoutException e) {
      return Optional.empty();
    }
    return Optional.of(new RawMessage(new String(buf, 0, p.getLength(), StandardCharsets.UTF_8),
        (InetSocketAddress) p.getSocketAddress()));
  }

  /** A response to {@code request}: its Vias, From, Call-ID and CSeq, its To with a tag. */
  void reply(RawMessage request, String status, String extra, String body) throws Exception {
    replyTo(request.from(), request, status, extra, body);
  }

  /** {@link #reply}, sent to {@code to} rather than where the request came from. */
  void replyTo(InetSocketAddress destination, RawMessage request, String status, String extra, String body)
      throws Exception {
    StringBuilder out = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
    for (String via : request.headers("Via")) {
      out.append("Via: ").append(via).append("\r\n");
    }
    String to = request.header("To");
    out.append("From: ").append(request.header("From")).append("\r\n")
        .append("To: ").append(to.contains("tag=") ? to : to + ";tag=raw-b").append("\r\n")
        .append("Call-ID: ").append(request.header("Call-ID")).append("\r\n")
        .append("CSeq: ").append(request.header("CSeq")).append("\r\n")
        .append(extra)
        .append("Content-Length: ").append(body.length()).append("\r\n\r\n").append(body);
    send(out.toString(), destination);
  }

  void send(String message, InetSocketAddress to) throws Exception {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    socket.send(new DatagramPacket(bytes, bytes.length, to));
  }

  @Override
  public void close() {
    socket.close();
  }
}
