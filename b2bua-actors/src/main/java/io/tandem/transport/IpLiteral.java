package io.tandem.transport;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * Reads IP address literals without ever asking DNS: the transport resolves no names (a
 * response or request to a host name fails with bad-destination instead of blocking a thread).
 */
public final class IpLiteral {
  private IpLiteral() {}

  /**
   * The address {@code host} spells: dotted IPv4, or IPv6 with or without brackets (as a Via
   * sent-by or received writes it). Empty for a host name or anything else.
   */
  public static Optional<InetAddress> parse(String host) {
    if (host == null || host.isEmpty()) {
      return Optional.empty();
    }
    String h = host;
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.indexOf(':') >= 0) {
      for (int i = 0; i < h.length(); i++) {
        char c = h.charAt(i);
        boolean ok = c == ':' || c == '.' || Character.digit(c, 16) >= 0;
        if (!ok) {
          return Optional.empty();
        }
      }
    } else if (!isDottedQuad(h)) {
      return Optional.empty();
    }
    try {
      // A literal, checked above: getByName parses it and does no lookup.
      return Optional.of(InetAddress.getByName(h));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static boolean isDottedQuad(String h) {
    String[] parts = h.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
          || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }

  /** The textual address without brackets, e.g. {@code ::1}, as a Via received carries it. */
  static String text(InetAddress address) {
    return address.getHostAddress();
  }

  /** {@code 127.0.0.1:5060} or {@code [::1]:5060}. */
  static String hostPort(InetSocketAddress address) {
    String host = address.getAddress() != null
        ? address.getAddress().getHostAddress()
        : address.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /**
   * {@code ip} as the host of a SIP URI or a Via sent-by: dotted IPv4, or IPv6 in brackets in its
   * RFC 5952 text (RFC 3261 section 25.1, IPv6reference).
   */
  public static String uriHost(InetAddress ip) {
    return ip instanceof Inet6Address ? "[" + rfc5952(ip.getAddress()) + "]" : ip.getHostAddress();
  }

  /**
   * The RFC 5952 text of an IPv6 address ({@code 2001:db8::1}, not Java's
   * {@code 2001:db8:0:0:0:0:0:1}), without a zone id, which has no place in a URI host: the
   * longest run of two or more zero groups (the first, on a tie) becomes "::".
   */
  static String rfc5952(byte[] a) {
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder(39);
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
      } else {
        if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
          out.append(':');
        }
        out.append(Integer.toHexString(groups[i]));
      }
    }
    return out.toString();
  }
}
