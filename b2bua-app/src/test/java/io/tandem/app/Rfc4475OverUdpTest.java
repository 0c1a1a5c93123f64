package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.sip.codec.ParseResult;
import io.tandem.sip.codec.ParserLimits;
import io.tandem.sip.codec.SipParser;
import io.tandem.sip.message.SipRequest;
import io.tandem.transaction.TransactionKey;
import io.tandem.transaction.TransactionLayer;
import io.tandem.transport.TransportProtocol;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The RFC 4475 torture messages, each sent in one datagram to the running server, get the
 * answer the corpus index (INDEX.tsv) asks for; responses are dropped and counted; and the
 * server still answers OPTIONS afterwards.
 *
 * <p>The messages' Vias name hosts and ports that are not ours, so the test server runs with
 * {@code force-rport}: answers come back to the test's socket, never to those addresses.
 *
 * <p>Several messages share a branch, sent-by and method (cparam01 and cparam02, escnull and
 * regescrt): to the server the second is a retransmission of the first, answered to where the
 * first came from. The test waits for the earlier transaction to end (a small T1 keeps Timers
 * H and J short) before it sends such a message.
 */
class Rfc4475OverUdpTest {
  /** The corpus, kept with the codec tests (copied from ../shared/conformance, RFC 4475). */
  private static final Path CORPUS = Path.of("..", "b2bua-actors", "src", "test", "resources", "rfc4475");

  /** The final status each request gets from this server; 0 for a message that is dropped. */
  private static final Map<String, Integer> EXPECTED = new HashMap<>();

  static {
    // 3.1.1 valid messages: answered as their method is (INVITE and MESSAGE 404, as the test
    // configures no route; OPTIONS 200, REGISTER 405, unknown methods 501); responses are
    // dropped.
    expect(404, "esc01.dat", "longreq.dat", "baddate.dat", "inv2543.dat", "invut.dat", "sdp01.dat",
        "mpart01.dat");
    // wsinv carries a To tag: a request within a dialog Tandem does not have (section 12.2.2).
    expect(481, "wsinv.dat");
    expect(501, "intmeth.dat", "esc02.dat");
    expect(200, "lwsdisp.dat", "semiuri.dat", "transports.dat", "badbranch.dat", "zeromf.dat");
    expect(405, "escnull.dat", "dblreq.dat", "unksm2.dat", "regaut01.dat",
        "cparam01.dat", "cparam02.dat", "regescrt.dat");
    expect(0, "unreason.dat", "noreason.dat", "scalarlg.dat", "bigcode.dat", "bcast.dat");
    // 3.1.2 invalid messages and 3.3 application-layer cases.
    expect(400, "badinv01.dat", "clerr.dat", "ncl.dat", "scalar02.dat", "quotbal.dat",
        "ltgtruri.dat", "lwsruri.dat", "lwsstart.dat", "trws.dat", "escruri.dat", "regbadct.dat",
        "badaspec.dat", "baddn.dat", "mismatch01.dat", "mismatch02.dat", "insuf.dat",
        "multi01.dat", "mcl01.dat");
    expect(505, "badvers.dat");
    expect(416, "unkscm.dat", "novelsc.dat");
    expect(420, "bext01.dat");
  }

  private static void expect(int status, String... files) {
    for (String f : files) {
      EXPECTED.put(f, status);
    }
  }

  /** The server transactions the corpus has started so far. */
  private static final Set<TransactionKey> SEEN = new HashSet<>();

  static Server server;
  static int port;

  @BeforeAll
  static void start() {
    server =
        Server.start(
            Settings.of(
                ConfigFactory.parseString(
                    """
                    tandem.transport.listen = [ { protocol = udp, address = "127.0.0.1", port = 0 } ]
                    tandem.transport.force-rport = true
                    tandem.sip.timers.t1 = 10ms
                    """),
                "test"));
    port = ServerProbes.port(server, TransportProtocol.UDP);
  }

  @AfterAll
  static void stop() throws Exception {
    server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static Stream<Arguments> index() throws IOException {
    return Files.readAllLines(CORPUS.resolve("INDEX.tsv")).stream()
        .skip(1)
        .map(line -> line.split("\t"))
        .map(cols -> Arguments.of(cols[0], cols[2]));
  }

  @Test
  void everyIndexedMessageHasAnExpectedAnswer() throws IOException {
    List<String> files = index().map(a -> (String) a.get()[0]).toList();
    assertEquals(EXPECTED.keySet(), Set.copyOf(files));
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("index")
  void theServerAnswersAsTheIndexSays(String file, String kind) throws Exception {
    byte[] message = Files.readAllBytes(CORPUS.resolve(file));
    int expected = EXPECTED.get(file);
    if (new SipParser(ParserLimits.DEFAULTS).parseDatagram(message) instanceof ParseResult.Parsed parsed
        && parsed.message() instanceof SipRequest request
        && !SEEN.add(TransactionKey.server(request))) {
      awaitNoTransactions();
    }
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.send(new DatagramPacket(message, message.length, InetAddress.getLoopbackAddress(), port));
      String answer = finalAnswer(socket, expected == 0 ? 500 : 5000);
      if (expected == 0) {
        assertNull(answer, file + " is a response or unanswerable: nothing goes back");
      } else {
        assertNotNull(answer, file + ": no answer");
        assertTrue(answer.startsWith("SIP/2.0 " + expected + " "), file + " got\n" + answer);
      }
    }
  }

  @Test
  void theServerStillAnswersOptionsAfterTheCorpus() throws IOException {
    for (Arguments a : index().toList()) {
      byte[] message = Files.readAllBytes(CORPUS.resolve((String) a.get()[0]));
      try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        socket.send(new DatagramPacket(message, message.length, InetAddress.getLoopbackAddress(), port));
      }
    }
    try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      String options = "OPTIONS sip:ping@127.0.0.1 SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bK-after-corpus;rport\r\n"
          + "Max-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=a\r\nTo: <sip:ping@127.0.0.1>\r\n"
          + "Call-ID: after-corpus@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
      byte[] bytes = options.getBytes(StandardCharsets.US_ASCII);
      socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
      String answer = finalAnswer(socket, 5000);
      assertNotNull(answer);
      assertTrue(answer.startsWith("SIP/2.0 200 OK"), answer);
    }
    assertTrue(server.transportCounters().get("malformed-response") > 0, server.transportCounters().snapshot().toString());
  }

  private static void awaitNoTransactions() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      TransactionLayer.TransactionCount count = server.transactions().counts();
      if (count.total() == 0) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the corpus's earlier transactions did not end");
  }

  /** The first final response on {@code socket} within {@code millis}, or null. */
  private static String finalAnswer(DatagramSocket socket, int millis) throws IOException {
    long deadline = System.currentTimeMillis() + millis;
    byte[] buf = new byte[65_535];
    while (true) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return null;
      }
      socket.setSoTimeout((int) left);
      DatagramPacket packet = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(packet);
      } catch (SocketTimeoutException timeout) {
        return null;
      }
      String text = new String(buf, 0, packet.getLength(), StandardCharsets.UTF_8);
      if (!text.startsWith("SIP/2.0 1")) {
        return text;
      }
    }
  }
}
