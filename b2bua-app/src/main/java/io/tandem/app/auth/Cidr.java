package io.tandem.app.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP network in CIDR notation ({@code 192.0.2.0/24}, {@code 2001:db8::/32}); an address
 * without a prefix length is that one host.
 *
 * @param network the network's address bytes (4 or 16)
 * @param prefix how many leading bits must match
 */
public record Cidr(byte[] network, int prefix) {

  /**
   * Reads {@code text}.
   *
   * @throws IllegalArgumentException for anything but an IP literal with an optional /length
   */
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String host = slash < 0 ? t : t.substring(0, slash);
    if (!host.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
      throw new IllegalArgumentException("not an IP address: '" + host + "'");
    }
    byte[] bytes;
    try {
      bytes = InetAddress.getByName(host).getAddress(); // a literal, checked above: never looked up
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: '" + host + "'");
    }
    int max = bytes.length * 8;
    int prefix = max;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > max) {
        throw new IllegalArgumentException("not a prefix length (0-" + max + "): '" + t + "'");
      }
    }
    return new Cidr(bytes, prefix);
  }

  /** Whether {@code address} is in this network (an IPv4 address is never in an IPv6 one). */
  public boolean contains(InetAddress address) {
    byte[] a = address.getAddress();
    if (a.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (a[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (a[full] & mask) == (network[full] & mask);
  }
}
