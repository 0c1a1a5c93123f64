package io.tandem.app.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A route action's text with {@code ${...}} references to what the match captured: a numbered
 * group of the user regex ({@code ${1}}), a named one ({@code ${cc}}), or one of
 * {@link #BUILT_IN}. References are checked when the configuration is read, so a typo stops the
 * server at start; a group that took no part in the match expands to nothing.
 */
final class Template {
  /** Always defined: the Request-URI user and host, the From user and the To user. */
  static final Set<String> BUILT_IN = Set.of("user", "host", "from", "to");

  private static final Pattern REFERENCE = Pattern.compile("\\$\\{([^}]*)\\}");

  private final String text;
  /** Alternately literal text and a variable name (even indexes literal, odd names). */
  private final List<String> parts;

  private Template(String text, List<String> parts) {
    this.text = text;
    this.parts = List.copyOf(parts);
  }

  /**
   * Reads {@code text}.
   *
   * @param groups how many numbered groups the user regex has (0 without one)
   * @param names the user regex's named groups
   * @throws IllegalArgumentException naming a reference that nothing defines
   */
  static Template parse(String text, int groups, Set<String> names) {
    List<String> parts = new ArrayList<>();
    Matcher m = REFERENCE.matcher(text);
    int at = 0;
    while (m.find()) {
      String name = m.group(1);
      boolean defined = BUILT_IN.contains(name) || names.contains(name)
          || (name.matches("[0-9]{1,3}") && Integer.parseInt(name) <= groups);
      if (!defined) {
        throw new IllegalArgumentException("${" + name + "} is not a capture of the user regex ("
            + groups + " numbered groups, names " + names.stream().sorted().toList() + ") nor one of "
            + BUILT_IN.stream().sorted().toList());
      }
      parts.add(text.substring(at, m.start()));
      parts.add(name);
      at = m.end();
    }
    if (text.indexOf("${", at) >= 0) {
      throw new IllegalArgumentException("unclosed ${ in '" + text + "'");
    }
    parts.add(text.substring(at));
    return new Template(text, parts);
  }

  /** The text with every reference replaced by its value in {@code values} (absent: empty). */
  String expand(Map<String, String> values) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < parts.size(); i++) {
      out.append(i % 2 == 0 ? parts.get(i) : values.getOrDefault(parts.get(i), ""));
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return text;
  }
}
