package io.tandem.bench;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The load driver's own minimal SIP: the requests a caller sends and the answers a carrier
 * gives, as string templates, and a reader of just the parts {@link CallDriver} needs (start
 * line, Via, From, To and its tag, Call-ID, CSeq, Contact). Independent of Tandem's codec on
 * purpose: the driver must not share the server's view of what a message says.
 */
final class SipText {
  static final String OFFER = "v=0\r\no=load 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
      + "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
  static final String ANSWER = "v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
      + "t=0 0\r\nm=audio 50000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
  private static final Pattern TAG = Pattern.compile(";\\s*tag=([^;>\\s]+)", Pattern.CASE_INSENSITIVE);

  private SipText() {}

  // ---- the caller (leg A) ----------------------------------------------------------------

  /** Leg A's Call-ID of call {@code id}; {@link #callerId} reads the id back. */
  static String callId(long id) {
    return "cl-" + id + "@127.0.0.1";
  }

  /** The id of a leg-A Call-ID, or -1 if it is not one of the driver's. */
  static long callerId(String callId) {
    if (callId == null || !callId.startsWith("cl-")) {
      return -1;
    }
    int at = callId.indexOf('@');
    return parseId(callId, 3, at < 0 ? callId.length() : at);
  }

  /** The dialled user of call {@code id}: it crosses to leg B as the Request-URI user. */
  static String user(long id) {
    return "c" + id;
  }

  /** The id in a leg-B Request-URI such as {@code sip:c42@127.0.0.1:5091}, or -1. */
  static long userId(String requestUri) {
    int start = requestUri.indexOf(":c");
    int at = requestUri.indexOf('@');
    return start < 0 || at < start ? -1 : parseId(requestUri, start + 2, at);
  }

  static byte[] invite(long id, InetSocketAddress server, int localPort) {
    String uri = "sip:" + user(id) + "@" + server.getAddress().getHostAddress() + ":" + server.getPort();
    return bytes("INVITE " + uri + " SIP/2.0\r\n"
        + via(localPort, id, "i")
        + "Max-Forwards: 70\r\n"
        + from(id)
        + "To: <sip:" + user(id) + "@127.0.0.1>\r\n"
        + "Call-ID: " + callId(id) + "\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:load@127.0.0.1:" + localPort + ">\r\n"
        + "Content-Type: application/sdp\r\n"
        + "Content-Length: " + OFFER.length() + "\r\n\r\n" + OFFER);
  }

  /**
   * A request inside leg A's dialog (RFC 3261 section 12.2.1.1): to the remote target (the
   * 2xx's Contact), no Route (Tandem records no route), remote tag in To, a new branch (the
   * ACK of a 2xx is a transaction of its own, section 17.1.1.3) and the given CSeq: the
   * INVITE's number for the ACK, one more for the BYE.
   */
  static byte[] inDialog(String method, int cseq, long id, String target, String toTag, int localPort) {
    return bytes(method + " " + target + " SIP/2.0\r\n"
        + via(localPort, id, method.equals("ACK") ? "a" : "b")
        + "Max-Forwards: 70\r\n"
        + from(id)
        + "To: <sip:" + user(id) + "@127.0.0.1>;tag=" + toTag + "\r\n"
        + "Call-ID: " + callId(id) + "\r\n"
        + "CSeq: " + cseq + " " + method + "\r\n"
        + "Content-Length: 0\r\n\r\n");
  }

  /**
   * The ACK of a non-2xx final (section 17.1.1.3): part of the INVITE transaction, so the
   * INVITE's branch, Request-URI and CSeq number, and the To of the response (with its tag).
   */
  static byte[] ackOfFailure(long id, InetSocketAddress server, int localPort, String to) {
    String uri = "sip:" + user(id) + "@" + server.getAddress().getHostAddress() + ":" + server.getPort();
    return bytes("ACK " + uri + " SIP/2.0\r\n"
        + via(localPort, id, "i")
        + "Max-Forwards: 70\r\n"
        + from(id)
        + "To: " + to + "\r\n"
        + "Call-ID: " + callId(id) + "\r\n"
        + "CSeq: 1 ACK\r\n"
        + "Content-Length: 0\r\n\r\n");
  }

  private static String via(int localPort, long id, String kind) {
    return "Via: SIP/2.0/UDP 127.0.0.1:" + localPort + ";branch=z9hG4bK-cl" + id + "-" + kind + ";rport\r\n";
  }

  private static String from(long id) {
    return "From: <sip:load@127.0.0.1>;tag=a" + id + "\r\n";
  }

  // ---- the carrier (leg B) ---------------------------------------------------------------

  /**
   * The carrier's answer to {@code request} (section 8.2.6.2): its Via (all of them, in
   * order), From, Call-ID and CSeq copied, To with {@code toTag} added when it has none; a
   * Contact and the SDP answer on a 2xx to INVITE.
   */
  static byte[] answer(Message request, int status, String reason, String toTag, int carrierPort) {
    StringBuilder b = new StringBuilder(512).append("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n");
    for (String via : request.all("via")) {
      b.append("Via: ").append(via).append("\r\n");
    }
    String to = request.first("to");
    if (tag(to) == null && toTag != null) {
      to = to + ";tag=" + toTag;
    }
    b.append("From: ").append(request.first("from")).append("\r\n")
        .append("To: ").append(to).append("\r\n")
        .append("Call-ID: ").append(request.first("call-id")).append("\r\n")
        .append("CSeq: ").append(request.first("cseq")).append("\r\n");
    boolean invite = request.method().equals("INVITE");
    if (invite && status < 300) {
      b.append("Contact: <sip:carrier@127.0.0.1:").append(carrierPort).append(">\r\n");
    }
    if (invite && status >= 200 && status < 300) {
      b.append("Content-Type: application/sdp\r\nContent-Length: ").append(ANSWER.length()).append("\r\n\r\n").append(ANSWER);
    } else {
      b.append("Content-Length: 0\r\n\r\n");
    }
    return bytes(b.toString());
  }

  // ---- reading -----------------------------------------------------------------------------

  /** The header fields of one message, names lower-cased and compact forms expanded. */
  record Message(String startLine, List<String[]> fields) {
    static Message parse(byte[] data, int length) {
      String text = new String(data, 0, length, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      String[] lines = (end < 0 ? text : text.substring(0, end)).split("\r\n");
      List<String[]> fields = new ArrayList<>(lines.length);
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          fields.add(new String[] {longName(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT)),
              lines[i].substring(colon + 1).trim()});
        }
      }
      return new Message(lines[0], fields);
    }

    boolean isResponse() {
      return startLine.startsWith("SIP/2.0 ");
    }

    int status() {
      return Integer.parseInt(startLine.substring(8, 11));
    }

    String method() {
      return startLine.substring(0, startLine.indexOf(' '));
    }

    String requestUri() {
      return startLine.substring(startLine.indexOf(' ') + 1, startLine.lastIndexOf(' '));
    }

    /** The CSeq method (of a response). */
    String cseqMethod() {
      String cseq = first("cseq");
      return cseq == null ? "" : cseq.substring(cseq.lastIndexOf(' ') + 1);
    }

    String first(String name) {
      for (String[] f : fields) {
        if (f[0].equals(name)) {
          return f[1];
        }
      }
      return null;
    }

    /** Every value of a header, comma-separated values split (Via may be either). */
    List<String> all(String name) {
      List<String> values = new ArrayList<>(2);
      for (String[] f : fields) {
        if (f[0].equals(name)) {
          for (String v : f[1].split(",")) {
            values.add(v.trim());
          }
        }
      }
      return values;
    }

    /** The URI of the first Contact, without its angle brackets. */
    String contactUri() {
      String c = first("contact");
      if (c == null) {
        return null;
      }
      int lt = c.indexOf('<');
      return lt >= 0 ? c.substring(lt + 1, c.indexOf('>', lt)) : c.split(";")[0].trim();
    }
  }

  /** The tag parameter of a From or To value, or null. */
  static String tag(String nameAddr) {
    if (nameAddr == null) {
      return null;
    }
    int gt = nameAddr.lastIndexOf('>');
    Matcher m = TAG.matcher(gt < 0 ? nameAddr : nameAddr.substring(gt));
    return m.find() ? m.group(1) : null;
  }

  /** Where a SIP URI with an IP host sends (section 19.1.1; port 5060 by default). */
  static InetSocketAddress address(String sipUri) {
    String rest = sipUri.substring(sipUri.indexOf(':') + 1);
    String hostPort = rest.substring(rest.indexOf('@') + 1).split("[;?>]")[0];
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      int port = hostPort.length() > close + 1 ? Integer.parseInt(hostPort.substring(close + 2)) : 5060;
      return new InetSocketAddress(hostPort.substring(1, close), port);
    }
    int colon = hostPort.indexOf(':');
    return colon < 0
        ? new InetSocketAddress(hostPort, 5060)
        : new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static String longName(String name) {
    return switch (name) {
      case "v" -> "via";
      case "i" -> "call-id";
      case "f" -> "from";
      case "t" -> "to";
      case "m" -> "contact";
      case "l" -> "content-length";
      case "c" -> "content-type";
      default -> name;
    };
  }

  private static long parseId(String s, int from, int to) {
    try {
      return Long.parseLong(s, from, to, 10);
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      return -1;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
