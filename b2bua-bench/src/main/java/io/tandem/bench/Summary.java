package io.tandem.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Prints a summary of a JMH JSON result file ({@code -rf json}) of {@link CodecBenchmark}: per
 * message, Tandem's and JAIN-SIP's throughput, their ratio, and the bytes allocated per
 * operation ({@code gc.alloc.rate.norm}, with {@code -prof gc}).
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.tandem.bench.Summary target/jmh-result.json}
 */
public final class Summary {
  private Summary() {}

  /** One benchmark result: score and error of throughput and of allocation per operation. */
  record Result(double ops, double opsError, double bytes, double bytesError) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: Summary <jmh-result.json>");
      System.exit(2);
    }
    String json = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    Map<String, Map<String, Result>> byMessage = read(json);
    System.out.print(format(byMessage));
  }

  /** message -> benchmark method name -> result. */
  static Map<String, Map<String, Result>> read(String json) {
    Object root = new Json(json).parse();
    Map<String, Map<String, Result>> out = new LinkedHashMap<>();
    for (Object o : (List<?>) root) {
      Map<?, ?> run = (Map<?, ?>) o;
      String benchmark = (String) run.get("benchmark");
      String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      Map<?, ?> params = (Map<?, ?>) run.get("params");
      String message = params == null ? "-" : String.valueOf(params.get("message"));
      Map<?, ?> primary = (Map<?, ?>) run.get("primaryMetric");
      Map<?, ?> secondary = (Map<?, ?>) run.get("secondaryMetrics");
      Map<?, ?> alloc = secondary == null ? null : (Map<?, ?>) secondary.get("gc.alloc.rate.norm");
      out.computeIfAbsent(message, k -> new LinkedHashMap<>())
          .put(method, new Result(
              number(primary.get("score")), number(primary.get("scoreError")),
              alloc == null ? Double.NaN : number(alloc.get("score")),
              alloc == null ? Double.NaN : number(alloc.get("scoreError"))));
    }
    return out;
  }

  static String format(Map<String, Map<String, Result>> byMessage) {
    StringBuilder out = new StringBuilder();
    out.append("Tandem vs JAIN-SIP RI (throughput, ops/s, ± 99.9% error; B/op = gc.alloc.rate.norm)\n\n");
    String row = "%-7s %-10s  %-22s  %-23s %6s %12s %10s%n";
    out.append(String.format(Locale.ROOT, row,
        "message", "operation", "Tandem ops/s ± error", "JAIN-SIP ops/s ± error", "ratio", "Tandem B/op",
        "JAIN B/op"));
    for (Map.Entry<String, Map<String, Result>> e : byMessage.entrySet()) {
      Map<String, Result> r = e.getValue();
      pair(out, row, e.getKey(), "parse", r.get("tandemParse"), r.get("jainSipParse"));
      pair(out, row, e.getKey(), "parse+read", r.get("tandemParseAndRead"),
          r.get("jainSipParseAndRead"));
    }
    out.append("\nTandem rendering (received: rebuilt to canonical form; built: a copy)\n\n");
    String row2 = "%-7s %-15s  %-24s %8s%n";
    out.append(String.format(Locale.ROOT, row2, "message", "operation", "ops/s ± error", "B/op"));
    for (Map.Entry<String, Map<String, Result>> e : byMessage.entrySet()) {
      single(out, row2, e.getKey(), "render received", e.getValue().get("tandemRender"));
      single(out, row2, e.getKey(), "render built", e.getValue().get("tandemRenderBuilt"));
    }
    Set<String> known = new LinkedHashSet<>(List.of("tandemParse", "jainSipParse",
        "tandemParseAndRead", "jainSipParseAndRead", "tandemRender", "tandemRenderBuilt"));
    List<String> other = new ArrayList<>();
    byMessage.values().forEach(m -> m.keySet().stream().filter(k -> !known.contains(k))
        .filter(k -> !other.contains(k)).forEach(other::add));
    if (!other.isEmpty()) {
      out.append("\n(not summarised: ").append(String.join(", ", other)).append(")\n");
    }
    return out.toString();
  }

  private static void pair(StringBuilder out, String row, String message, String op,
      Result tandem, Result jain) {
    if (tandem == null && jain == null) {
      return;
    }
    String ratio = tandem != null && jain != null ? String.format(Locale.ROOT, "%.1fx", tandem.ops / jain.ops) : "-";
    out.append(String.format(Locale.ROOT, row, message, op, ops(tandem), ops(jain), ratio,
        bytes(tandem), bytes(jain)));
  }

  private static void single(StringBuilder out, String row, String message, String op, Result r) {
    if (r != null) {
      out.append(String.format(Locale.ROOT, row, message, op, ops(r), bytes(r)));
    }
  }

  private static String ops(Result r) {
    if (r == null) {
      return "-";
    }
    return String.format(Locale.ROOT, "%,10.0f ± %,.0f", r.ops, r.opsError);
  }

  private static String bytes(Result r) {
    return r == null || Double.isNaN(r.bytes) ? "-" : String.format(Locale.ROOT, "%,.0f", r.bytes);
  }

  private static double number(Object o) {
    if (o instanceof Double) {
      return (Double) o;
    }
    return Double.NaN; // JMH writes "NaN" as a string for a missing error
  }

  /** Just enough JSON for JMH's result file: objects, arrays, strings, numbers, literals. */
  static final class Json {
    private final String s;
    private int p;

    Json(String s) {
      this.s = s;
    }

    Object parse() {
      Object v = value();
      ws();
      if (p != s.length()) {
        throw error("trailing text");
      }
      return v;
    }

    private Object value() {
      ws();
      if (p >= s.length()) {
        throw error("unexpected end");
      }
      char c = s.charAt(p);
      switch (c) {
        case '{':
          return object();
        case '[':
          return array();
        case '"':
          return string();
        case 't':
          return literal("true", Boolean.TRUE);
        case 'f':
          return literal("false", Boolean.FALSE);
        case 'n':
          return literal("null", null);
        default:
          return number();
      }
    }

    private Map<String, Object> object() {
      Map<String, Object> m = new LinkedHashMap<>();
      p++;
      ws();
      if (peek('}')) {
        p++;
        return m;
      }
      while (true) {
        ws();
        String key = string();
        ws();
        expect(':');
        m.put(key, value());
        ws();
        if (peek(',')) {
          p++;
        } else {
          expect('}');
          return m;
        }
      }
    }

    private List<Object> array() {
      List<Object> list = new ArrayList<>();
      p++;
      ws();
      if (peek(']')) {
        p++;
        return list;
      }
      while (true) {
        list.add(value());
        ws();
        if (peek(',')) {
          p++;
        } else {
          expect(']');
          return list;
        }
      }
    }

    private String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        if (p >= s.length()) {
          throw error("unterminated string");
        }
        char c = s.charAt(p++);
        if (c == '"') {
          return b.toString();
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = s.charAt(p++);
        switch (e) {
          case 'n':
            b.append('\n');
            break;
          case 't':
            b.append('\t');
            break;
          case 'r':
            b.append('\r');
            break;
          case 'b':
            b.append('\b');
            break;
          case 'f':
            b.append('\f');
            break;
          case 'u':
            b.append((char) Integer.parseInt(s.substring(p, p + 4), 16));
            p += 4;
            break;
          default:
            b.append(e); // \" \\ \/
        }
      }
    }

    private Double number() {
      int start = p;
      while (p < s.length() && "+-0123456789.eE".indexOf(s.charAt(p)) >= 0) {
        p++;
      }
      if (start == p) {
        throw error("unexpected character");
      }
      return Double.valueOf(s.substring(start, p));
    }

    private Object literal(String word, Object v) {
      if (!s.startsWith(word, p)) {
        throw error("expected " + word);
      }
      p += word.length();
      return v;
    }

    private void ws() {
      while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
        p++;
      }
    }

    private boolean peek(char c) {
      return p < s.length() && s.charAt(p) == c;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw error("expected '" + c + "'");
      }
      p++;
    }

    private IllegalArgumentException error(String what) {
      return new IllegalArgumentException("JSON: " + what + " at offset " + p);
    }
  }
}
