package io.tandem.app.routing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where in the operator's files a configuration error's value was written: the file (or resource)
 * and line Typesafe Config recorded for the deepest value on the error's config path, so that
 * "tandem.routing.routes[3].match.user-regex" also says "conf/tandem.conf line 41".
 */
public final class ConfigLocation {
  /** The config path an error message starts with: dotted keys, each with any [index]. */
  private static final Pattern PATH = Pattern.compile("^(tandem\\.[^\\s:,]+)");
  private static final Pattern SEGMENT = Pattern.compile("([^.\\[]+)((?:\\[[0-9]+\\])*)");
  private static final Pattern INDEX = Pattern.compile("\\[([0-9]+)\\]");

  private ConfigLocation() {}

  /**
   * " (at FILE line N)" for the value {@code message}'s leading path names in {@code config},
   * or for its deepest ancestor that exists (a missing key: the object that lacks it); "" when
   * the message names no path or the origin has no line.
   */
  public static String of(Config config, String message) {
    Matcher m = message == null ? null : PATH.matcher(message);
    if (m == null || !m.find()) {
      return "";
    }
    ConfigValue at = config.root();
    ConfigOrigin origin = null;
    for (String segment : m.group(1).split("\\.")) {
      Matcher s = SEGMENT.matcher(segment);
      if (!s.matches() || !(at instanceof ConfigObject object) || !object.containsKey(s.group(1))) {
        break;
      }
      at = object.get(s.group(1));
      origin = at.origin();
      Matcher index = INDEX.matcher(s.group(2));
      while (index.find() && at instanceof ConfigList list) {
        int i = Integer.parseInt(index.group(1));
        if (i >= list.size()) {
          break;
        }
        at = list.get(i);
        origin = at.origin();
      }
    }
    return origin == null || origin.lineNumber() < 0 ? "" : " (at " + name(origin) + " line " + origin.lineNumber() + ")";
  }

  /** The file, else the classpath resource, else the URL, else the description without its line. */
  private static String name(ConfigOrigin origin) {
    if (origin.filename() != null) {
      return origin.filename();
    }
    if (origin.resource() != null) {
      return origin.resource();
    }
    if (origin.url() != null) {
      return origin.url().toString();
    }
    return origin.description().replaceFirst(":\\s*[0-9]+(-[0-9]+)?$", "");
  }
}
