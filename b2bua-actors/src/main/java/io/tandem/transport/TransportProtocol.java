package io.tandem.transport;

import java.util.Locale;
import java.util.Optional;

/** The transports Tandem speaks, as named in a Via header (RFC 3261 section 18). */
public enum TransportProtocol {
  UDP(false),
  TCP(true);

  private final boolean reliable;

  TransportProtocol(boolean reliable) {
    this.reliable = reliable;
  }

  /**
   * Whether the transport is reliable (RFC 3261 section 17): on a reliable transport the
   * transactions do not retransmit and timers D, I, J and K are zero.
   */
  public boolean reliable() {
    return reliable;
  }

  /** The token for the Via sent-protocol, e.g. {@code UDP}. */
  public String viaName() {
    return name();
  }

  /** The protocol a Via transport token names, if Tandem speaks it (case-insensitive). */
  public static Optional<TransportProtocol> fromVia(String token) {
    return switch (token.toUpperCase(Locale.ROOT)) {
      case "UDP" -> Optional.of(UDP);
      case "TCP" -> Optional.of(TCP);
      default -> Optional.empty();
    };
  }
}
