package io.tandem.app;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A received message. */
record RawMessage(String text, InetSocketAddress from) {
  String header(String name) {
    Matcher m = Pattern.compile("(?im)^" + name + ":\\s*(.*)$").matcher(text);
    return m.find() ? m.group(1).strip() : null;
  }

  List<String> headers(String name) {
    Matcher m = Pattern.compile("(?im)^" + name + ":\\s*(.*)$").matcher(text);
    List<String> all = new ArrayList<>();
    while (m.find()) {
      all.add(m.group(1).strip());
    }
    return all;
  }
}
