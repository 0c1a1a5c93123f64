package io.tandem.app;

import com.typesafe.config.ConfigException;
import io.tandem.app.demo.Demo;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.codec.SipRenderer;
import io.tandem.sip.message.SipMessage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Tandem's command line.
 *
 * <pre>
 *   tandem [--config FILE]               run the server until stopped (SIGTERM, Ctrl-C)
 *   tandem [--config FILE] settings      show the effective settings
 *   tandem [--config FILE] parse FILE... parse each file as one SIP datagram and print the
 *                                        verdict: the canonical message, or the status Tandem
 *                                        would answer and why
 *   tandem [--config FILE] demo          place one call through Tandem, from an embedded caller
 *                                        to the embedded demo carrier, on free loopback ports,
 *                                        and print both legs' messages; 0 if the call completed
 * </pre>
 *
 * <p>The configuration is {@code conf/application.conf} when it exists, over the defaults in
 * each module's reference.conf. The server exits 0 when stopped (SIGTERM, Ctrl-C), 1 when it
 * cannot start, 2 for a bad configuration or command line, and 3 when, as a cluster node, the
 * cluster removed it (a supervisor should start it again).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line; returns the exit status. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    List<String> rest = new ArrayList<>(List.of(args));
    Path configFile = Settings.DEFAULT_CONFIG;
    if (rest.size() >= 2 && rest.get(0).equals("--config")) {
      configFile = Path.of(rest.get(1));
      rest = rest.subList(2, rest.size());
    }
    Settings settings;
    try {
      settings = Settings.load(configFile);
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("tandem: bad configuration: " + e.getMessage());
      return 2;
    }
    if (rest.isEmpty()) {
      return serve(settings, err);
    }
    if (rest.equals(List.of("settings"))) {
      out.println(settings.describe());
      return 0;
    }
    if (rest.equals(List.of("demo"))) {
      return Demo.run(settings, out, err);
    }
    if (!rest.get(0).equals("parse") || rest.size() < 2) {
      err.println("usage: tandem [--config FILE] [settings | parse FILE... | demo]");
      return 2;
    }
    SipParser parser = settings.parser();
    int status = 0;
    for (String file : rest.subList(1, rest.size())) {
      try {
        status = Math.max(status, parse(parser, Path.of(file), out));
      } catch (IOException e) {
        err.println("tandem: cannot read " + file + ": " + e.getMessage());
        status = 2;
      }
    }
    return status;
  }

  /** Runs the server until the JVM is asked to stop; a listener that cannot bind is fatal. */
  private static int serve(Settings settings, PrintStream err) {
    Server server;
    try {
      server = Server.start(settings);
    } catch (IllegalStateException | IllegalArgumentException | ConfigException e) {
      err.println("tandem: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    err.println("tandem: unclean stop: " + e);
                  }
                },
                "tandem-shutdown"));
    server.system().getWhenTerminated().toCompletableFuture().join();
    if (!server.stopRequested()) {
      err.println("tandem: the cluster removed this node (downed, or it could not stay a member): exiting 3");
      return 3;
    }
    try { // stopped by a cluster node's POST /drain too: its call detail records written before the exit
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      err.println("tandem: unclean stop: " + e);
    }
    return 0;
  }

  private static int parse(SipParser parser, Path file, PrintStream out) throws IOException {
    ParseResult result = parser.parseDatagram(Files.readAllBytes(file));
    out.println("== " + file);
    if (result instanceof ParseResult.Parsed) {
      SipMessage message = ((ParseResult.Parsed) result).message();
      out.print(new String(SipRenderer.renderBytes(message), StandardCharsets.UTF_8));
      out.println();
      return 0;
    }
    if (result instanceof ParseResult.KeepAlive) {
      out.println("keep-alive (CRLF only)");
      return 0;
    }
    ParseResult.Malformed m = (ParseResult.Malformed) result;
    if (m.request()) {
      out.println("would answer: " + m.status() + " " + m.reason() + " (" + m.detail() + ")");
      if (!m.unsupported().isEmpty()) {
        out.println("Unsupported: " + String.join(", ", m.unsupported()));
      }
    } else {
      out.println("would drop this response: " + m.reason() + " (" + m.detail() + ")");
    }
    return 1;
  }
}
