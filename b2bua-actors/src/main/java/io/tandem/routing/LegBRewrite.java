package io.tandem.routing;

import java.util.List;
import java.util.Objects;

/**
 * What a route changes in leg B's INVITE (DESIGN section 6, actions): the user dialled, the
 * caller's identity as leg B sees it, and headers added or removed. Values are final text: the
 * routing policy has already filled in its captures. Leg A's INVITE is never changed.
 *
 * @param dial the Request-URI user leg B dials (number normalisation, e.g. E.164), or null to
 *     dial leg A's Request-URI user
 * @param fromUser the From URI user on leg B, or null to keep leg A's
 * @param fromDisplay the From display name on leg B, or null to keep leg A's
 * @param pAssertedIdentity the P-Asserted-Identity of leg B (RFC 3325 section 9.1), a
 *     name-addr such as {@code <sip:+441234@example.com>}, or null for none
 * @param remove header names removed from leg B's INVITE after the copy from leg A (a
 *     {@code remove} then an {@code add} of one name replaces it)
 * @param add headers added to leg B's INVITE, in order, after the removals
 */
public record LegBRewrite(String dial, String fromUser, String fromDisplay, String pAssertedIdentity,
    List<String> remove, List<Header> add) {

  /** No change: leg B's INVITE is built from leg A's as the call settings say. */
  public static final LegBRewrite NONE = new LegBRewrite(null, null, null, null, List.of(), List.of());

  /** One header field to add: its name and its value as written. */
  public record Header(String name, String value) {
    public Header {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
    }
  }

  public LegBRewrite {
    remove = List.copyOf(remove);
    add = List.copyOf(add);
  }

  /** The user leg B dials: {@code dial} when the route sets one, else {@code dialled}. */
  public String dialOr(String dialled) {
    return dial != null ? dial : dialled;
  }
}
