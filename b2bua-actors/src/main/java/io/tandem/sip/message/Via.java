package io.tandem.sip.message;

import io.tandem.sip.syntax.Ascii;
import io.tandem.sip.syntax.Cursor;
import io.tandem.sip.syntax.Grammar;
import io.tandem.sip.syntax.Text;
import io.tandem.sip.syntax.ViaGrammar;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One Via header value (RFC 3261 section 20.42): sent-protocol, sent-by and parameters such as
 * branch, received and rport (RFC 3581). Every instance is valid.
 */
public final class Via {
  /** The branch prefix of RFC 3261 section 8.1.1.7. */
  public static final String MAGIC_COOKIE = "z9hG4bK";

  private final String protocol;
  private final String version;
  private final String transport;
  private final String host;
  private final int port;
  private final Parameters params;

  private Via(
      String protocol, String version, String transport, String host, int port, Parameters params) {
    this.protocol = protocol;
    this.version = version;
    this.transport = transport;
    this.host = host;
    this.port = port;
    this.params = params;
  }

  /** {@code SIP/2.0/transport host[:port];branch=branch} */
  public static Via of(String transport, String host, int port, String branch) {
    return new Via("SIP", "2.0", transport, host, port, Parameters.EMPTY.with("branch", branch))
        .validated();
  }

  /** Parses one via-parm. */
  public static Via parse(String text) {
    byte[] b = Text.utf8(text);
    Cursor c = new Cursor(b, 0, b.length);
    int[] o = new int[ViaGrammar.VIA_SIZE];
    c.skipLws();
    if (!ViaGrammar.via(c, o, 0) || !Grammar.endOfValue(c)) {
      throw new IllegalArgumentException("invalid Via (" + c.error() + "): " + text);
    }
    return read(b, o, 0);
  }

  static Via read(byte[] b, int[] o, int k) {
    return new Via(
        Text.ascii(b, o[k + ViaGrammar.V_PROTOCOL_S], o[k + ViaGrammar.V_PROTOCOL_E]),
        Text.ascii(b, o[k + ViaGrammar.V_VERSION_S], o[k + ViaGrammar.V_VERSION_E]),
        Text.ascii(b, o[k + ViaGrammar.V_TRANSPORT_S], o[k + ViaGrammar.V_TRANSPORT_E]),
        Text.ascii(b, o[k + ViaGrammar.V_HOST_S], o[k + ViaGrammar.V_HOST_E]),
        o[k + ViaGrammar.V_PORT],
        Parameters.readHeader(b, o[k + ViaGrammar.V_PARAMS_S], o[k + ViaGrammar.V_PARAMS_E]));
  }


  /** This Via checked by the grammar: its text must parse back into the same components. */
  private Via validated() {
    Via parsed = parse(toString());
    if (!parsed.host.equals(host) || parsed.port != port
        || !parsed.params.asList().equals(params.asList())
        || !parsed.transport.equals(transport)) {
      throw new IllegalArgumentException("not a valid Via component in " + this);
    }
    return parsed;
  }

  public String protocol() {
    return protocol;
  }

  public String version() {
    return version;
  }

  /** The transport in upper case (UDP, TCP, TLS, SCTP, WS, ...). */
  public String transport() {
    return transport.toUpperCase(java.util.Locale.ROOT);
  }

  public String host() {
    return host;
  }

  /** The sent-by port, or -1 if absent. */
  public int port() {
    return port;
  }

  public Parameters params() {
    return params;
  }

  public Optional<String> branch() {
    return params.get("branch");
  }

  /** Whether the branch starts with the RFC 3261 magic cookie (else RFC 2543 matching applies). */
  public boolean hasRfc3261Branch() {
    return branch().map(b -> b.startsWith(MAGIC_COOKIE)).orElse(false);
  }

  public Optional<String> received() {
    return params.get("received");
  }

  /** Whether an rport parameter is present, with or without a value (RFC 3581). */
  public boolean hasRport() {
    return params.contains("rport");
  }

  /** The value of rport, if it has one. */
  public OptionalInt rport() {
    return params.get("rport").map(v -> OptionalInt.of(Integer.parseInt(v))).orElse(OptionalInt.empty());
  }

  public Optional<String> maddr() {
    return params.get("maddr");
  }

  public OptionalInt ttl() {
    return params.get("ttl").map(v -> OptionalInt.of(Integer.parseInt(v))).orElse(OptionalInt.empty());
  }

  /** A copy with parameter {@code name} set ({@code value} null: without a value). */
  public Via withParam(String name, String value) {
    return new Via(protocol, version, transport, host, port, params.with(name, value)).validated();
  }

  public Via withoutParam(String name) {
    return new Via(protocol, version, transport, host, port, params.without(name));
  }

  public Via withReceived(String address) {
    return withParam("received", address);
  }

  public Via withRport(int port) {
    return withParam("rport", Integer.toString(port));
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(64);
    out.append(protocol).append('/').append(version).append('/').append(transport).append(' ');
    out.append(host);
    if (port >= 0) {
      out.append(':').append(port);
    }
    params.render(out);
    return out.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Via)) {
      return false;
    }
    Via v = (Via) o;
    return protocol.equalsIgnoreCase(v.protocol)
        && version.equals(v.version)
        && transport.equalsIgnoreCase(v.transport)
        && host.equalsIgnoreCase(v.host)
        && port == v.port
        && params.equals(v.params);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Ascii.lower(host), port, params);
  }
}
