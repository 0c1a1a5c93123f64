package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.transport.TransportProtocol;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Debian's sipsak, an independent SIP tool, pings the running server with OPTIONS over UDP and
 * TCP and must get 200. CI installs sipsak and sets TANDEM_REQUIRE_INTEROP=1, which turns a
 * missing tool into a failure; elsewhere the test is skipped when sipsak is not installed.
 */
class SipsakInteropTest {
  static Server server;

  @BeforeAll
  static void start() {
    boolean installed = Files.isExecutable(Path.of("/usr/bin/sipsak"));
    if ("1".equals(System.getenv("TANDEM_REQUIRE_INTEROP"))) {
      assertTrue(installed, "sipsak is required (apt-get install -y sipsak)");
    }
    Assumptions.assumeTrue(installed, "sipsak is not installed");
    server =
        Server.start(
            Settings.of(
                ConfigFactory.parseString(
                    """
                    tandem.transport.listen = [
                      { protocol = udp, address = "127.0.0.1", port = 0 }
                      { protocol = tcp, address = "127.0.0.1", port = 0 }
                    ]
                    """),
                "test"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @ParameterizedTest
  @EnumSource(TransportProtocol.class)
  void sipsakGets200ForOptions(TransportProtocol protocol) throws Exception {
    int port = ServerProbes.port(server, protocol);
    String uri = "sip:ping@127.0.0.1:" + port;
    String transport = "--transport=" + protocol.name().toLowerCase(java.util.Locale.ROOT);
    Process sipsak =
        new ProcessBuilder(List.of("/usr/bin/sipsak", "-vv", transport, "-s", uri))
            .redirectErrorStream(true)
            .start();
    assertTrue(sipsak.waitFor(20, TimeUnit.SECONDS), "sipsak did not finish");
    String out = new String(sipsak.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, sipsak.exitValue(), out);
    assertTrue(out.contains("SIP/2.0 200 OK"), out);
  }
}
