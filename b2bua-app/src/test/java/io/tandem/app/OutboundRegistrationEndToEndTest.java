package io.tandem.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.app.ua.DigestAnswer;
import io.tandem.app.ua.SipUa;
import io.tandem.registration.OutboundRegistration;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tandem registering with a carrier (JAIN-SIP) that wants a registered trunk: the REGISTER as
 * the carrier sees it, its refresh before the binding expires, 423 handling and retries.
 */
class OutboundRegistrationEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private SipUa carrier;
  private Server server;

  @BeforeEach
  void carrier() throws Exception {
    carrier = SipUa.start("carrier");
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (carrier != null) {
      carrier.close();
    }
  }

  private void start(String register) throws Exception {
    start(register, "");
  }

  /** Starts the server, which registers at once: a test sets the carrier's answers first. */
  private void start(String register, String credentials) throws Exception {
    server = Server.start(Settings.of(ConfigFactory.parseString("""
        tandem.transport.listen = [{ protocol = udp, address = "127.0.0.1", port = 0 }]
        tandem.sip.timers { t1 = 100ms, t2 = 400ms, t4 = 500ms, timer-d = 1s }
        tandem.routing {
          register-retry-min = 300ms
          register-retry-max = 1s
          carriers.trunk {
            address = "127.0.0.1", port = %d, register { %s }
            %s
          }
        }
        """.formatted(carrier.port(), register, credentials)), "test"));
  }

  /** The REGISTERs the carrier got, a retransmission (same CSeq) counted once. */
  private List<Request> registers() {
    Map<Long, Request> byCseq = new TreeMap<>();
    carrier.received(Request.REGISTER).forEach(r -> byCseq.putIfAbsent(cseq(r), r));
    return List.copyOf(byCseq.values());
  }

  private List<Request> awaitRegisters(int count, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (registers().size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    List<Request> registers = registers();
    assertTrue(registers.size() >= count, count + " REGISTERs expected, " + registers.size() + " came\n"
        + carrier.describe());
    return registers;
  }

  private OutboundRegistration.Status status() throws Exception {
    return AskPattern.<OutboundRegistration.Command, OutboundRegistration.Status>ask(
            server.registrations().get("trunk"), OutboundRegistration.GetStatus::new, WAIT, server.system().scheduler())
        .toCompletableFuture().get();
  }

  private static long cseq(Request r) {
    return ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber();
  }

  private static String callId(Request r) {
    return ((CallIdHeader) r.getHeader(CallIdHeader.NAME)).getCallId();
  }

  /** Registered at start, refreshed at half the granted lifetime, one Call-ID, CSeq rising. */
  @Test
  void registersAndRefreshes() throws Exception {
    start("user = tandem1, domain = \"carrier.example\", expires = 2s");
    List<Request> registers = awaitRegisters(3, Duration.ofSeconds(4));
    Request first = registers.get(0);
    assertEquals("sip:carrier.example", first.getRequestURI().toString());
    assertEquals("tandem1", ((SipURI) ((ToHeader) first.getHeader(ToHeader.NAME)).getAddress().getURI()).getUser());
    SipURI contact = (SipURI) ((ContactHeader) first.getHeader(ContactHeader.NAME)).getAddress().getURI();
    assertEquals("tandem1", contact.getUser());
    assertEquals(ServerProbes.port(server, io.tandem.transport.TransportProtocol.UDP), contact.getPort());
    assertEquals(2, ((ExpiresHeader) first.getHeader(ExpiresHeader.NAME)).getExpires());
    for (int i = 1; i < 3; i++) {
      assertEquals(callId(first), callId(registers.get(i)));
      assertEquals(cseq(registers.get(i - 1)) + 1, cseq(registers.get(i)));
    }
    assertEquals(OutboundRegistration.State.REGISTERED, status().state());
  }

  /** 423 Interval Too Brief: registered again for the carrier's Min-Expires. */
  @Test
  void intervalTooBrief() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    carrier.answer(Request.REGISTER, r -> seen.getAndIncrement() == 0
        ? carrier.reply(r, 423, "Min-Expires: 120")
        : carrier.reply(r, 200));
    start("user = tandem1, expires = 60s");
    List<Request> registers = awaitRegisters(2, WAIT);
    assertEquals(120, ((ExpiresHeader) registers.get(1).getHeader(ExpiresHeader.NAME)).getExpires());
    assertEquals("sip:127.0.0.1", registers.get(0).getRequestURI().toString(), "the domain defaults to the address");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (status().state() != OutboundRegistration.State.REGISTERED && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(Duration.ofSeconds(120), status().granted());
  }

  /**
   * A carrier that challenges (401, SHA-256): the REGISTER goes again with Authorization computed
   * from the carrier's credentials, checked here by the test's own Digest code.
   */
  @Test
  void answersTheCarriersChallenge() throws Exception {
    carrier.answer(Request.REGISTER, r -> {
      try {
        if (r.getHeader("Authorization") == null) {
          return carrier.reply(r, 401, "WWW-Authenticate: " + DigestAnswer.newChallenge("carrier.example", "SHA-256"));
        }
        return carrier.reply(r, DigestAnswer.verify(r, "Authorization", "carrier.example", "tandem1", "s3cret") ? 200 : 403);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    start("user = tandem1, expires = 60s", "username = \"tandem1\", password = \"s3cret\"");
    List<Request> registers = awaitRegisters(2, WAIT);
    assertEquals(2, cseq(registers.get(1)));
    assertTrue(registers.get(1).getHeader("Authorization").toString().contains("SHA-256"), registers.get(1)::toString);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (status().state() != OutboundRegistration.State.REGISTERED && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(200, status().lastStatus(), carrier::describe);
  }

  /** A carrier that refuses is retried with a growing wait, and the registration recovers. */
  @Test
  void refusalIsRetried() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    carrier.answer(Request.REGISTER, r -> seen.getAndIncrement() < 2
        ? carrier.reply(r, 503)
        : carrier.reply(r, 200));
    start("user = tandem1, expires = 60s");
    awaitRegisters(3, WAIT);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (status().state() != OutboundRegistration.State.REGISTERED && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    OutboundRegistration.Status status = status();
    assertEquals(OutboundRegistration.State.REGISTERED, status.state());
    assertEquals(0, status.failures());
    assertEquals(200, status.lastStatus());
  }
}
