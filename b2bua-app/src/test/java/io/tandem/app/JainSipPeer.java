package io.tandem.app;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * JAIN-SIP RI, an independent SIP implementation, as the peer of end-to-end tests: it listens
 * on UDP and TCP on one loopback port, sends requests (in a client transaction or statelessly),
 * collects the responses it gets, and answers requests sent to it with 200.
 */
final class JainSipPeer implements SipListener, AutoCloseable {
  private static final AtomicInteger STACKS = new AtomicInteger();

  final SipFactory factory = SipFactory.getInstance();
  final AddressFactory addresses;
  final HeaderFactory headers;
  final MessageFactory messages;
  final SipStack stack;
  final SipProvider provider;
  final int port;
  final BlockingQueue<Response> responses = new LinkedBlockingQueue<>();
  final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  final BlockingQueue<String> timeouts = new LinkedBlockingQueue<>();
  private final AtomicInteger cseq = new AtomicInteger(1);

  JainSipPeer() throws Exception {
    factory.setPathName("gov.nist");
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "tandem-test-peer-" + STACKS.incrementAndGet());
    p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
    stack = factory.createSipStack(p);
    addresses = factory.createAddressFactory();
    headers = factory.createHeaderFactory();
    messages = factory.createMessageFactory();
    port = freePort();
    ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
    ListeningPoint tcp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TCP);
    provider = stack.createSipProvider(udp);
    provider.addListeningPoint(tcp);
    provider.addSipListener(this);
    stack.start();
  }

  /** A loopback port free for both UDP and TCP. */
  private static int freePort() throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        int port = udp.getLocalPort();
        try (ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no free loopback port for UDP and TCP");
  }

  /** An OPTIONS to {@code user@127.0.0.1:targetPort} over {@code transport}. */
  Request options(String user, int targetPort, String transport) throws Exception {
    SipURI target = addresses.createSipURI(user, "127.0.0.1:" + targetPort);
    target.setTransportParam(transport);
    SipURI me = addresses.createSipURI("peer", "127.0.0.1:" + port);
    FromHeader from = headers.createFromHeader(addresses.createAddress(me), "p" + System.nanoTime());
    ToHeader to = headers.createToHeader(addresses.createAddress(target), null);
    CallIdHeader callId = provider.getNewCallId();
    CSeqHeader cseqHeader = headers.createCSeqHeader((long) cseq.getAndIncrement(), Request.OPTIONS);
    ViaHeader via = headers.createViaHeader("127.0.0.1", port, transport, "z9hG4bK" + System.nanoTime());
    List<ViaHeader> vias = new ArrayList<>(List.of(via));
    MaxForwardsHeader maxForwards = headers.createMaxForwardsHeader(70);
    return messages.createRequest(target, Request.OPTIONS, callId, cseqHeader, from, to, vias, maxForwards);
  }

  /** Sends {@code request} in a JAIN-SIP client transaction. */
  ClientTransaction send(Request request) throws Exception {
    ClientTransaction tx = provider.getNewClientTransaction(request);
    tx.sendRequest();
    return tx;
  }

  Response nextResponse(long seconds) throws InterruptedException {
    return responses.poll(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void processRequest(RequestEvent event) {
    Request request = event.getRequest();
    requests.add(request);
    try {
      Response ok = messages.createResponse(Response.OK, request);
      ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag("peer" + System.nanoTime());
      provider.getNewServerTransaction(request).sendResponse(ok);
    } catch (Exception e) {
      throw new IllegalStateException("peer could not answer " + request.getMethod(), e);
    }
  }

  @Override
  public void processResponse(ResponseEvent event) {
    responses.add(event.getResponse());
  }

  @Override
  public void processTimeout(TimeoutEvent event) {
    timeouts.add(String.valueOf(event.getTimeout()));
  }

  @Override
  public void processIOException(IOExceptionEvent event) {
    timeouts.add("io:" + event.getHost() + ":" + event.getPort());
  }

  @Override
  public void processTransactionTerminated(TransactionTerminatedEvent event) {}

  @Override
  public void processDialogTerminated(DialogTerminatedEvent event) {}

  @Override
  public void close() {
    stack.stop();
  }
}
