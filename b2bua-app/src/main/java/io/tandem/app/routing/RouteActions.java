package io.tandem.app.routing;

import io.tandem.routing.LegBRewrite;
import java.util.List;
import java.util.Map;

/**
 * A route's actions on leg B (DESIGN section 6): the templates of {@code dial},
 * {@code from-user}, {@code from-display} and {@code p-asserted-identity} (each null when the
 * route leaves it out), and {@code headers { remove, add }}, filled in per call with the match's
 * captures into a {@link LegBRewrite}.
 *
 * @param add header names and the templates of their values, in order
 */
record RouteActions(Template dial, Template fromUser, Template fromDisplay, Template pAssertedIdentity,
    List<String> remove, List<Map.Entry<String, Template>> add) {

  /** A route without actions. */
  static final RouteActions NONE = new RouteActions(null, null, null, null, List.of(), List.of());

  RouteActions {
    remove = List.copyOf(remove);
    add = List.copyOf(add);
  }

  /** The rewrite of one call whose match captured {@code captures}. */
  LegBRewrite apply(Map<String, String> captures) {
    if (this.equals(NONE)) {
      return LegBRewrite.NONE;
    }
    return new LegBRewrite(expand(dial, captures), expand(fromUser, captures), expand(fromDisplay, captures),
        expand(pAssertedIdentity, captures), remove,
        add.stream().map(e -> new LegBRewrite.Header(e.getKey(), e.getValue().expand(captures))).toList());
  }

  private static String expand(Template t, Map<String, String> captures) {
    return t == null ? null : t.expand(captures);
  }
}
