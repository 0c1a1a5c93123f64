package io.tandem.transport;

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
}
