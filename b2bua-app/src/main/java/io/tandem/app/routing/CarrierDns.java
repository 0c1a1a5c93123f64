package io.tandem.app.routing;

import io.tandem.transport.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Optional;
import javax.naming.Context;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;

/**
 * A carrier named by DNS (RFC 3263 section 4.2 and 4.1, without NAPTR): the SRV records of
 * {@code _sip._udp.NAME} or {@code _sip._tcp.NAME}, the lowest priority first and, within it,
 * the highest weight; the chosen target's A, then AAAA, record. Without SRV, the name's own A or
 * AAAA record at the configured port.
 *
 * <p>Looked up when the configuration is read (at start and on each reload), never while a call
 * waits: a carrier whose records change is followed by the next reload. The first usable
 * target is the carrier's address; the others are not tried.
 */
final class CarrierDns {
  private final String servers;

  /**
   * @param servers DNS servers as {@code host:port} (IP addresses), or empty for the system's
   */
  CarrierDns(List<String> servers) {
    this.servers = servers.isEmpty() ? "dns:" : String.join(" ", servers.stream().map(s -> "dns://" + s).toList());
  }

  /** Where {@code name} sends SIP over {@code protocol}; empty when DNS knows no address for it. */
  Optional<InetSocketAddress> resolve(String name, TransportProtocol protocol, int defaultPort) throws NamingException {
    Hashtable<String, String> env = new Hashtable<>();
    env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
    env.put(Context.PROVIDER_URL, servers);
    env.put("com.sun.jndi.dns.timeout.initial", "1000");
    env.put("com.sun.jndi.dns.timeout.retries", "2");
    DirContext dns = new InitialDirContext(env);
    try {
      String service = "_sip._" + (protocol == TransportProtocol.TCP ? "tcp" : "udp") + "." + name;
      for (Srv srv : srv(dns, service)) {
        Optional<InetAddress> ip = address(dns, srv.target());
        if (ip.isPresent()) {
          return Optional.of(new InetSocketAddress(ip.get(), srv.port()));
        }
      }
      return address(dns, name).map(ip -> new InetSocketAddress(ip, defaultPort));
    } finally {
      dns.close();
    }
  }

  private record Srv(int priority, int weight, int port, String target) {}

  private static List<Srv> srv(DirContext dns, String service) throws NamingException {
    List<Srv> out = new ArrayList<>();
    for (String value : values(dns, service, "SRV")) {
      String[] f = value.trim().split("\\s+");
      if (f.length == 4 && !f[3].equals(".")) {
        out.add(new Srv(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Integer.parseInt(f[2]),
            f[3].endsWith(".") ? f[3].substring(0, f[3].length() - 1) : f[3]));
      }
    }
    out.sort(Comparator.comparingInt(Srv::priority).thenComparing(Comparator.comparingInt(Srv::weight).reversed()));
    return out;
  }

  private static Optional<InetAddress> address(DirContext dns, String host) throws NamingException {
    for (String type : new String[] {"A", "AAAA"}) {
      for (String value : values(dns, host, type)) {
        try {
          return Optional.of(InetAddress.getByName(value.trim())); // a literal from DNS: no lookup
        } catch (UnknownHostException e) {
          // not an address: skip it
        }
      }
    }
    return Optional.empty();
  }

  private static List<String> values(DirContext dns, String name, String type) throws NamingException {
    List<String> out = new ArrayList<>();
    try {
      Attributes attributes = dns.getAttributes(name, new String[] {type});
      Attribute a = attributes.get(type);
      if (a != null) {
        NamingEnumeration<?> all = a.getAll();
        while (all.hasMore()) {
          out.add(String.valueOf(all.next()));
        }
      }
    } catch (javax.naming.NameNotFoundException e) {
      // no such name or no such record: nothing
    }
    return out;
  }
}
