package io.tandem.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real softphone for interop tests: Debian's baresip 1.0, started in the test's own network
 * namespace on 127.0.0.1 and driven over its {@code ctrl_tcp} socket (JSON in netstrings).
 *
 * <p>baresip otherwise takes its address from the first non-loopback interface (and fails
 * without one); {@code net_interface 127.0.0.1} makes it use loopback for SIP, Contact and SDP,
 * so no namespace of its own is needed. It runs with {@code -s}, its SIP trace, which
 * {@link #ladder()} reads back as what crossed its socket. {@code -t} ends it on its own should
 * the JVM die before {@link #close()}.
 */
final class Baresip implements AutoCloseable {
  static final Path BINARY = Path.of("/usr/bin/baresip");
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
  private static final Pattern TRACE = Pattern.compile(
      "(?:UDP|TCP) (\\S+) -> (\\S+)\\r?\\n(.*?)\\u001b\\[;m", Pattern.DOTALL);
  /**
   * A line of baresip's other threads ("aubridge: thread start: ...") written into the middle of
   * a trace header, right after a digit of an address ("UDP 127.0.0.1:39801aubridge: ..." then
   * " -> 127.0.0.1:48119" on the next line): taken out before the trace is read.
   */
  private static final Pattern GLUED = Pattern.compile("(?<=[0-9\\]])[a-z][a-z_]*: [^\\n]*\\n");
  private static final Pattern CSEQ = Pattern.compile("(?im)^CSeq:\\s*\\d+\\s+(\\S+)");

  private final String user;
  private final int sipPort;
  private final Path output;
  private final Process process;
  private final Socket control;
  private int from;

  private Baresip(String user, int sipPort, Path output, Process process, Socket control) {
    this.user = user;
    this.sipPort = sipPort;
    this.output = output;
    this.process = process;
    this.control = control;
  }

  static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /**
   * Starts baresip as {@code user} with its config in {@code dir}; {@code autoAnswer} answers
   * every INVITE at once (180 then 200). Returns once its control socket accepts commands.
   */
  static Baresip start(String user, boolean autoAnswer, Path dir) throws Exception {
    int sipPort = freeSipPort();
    int controlPort;
    try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK)) {
      controlPort = probe.getLocalPort();
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config"), String.join("\n",
        "sip_listen 127.0.0.1:" + sipPort,
        "net_interface 127.0.0.1",
        "module_path /usr/lib/baresip/modules",
        "module g711.so",
        "module aubridge.so",
        "audio_player aubridge,nil",
        "audio_source aubridge,nil",
        "audio_alert aubridge,nil",
        "ringback_disabled yes",
        "module_tmp account.so",
        "module_app menu.so",
        "module_app ctrl_tcp.so",
        "ctrl_tcp_listen 127.0.0.1:" + controlPort,
        ""));
    Files.writeString(dir.resolve("accounts"), "<sip:" + user + "@127.0.0.1>;regint=0;audio_codecs=PCMU"
        + (autoAnswer ? ";answermode=auto" : "") + "\n");
    Path output = dir.resolve("baresip.out");
    Process process = new ProcessBuilder(List.of(
            BINARY.toString(), "-4", "-s", "-f", dir.toString(), "-t", "60"))
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    try {
      Socket control = connect(controlPort, process, output);
      control.setSoTimeout((int) COMMAND_TIMEOUT.toMillis());
      return new Baresip(user, sipPort, output, process, control);
    } catch (Exception | AssertionError e) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** {@code sip:USER@127.0.0.1:PORT}: where to send it an INVITE. */
  String uri() {
    return "sip:" + user + "@127.0.0.1:" + sipPort;
  }

  int port() {
    return sipPort;
  }

  /** Places a call to {@code uri} (the {@code dial} command). */
  void dial(String uri) throws IOException {
    command("dial", uri);
  }

  /** Hangs up its call: BYE once answered, CANCEL before (the {@code hangup} command). */
  void hangup() throws IOException {
    command("hangup", "");
  }

  /** Forgets the ladder so far: {@link #ladder()} starts after it (one test's call each). */
  void mark() throws IOException {
    from = trace().size();
  }

  /**
   * Every SIP message of its trace since {@link #mark()}, in order, as {@code "-> INVITE"}
   * (sent) or {@code "<- 200 BYE"} (received; a response is its status and CSeq method).
   */
  List<String> ladder() throws IOException {
    List<Traced> trace = trace();
    List<String> ladder = new ArrayList<>();
    for (Traced t : trace.subList(from, trace.size())) {
      ladder.add(t.line());
    }
    return ladder;
  }

  /** The text of the first message since {@link #mark()} whose ladder line is {@code line}. */
  String message(String line) throws IOException {
    List<Traced> trace = trace();
    return trace.subList(from, trace.size()).stream()
        .filter(t -> t.line().equals(line))
        .findFirst()
        .orElseThrow(() -> new AssertionError(user + " never saw " + line + ": " + describe()))
        .text();
  }

  /** One message of the trace: its ladder line and its text. */
  private record Traced(String line, String text) {}

  private List<Traced> trace() throws IOException {
    String out = GLUED.matcher(Files.readString(output, StandardCharsets.ISO_8859_1)).replaceAll("");
    List<Traced> trace = new ArrayList<>();
    Matcher m = TRACE.matcher(out);
    while (m.find()) {
      boolean sent = m.group(1).endsWith(":" + sipPort);
      String message = m.group(3);
      String startLine = message.lines().findFirst().orElse("").trim();
      String what;
      if (startLine.startsWith("SIP/2.0 ")) {
        Matcher cseq = CSEQ.matcher(message);
        what = startLine.split(" ")[1] + " " + (cseq.find() ? cseq.group(1) : "?");
      } else {
        what = startLine.split(" ")[0];
      }
      trace.add(new Traced((sent ? "-> " : "<- ") + what, message));
    }
    return trace;
  }

  /** Waits until its ladder holds {@code line}. */
  void await(String line, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ladder().contains(line)) {
      if (System.nanoTime() > deadline || !process.isAlive()) {
        throw new AssertionError(user + ": no \"" + line + "\" in " + timeout + "; ladder " + ladder()
            + (process.isAlive() ? "\nits output, last part:\n" + tail() : "\nbaresip exited:\n" + tail()));
      }
      Thread.sleep(20);
    }
  }

  /** The last 4,000 characters of its output (its log and SIP trace), for failure messages. */
  private String tail() throws IOException {
    String out = GLUED.matcher(Files.readString(output, StandardCharsets.ISO_8859_1)).replaceAll("");
    return out.substring(Math.max(0, out.length() - 4000));
  }

  /** Its output so far, for failure messages. */
  String describe() {
    try {
      return user + " (baresip) " + ladder() + "\n";
    } catch (IOException e) {
      return user + " (baresip) unreadable output: " + e + "\n";
    }
  }

  /** Asks baresip to quit, then kills it if it has not exited within 3 s. */
  @Override
  public void close() throws Exception {
    try {
      command("quit", "");
    } catch (IOException | AssertionError ignored) {
      // already gone or deaf: killed below
    }
    control.close();
    if (!process.waitFor(3, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** Sends a command as a netstring and reads netstrings until its response, which must be ok. */
  private void command(String name, String params) throws IOException {
    byte[] json = ("{\"command\":\"" + name + "\",\"params\":\"" + params + "\",\"token\":\"" + name + "\"}")
        .getBytes(StandardCharsets.UTF_8);
    OutputStream out = control.getOutputStream();
    out.write((json.length + ":").getBytes(StandardCharsets.US_ASCII));
    out.write(json);
    out.write(',');
    out.flush();
    if (name.equals("quit")) {
      return; // it may exit before it answers
    }
    InputStream in = control.getInputStream();
    while (true) {
      String reply = readNetstring(in);
      if (reply.contains("\"response\":true")) {
        if (!reply.contains("\"ok\":true")) {
          throw new AssertionError(user + ": " + name + " failed: " + reply);
        }
        return;
      }
    }
  }

  private static String readNetstring(InputStream in) throws IOException {
    int length = 0;
    for (int c = in.read(); c != ':'; c = in.read()) {
      if (c < '0' || c > '9') {
        throw new IOException("not a netstring from ctrl_tcp (" + c + ")");
      }
      length = length * 10 + (c - '0');
    }
    byte[] body = in.readNBytes(length);
    if (body.length != length || in.read() != ',') {
      throw new IOException("truncated netstring from ctrl_tcp");
    }
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Connects to ctrl_tcp, which listens once baresip is ready; up to 10 s. */
  private static Socket connect(int port, Process process, Path output) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(LOOPBACK, port), 1000);
        return socket;
      } catch (IOException e) {
        socket.close();
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new AssertionError("baresip did not start:\n" + Files.readString(output), e);
        }
        Thread.sleep(50);
      }
    }
  }

  /**
   * A port free for UDP and TCP whose next port is free for TCP too: baresip listens for SIP
   * over UDP and TCP on the port it is given and for SIP over TLS on the next one.
   */
  private static int freeSipPort() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      try (ServerSocket tcp = new ServerSocket(0, 1, LOOPBACK)) {
        int port = tcp.getLocalPort();
        if (port >= 65535) {
          continue;
        }
        try (DatagramSocket udp = new DatagramSocket(port, LOOPBACK);
             ServerSocket tls = new ServerSocket(port + 1, 1, LOOPBACK)) {
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no free port pair for baresip");
  }
}
