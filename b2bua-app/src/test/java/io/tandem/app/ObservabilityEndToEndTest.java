package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.IncomingCall;
import io.tandem.app.ua.OutgoingCall;
import io.tandem.app.ua.Script;
import io.tandem.app.ua.SipUa;
import io.tandem.transport.TransportProtocol;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What operators see of a call: its CDR line and its Prometheus metrics, after alice's call to
 * bob that carrier one refuses (486) and carrier two answers, and alice hangs up.
 */
class ObservabilityEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String OFFER = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  private static final String ANSWER = "v=0\r\no=carrier 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 50000 RTP/AVP 0\r\n";
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  @TempDir
  static Path cdrDir;

  private static SipUa alice;
  private static SipUa one;
  private static SipUa two;
  private static Server server;
  private static int metricsPort;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    alice = SipUa.start("alice");
    one = SipUa.start("one");
    two = SipUa.start("two");
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      metricsPort = free.getLocalPort(); // Kamon's endpoint takes no port 0
    }
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.cdr.directory = "%s"
        tandem.metrics.transport-poll-interval = 200ms
        kamon.metric.tick-interval = 500ms
        kamon.prometheus.start-embedded-http-server = yes
        kamon.prometheus.embedded-server.port = %d
        tandem.routing {
          carriers {
            one { address = "127.0.0.1", port = %d }
            two { address = "127.0.0.1", port = %d }
          }
          routes = [ { name = all, carriers = [one, two] } ]
        }
        """.formatted(cdrDir.toString().replace("\\", "\\\\"), metricsPort, one.port(), two.port())), "test"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    alice.close();
    one.close();
    two.close();
  }

  @Test
  void aFailoverCallLeavesOneCdrLineAndCountsInPrometheus() throws Exception {
    Map<String, Double> before = settledMetrics();
    one.onInvite(Script.reject(486));
    two.onInvite(Script.answer(Duration.ZERO, ANSWER));
    int port = ServerProbes.port(server, TransportProtocol.UDP);
    OutgoingCall call = alice.invite("sip:bob@127.0.0.1:" + port, "udp", OFFER);
    IncomingCall legB = two.awaitIncoming(WAIT);
    assertEquals(200, call.awaitFinal(WAIT).getStatusCode(), SipUa::ladders);
    legB.awaitAck(WAIT);
    Thread.sleep(300); // the call's talk time, which the CDR's duration measures
    call.bye();
    legB.awaitBye(WAIT);

    String line = awaitCdrLine();
    assertTrue(line.startsWith("{") && line.endsWith("}"), line);
    assertContains(line, "\"call_id\":\"" + call.callId() + "\"");
    assertContains(line, "\"leg_b_call_ids\":[\"");
    assertContains(line, "\"from\":\"alice\",\"to\":\"bob\"");
    assertContains(line, "\"to_out\":\"bob\"");
    assertContains(line, "\"route\":\"all\"");
    assertContains(line, "\"source\":\"UDP:127.0.0.1:" + alice.port() + "\"");
    assertMatches(line, "\"attempts\":\\[\\{\"carrier\":\"one\",\"call_id\":\"[^\"]+\",\"status\":486,\"failure\":null},"
        + "\\{\"carrier\":\"two\",\"call_id\":\"" + Pattern.quote(legB.callId()) + "\",\"status\":200,\"failure\":null}]");
    assertContains(line, "\"answered\":true,\"final_code\":200,\"hung_up_by\":\"caller\",\"end_reason\":\"bye\"");
    String instant = "\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z\"";
    for (String field : List.of("start", "ring", "answer", "end")) {
      if (!field.equals("ring")) {
        assertMatches(line, "\"" + field + "\":" + instant);
      }
    }
    Matcher duration = Pattern.compile("\"duration\":(\\d+\\.\\d{3})").matcher(line);
    assertTrue(duration.find(), line);
    double seconds = Double.parseDouble(duration.group(1));
    assertTrue(seconds >= 0.25 && seconds < 5, "duration " + seconds);

    Map<String, Double> expected = new HashMap<>();
    expected.put("tandem_calls_attempted_total", 1.0);
    expected.put("tandem_calls_answered_total{carrier=\"two\"}", 1.0);
    expected.put("tandem_attempts_total{carrier=\"one\",status=\"486\"}", 1.0);
    expected.put("tandem_attempts_total{carrier=\"two\",status=\"200\"}", 1.0);
    expected.put("tandem_failovers_total{carrier=\"two\"}", 1.0);
    expected.put("tandem_calls_ended_total{by=\"caller\",reason=\"bye\"}", 1.0);
    expected.put("tandem_call_setup_time_seconds_count", 1.0);
    Map<String, Double> after = awaitMetrics(before, expected);
    assertEquals(0.0, after.get("tandem_calls_active"), "no call is up");
    assertTrue(after.getOrDefault("tandem_transport_messages{counter=\"received\"}", 0.0) >= 4,
        "the transport's counters: " + after.get("tandem_transport_messages{counter=\"received\"}"));
    assertTrue(after.keySet().stream().anyMatch(k -> k.startsWith("jvm_")), "JVM metrics from kamon-system-metrics");
    assertTrue(after.containsKey("tandem_transactions_active{kind=\"server\"}"), "the transaction layer's counts");
  }

  private static void assertContains(String line, String part) {
    assertTrue(line.contains(part), "no " + part + " in\n" + line);
  }

  private static void assertMatches(String line, String regex) {
    assertTrue(Pattern.compile(regex).matcher(line).find(), "no " + regex + " in\n" + line);
  }

  /** The one CDR line of the call, once the writer has it on disk. */
  private static String awaitCdrLine() throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      List<String> lines;
      try (Stream<Path> files = Files.list(cdrDir)) {
        lines = files.flatMap(ObservabilityEndToEndTest::lines).toList();
      }
      if (!lines.isEmpty() || System.nanoTime() > deadline) {
        assertEquals(1, lines.size(), "CDR lines: " + lines);
        return lines.get(0);
      }
      Thread.sleep(50);
    }
  }

  private static Stream<String> lines(Path file) {
    try {
      return Files.readAllLines(file).stream().filter(l -> !l.isBlank());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The metrics once two scrapes a tick apart agree: earlier tests of this JVM may still have
   * counts on their way to the reporter (Kamon is one per JVM; its counters add up).
   */
  private static Map<String, Double> settledMetrics() throws Exception {
    Map<String, Double> last = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (System.nanoTime() < deadline) {
      Map<String, Double> now = scrapeOrEmpty();
      if (!now.isEmpty() && last != null && callCounters(now).equals(callCounters(last))) {
        return now;
      }
      last = now;
      Thread.sleep(700);
    }
    throw new AssertionError("the Prometheus endpoint on port " + metricsPort + " did not settle: " + last);
  }

  private static Map<String, Double> callCounters(Map<String, Double> metrics) {
    Map<String, Double> out = new TreeMap<>();
    metrics.forEach((k, v) -> {
      if (k.startsWith("tandem_") && !k.startsWith("tandem_transport")) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** Waits until each of {@code increase} went up by its amount since {@code before}. */
  private static Map<String, Double> awaitMetrics(Map<String, Double> before, Map<String, Double> increase)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Map<String, Double> now = Map.of();
    while (System.nanoTime() < deadline) {
      now = scrapeOrEmpty();
      Map<String, Double> current = now;
      if (increase.entrySet().stream().allMatch(e ->
          current.getOrDefault(e.getKey(), 0.0) - before.getOrDefault(e.getKey(), 0.0) == e.getValue())
          && current.getOrDefault("tandem_calls_active", -1.0) == 0.0) {
        return now;
      }
      Thread.sleep(200);
    }
    Map<String, Double> last = now;
    StringBuilder why = new StringBuilder();
    increase.forEach((k, v) -> why.append(k).append(": ").append(before.get(k)).append(" -> ").append(last.get(k))
        .append(" (expected +").append(v).append(")\n"));
    throw new AssertionError("metrics did not reach their values:\n" + why + "active: " + last.get("tandem_calls_active"));
  }

  /** The endpoint's samples by name and sorted labels; empty while it does not answer. */
  private static Map<String, Double> scrapeOrEmpty() throws Exception {
    HttpResponse<String> response;
    try {
      response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException e) {
      return Map.of();
    }
    Map<String, Double> samples = new HashMap<>();
    for (String line : response.body().split("\n")) {
      Matcher m = SAMPLE.matcher(line.trim());
      if (line.startsWith("#") || !m.matches()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      if (m.group(2) != null) {
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
      }
      StringBuilder key = new StringBuilder(m.group(1));
      if (!labels.isEmpty()) {
        key.append('{');
        labels.forEach((k, v) -> key.append(k).append("=\"").append(v).append("\","));
        key.setCharAt(key.length() - 1, '}');
      }
      samples.put(key.toString(), Double.parseDouble(m.group(3)));
    }
    return samples;
  }
}
