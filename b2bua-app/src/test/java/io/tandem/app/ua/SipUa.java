package io.tandem.app.ua;

import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.SIPRequest;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.ListeningPoint;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A scripted SIP user agent for end-to-end tests: its own JAIN-SIP RI stack on a free loopback
 * port, UDP and TCP, playing the caller ({@link #invite}) or a carrier ({@link #onInvite},
 * {@link #awaitIncoming}) over real sockets. JAIN-SIP does the transactions and dialogs
 * (automatic dialog support), so what Tandem meets is an independent implementation, not ours.
 *
 * <p>Every message on its sockets is recorded with the time ({@link #ladder()},
 * {@link #describe()}); failures print {@link #ladders()}, the ladders of all open UAs.
 */
public final class SipUa implements AutoCloseable {
  private static final AtomicInteger STACKS = new AtomicInteger();
  private static final AtomicInteger BRANCHES = new AtomicInteger();

  final Logger log = LoggerFactory.getLogger(SipUa.class);
  private final String name;
  private final String host;
  private final String stackName;
  private final int port;
  final Wire wire;
  final AddressFactory addresses;
  final HeaderFactory headers;
  final MessageFactory messages;
  private final SipStack stack;
  final SipProvider provider;
  final ScheduledExecutorService timer;
  private final BlockingQueue<IncomingCall> incoming = new LinkedBlockingQueue<>();
  /** INVITEs by top Via branch, so a CANCEL finds its INVITE (RFC 3261 section 9.2). */
  final Map<String, IncomingCall> byBranch = new ConcurrentHashMap<>();
  /** How out-of-dialog requests other than INVITE are answered, by method; 200 for the rest. */
  final Map<String, java.util.function.Function<Request, Response>> outOfDialogAnswers = new ConcurrentHashMap<>();
  /** "Call-ID CSeq-number" of calls dropped by {@link Script#silent()}. */
  private final Set<String> dropped = ConcurrentHashMap.newKeySet();
  private volatile Script script = Script.manual();
  private volatile Duration timerT1 = Duration.ofMillis(500);
  /** The Call-ID of this UA's registrations, and the CSeq of the last REGISTER (RFC 3261 10.2). */
  private final String registrationCallId = "reg-" + System.nanoTime() + "@127.0.0.1";
  private long registrationCseq;
  /** Whether INVITEs offer 100rel and reliable provisionals get a PRACK (RFC 3262). */
  volatile boolean reliableProvisionals;
  /** What a call placed here answers one 401/407 with, or null (see {@link #credentials}). */
  volatile Credentials credentials;

  /** A user's Digest account, and which of the server's challenges (by algorithm) to answer. */
  record Credentials(String user, String password, String algorithm) {}

  /** Requests outside calls, by hand. */
  final UaRequests requests = new UaRequests(this);

  private SipUa(String name, String host, boolean automaticDialogs) throws Exception {
    this.name = name;
    this.host = host;
    this.stackName = "tandem-ua-" + name + "-" + STACKS.incrementAndGet();
    this.wire = new Wire(name);
    SipFactory factory = SipFactory.getInstance();
    factory.setPathName("gov.nist");
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", stackName);
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", automaticDialogs ? "on" : "off");
    // Without automatic dialogs a NOTIFY is the test's to judge, not the stack's (RFC 6665 4.1.2.4).
    p.setProperty("gov.nist.javax.sip.DELIVER_UNSOLICITED_NOTIFY", automaticDialogs ? "false" : "true");
    // One thread handles UDP datagrams in arrival order, so the wire records them in that order.
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
    p.setProperty("gov.nist.javax.sip.STACK_LOGGER", StackHooks.STACK_LOGGER);
    p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", StackHooks.SERVER_LOGGER);
    p.setProperty("gov.nist.javax.sip.SIP_MESSAGE_VALVE", StackHooks.VALVE);
    timer = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "ua-" + name));
    StackHooks.register(stackName, this);
    try {
      stack = factory.createSipStack(p);
      addresses = factory.createAddressFactory();
      headers = factory.createHeaderFactory();
      messages = factory.createMessageFactory();
      port = freePort(InetAddress.getByName(host));
      ListeningPoint udp = stack.createListeningPoint(host, port, ListeningPoint.UDP);
      ListeningPoint tcp = stack.createListeningPoint(host, port, ListeningPoint.TCP);
      provider = stack.createSipProvider(udp);
      provider.addListeningPoint(tcp);
      provider.addSipListener(new UaListener(this));
      stack.start();
    } catch (Exception e) {
      StackHooks.unregister(stackName);
      timer.shutdownNow();
      throw e;
    }
  }

  /** A UA named {@code name} (its From user), listening on 127.0.0.1, UDP and TCP, one free port. */
  public static SipUa start(String name) throws Exception {
    return new SipUa(name, "127.0.0.1", true);
  }

  /** A UA named {@code name} on loopback address {@code host} (e.g. 127.0.0.2, as another source). */
  public static SipUa start(String name, String host) throws Exception {
    return new SipUa(name, host, true);
  }

  /**
   * As a caller, answer a 401 or 407 to an INVITE once, as a SIP phone would: the INVITE again
   * in a new transaction (CSeq + 1, new branch) with credentials for the challenge of
   * {@code algorithm} ("MD5", "SHA-256"); null stops. {@link #reset()} clears it.
   */
  public void credentials(String user, String password, String algorithm) {
    this.credentials = user == null ? null : new Credentials(user, password, algorithm);
  }

  /**
   * A UA whose stack keeps no dialogs: for MESSAGE, PUBLISH and subscriptions driven by hand
   * through {@link #requests()}, where the test sets and checks every header.
   */
  public static SipUa startDialogless(String name) throws Exception {
    return new SipUa(name, "127.0.0.1", false);
  }

  /** Requests outside calls: built, sent and answered by hand. */
  public UaRequests requests() {
    return requests;
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** {@code "sip:NAME@127.0.0.1:PORT"}, to put in a Request-URI or a 302's Contact. */
  public String uri() {
    return "sip:" + name + "@" + host + ":" + port;
  }

  /**
   * T1 for the client transactions this UA creates from now on (JAIN-SIP's default is 500 ms);
   * Timer B, the INVITE timeout, is 64*T1 (RFC 3261 section 17.1.1.2).
   */
  public void setTimerT1(Duration t1) {
    this.timerT1 = t1;
  }

  /** How this UA answers INVITEs from now on; {@link Script#manual()} until set. */
  public void onInvite(Script script) {
    this.script = script;
  }

  /**
   * As a caller, offer 100rel (Supported) in INVITEs and PRACK every reliable provisional
   * (RFC 3262); {@link #reset()} turns it off.
   */
  public void offerReliableProvisionals(boolean on) {
    this.reliableProvisionals = on;
  }

  /**
   * Sends INVITE to {@code requestUri} over {@code transport} ("udp" or "tcp", put in the URI's
   * transport parameter, which JAIN-SIP routes on), with From {@code sip:NAME@127.0.0.1:PORT},
   * Contact, Max-Forwards 70 and {@code sdpOffer} (null: no body).
   */
  public OutgoingCall invite(String requestUri, String transport, String sdpOffer) throws Exception {
    return invite(requestUri, transport, sdpOffer, Map.of(), new javax.sip.header.Header[0]);
  }

  /** {@link #invite(String, String, String)} with {@code extra} headers (e.g. credentials to replay). */
  public OutgoingCall invite(String requestUri, String transport, String sdpOffer, javax.sip.header.Header... extra)
      throws Exception {
    return invite(requestUri, transport, sdpOffer, Map.of(), extra);
  }

  /** {@link #invite(String, String, String)} with extra {@code headers} (Session-Expires, Supported...). */
  public OutgoingCall invite(String requestUri, String transport, String sdpOffer, Map<String, String> headers)
      throws Exception {
    return invite(requestUri, transport, sdpOffer, headers, new javax.sip.header.Header[0]);
  }

  private OutgoingCall invite(String requestUri, String transport, String sdpOffer, Map<String, String> headers,
      javax.sip.header.Header[] extra)
      throws Exception {
    SipURI target = (SipURI) addresses.createURI(requestUri);
    SipURI toUri = (SipURI) target.clone();
    toUri.removeParameter("transport");
    target.setTransportParam(transport);
    SipURI me = addresses.createSipURI(name, host + ":" + port);
    FromHeader from = this.headers.createFromHeader(addresses.createAddress(me), "ua" + Long.toHexString(System.nanoTime()));
    ToHeader to = this.headers.createToHeader(addresses.createAddress(toUri), null);
    CallIdHeader callId = provider.getNewCallId();
    CSeqHeader cseq = this.headers.createCSeqHeader(1L, Request.INVITE);
    ViaHeader via = this.headers.createViaHeader(host, port, transport, newBranch());
    Request invite = messages.createRequest(target, Request.INVITE, callId, cseq, from, to,
        new ArrayList<>(List.of(via)), this.headers.createMaxForwardsHeader(70));
    invite.addHeader(contact(transport));
    if (reliableProvisionals) {
      invite.addHeader(this.headers.createSupportedHeader("100rel"));
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      for (Header field : headerFields(h.getKey(), h.getValue())) {
        invite.addHeader(field);
      }
    }
    for (javax.sip.header.Header h : extra) {
      invite.addHeader(h);
    }
    setSdp(invite, sdpOffer);
    ClientTransaction tx = provider.getNewClientTransaction(invite);
    tx.setRetransmitTimer((int) timerT1.toMillis());
    OutgoingCall call = new OutgoingCall(this, tx, sdpOffer);
    tx.setApplicationData(call);
    if (tx.getDialog() != null) {
      tx.getDialog().setApplicationData(call);
    }
    wire.sending(invite);
    tx.sendRequest();
    return call;
  }

  /**
   * Sends REGISTER for this UA's address-of-record {@code sip:NAME@HOST} (From and To; HOST is
   * {@code registrarUri}'s) to {@code registrarUri} over {@code transport}, in this UA's
   * registration Call-ID with the next CSeq (RFC 3261 section 10.2), and waits for the final
   * response.
   *
   * @param expires the Expires header, or null for none
   * @param contacts Contact header values as text, e.g. {@code "<sip:pbx@127.0.0.1:5070>;q=0.5"}
   *     or {@code "*"}; none for a query
   */
  public Response register(String registrarUri, String transport, Long expires, String... contacts)
      throws Exception {
    return register(registrationCallId, ++registrationCseq, registrarUri, transport, expires, contacts);
  }

  /** {@link #register} with the Call-ID and CSeq given, e.g. to replay an old one. */
  public Response register(String callId, long cseq, String registrarUri, String transport, Long expires,
      String... contacts) throws Exception {
    return outOfDialog(Request.REGISTER, callId, cseq, registrarUri, transport, expires, List.of(), contacts);
  }

  /**
   * {@link #register} in this UA's registration Call-ID with the next CSeq and extra
   * {@code headers} ("Name: value"), e.g. an Authorization answering the last 401.
   */
  public Response registerWith(List<String> headers, String registrarUri, String transport, Long expires,
      String... contacts) throws Exception {
    return outOfDialog(Request.REGISTER, registrationCallId, ++registrationCseq, registrarUri, transport, expires,
        headers, contacts);
  }

  /** Sends OPTIONS to {@code uri} (From and To this UA's AOR there) and waits for the final response. */
  public Response options(String uri, String transport) throws Exception {
    return outOfDialog(Request.OPTIONS, "opt-" + System.nanoTime() + "@127.0.0.1", 1, uri, transport, null, List.of());
  }

  private Response outOfDialog(String method, String callId, long cseq, String registrarUri, String transport,
      Long expires, List<String> extraHeaders, String... contacts) throws Exception {
    SipURI target = (SipURI) addresses.createURI(registrarUri);
    target.setTransportParam(transport);
    SipURI aor = addresses.createSipURI(name, target.getHost());
    FromHeader from = headers.createFromHeader(addresses.createAddress(aor), "reg" + Long.toHexString(System.nanoTime()));
    ToHeader to = headers.createToHeader(addresses.createAddress(aor), null);
    String branch = "z9hG4bK" + stackName + "." + BRANCHES.incrementAndGet();
    ViaHeader via = headers.createViaHeader("127.0.0.1", port, transport, branch);
    Request register = messages.createRequest(target, method, headers.createCallIdHeader(callId),
        headers.createCSeqHeader(cseq, method), from, to, new ArrayList<>(List.of(via)),
        headers.createMaxForwardsHeader(70));
    for (String contact : contacts) {
      register.addHeader(contact.equals("*") ? headers.createContactHeader()
          : headers.createHeader(ContactHeader.NAME, contact));
    }
    if (expires != null) {
      register.addHeader(headers.createExpiresHeader(expires.intValue()));
    }
    for (String h : extraHeaders) {
      int colon = h.indexOf(':');
      register.addHeader(headers.createHeader(h.substring(0, colon).trim(), h.substring(colon + 1).trim()));
    }
    ClientTransaction tx = provider.getNewClientTransaction(register);
    tx.setRetransmitTimer((int) timerT1.toMillis());
    Registering registering = new Registering();
    tx.setApplicationData(registering);
    wire.sending(register);
    tx.sendRequest();
    return registering.responses.await(r -> r.getStatusCode() >= 200, Duration.ofSeconds(5))
        .orElseThrow(() -> new AssertionError(name + ": no final response to " + method + "\n" + ladders()));
  }

  /** {@code "<sip:NAME@127.0.0.1:PORT>"} plus {@code params}: this UA as a Contact to register. */
  public String contactValue(String params) {
    return "<" + uri() + ">" + params;
  }

  /**
   * Answers out-of-dialog {@code method} requests (REGISTER, MESSAGE...) with what {@code answer}
   * returns (build it with {@link #reply}); {@link #reset()} goes back to 200 OK.
   */
  public void answer(String method, java.util.function.Function<Request, Response> answer) {
    outOfDialogAnswers.put(method, answer);
  }

  /** A response {@code status} to {@code request} with a To tag and {@code headers} ("Name: value"). */
  public Response reply(Request request, int status, String... headers) {
    try {
      Response response = response(status, request, "ua" + System.nanoTime(), null, null);
      for (String h : headers) {
        int colon = h.indexOf(':');
        response.addHeader(this.headers.createHeader(h.substring(0, colon).trim(), h.substring(colon + 1).trim()));
      }
      return response;
    } catch (Exception e) {
      throw new IllegalArgumentException("cannot build " + status + " with " + List.of(headers), e);
    }
  }

  /** Every request {@code method} that reached this UA, in arrival order. */
  public List<Request> received(String method) {
    return wire.entries().stream()
        .filter(e -> !e.sent() && e.isRequest(method))
        .map(e -> (Request) e.message())
        .toList();
  }

  /** The next INVITE that started a call here (a silent one too), in arrival order. */
  public IncomingCall awaitIncoming(Duration timeout) throws InterruptedException {
    IncomingCall call = incoming.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (call == null) {
      throw new AssertionError(name + ": no INVITE received in " + timeout + "\n" + ladders());
    }
    return call;
  }

  /** {@code "-> INVITE"}, {@code "<- 180 Ringing"}...: every message on this UA's sockets, in order. */
  public List<String> ladder() {
    return wire.ladder();
  }

  /**
   * Waits until {@link #ladder()} holds as many lines as {@code expected}, then asserts that it
   * equals {@code expected}; a message that comes later than that is not seen.
   */
  public void awaitLadder(Duration timeout, String... expected) throws InterruptedException {
    wire.awaitLadder(e -> true, timeout, expected);
  }

  /** The ladder with times, CSeq, Call-ID and Request-URI. */
  public String describe() {
    return wire.describe();
  }

  /** The ladders of every open UA: what failure messages print. */
  public static String ladders() {
    StringBuilder out = new StringBuilder();
    for (SipUa ua : StackHooks.open()) {
      out.append(ua.describe());
    }
    return out.toString();
  }

  /**
   * Makes this UA as new for the next test without a new stack (stopping a JAIN-SIP stack
   * sleeps a second): forgets its ladder and unclaimed incoming calls, answers
   * {@link Script#manual()}, T1 500 ms. Calls still running keep running.
   */
  public void reset() {
    wire.clear();
    incoming.clear();
    script = Script.manual();
    outOfDialogAnswers.clear();
    timerT1 = Duration.ofMillis(500);
    reliableProvisionals = false;
    credentials = null;
    requests.reset();
  }

  /** A new RFC 3261 branch for a request this UA sends. */
  String newBranch() {
    return "z9hG4bK" + stackName + "." + BRANCHES.incrementAndGet();
  }

  /** Stops the stack (JAIN-SIP sleeps a second doing so). */
  @Override
  public void close() {
    timer.shutdownNow();
    stack.stop();
    StackHooks.unregister(stackName);
  }

  /** The valve's question: false drops {@code request} before any transaction (silent script). */
  boolean admit(SIPRequest request) {
    String key = callIdOf(request) + " " + request.getCSeq().getSeqNumber();
    if (dropped.contains(key)) {
      return false;
    }
    boolean newInvite = request.getMethod().equals(Request.INVITE) && request.getToTag() == null;
    if (newInvite && script instanceof Script.Silent) {
      dropped.add(key);
      incoming.add(new IncomingCall(this, request, null));
      return false;
    }
    return true;
  }

  /** A new INVITE passed the valve: a call, answered by the current script. */
  void onNewInvite(Request request, ServerTransaction tx) throws Exception {
    IncomingCall call = new IncomingCall(this, request, tx);
    byBranch.put(((ViaHeader) request.getHeader(ViaHeader.NAME)).getBranch(), call);
    incoming.add(call);
    call.play(script, timer);
  }

  /** Sends {@code response} in {@code tx}, recorded on the wire first. */
  void send(ServerTransaction tx, Response response) throws Exception {
    wire.sending(response);
    tx.sendResponse(response);
  }

  /** {@code name: value} as header fields: a comma list (Allow: INVITE, UPDATE) is parsed as a list. */
  @SuppressWarnings("unchecked")
  List<Header> headerFields(String name, String value) throws ParseException {
    if (!value.contains(",")) {
      return List.of(headers.createHeader(name, value));
    }
    return ((HeaderFactoryImpl) headers).createHeaders(name + ": " + value);
  }

  ContactHeader contact(String transport) throws Exception {
    SipURI uri = addresses.createSipURI(name, host + ":" + port);
    uri.setTransportParam(transport);
    return headers.createContactHeader(addresses.createAddress(uri));
  }

  /** A response to {@code request}; {@code toTag}, {@code sdp}, {@code contact} when not null. */
  Response response(int status, Request request, String toTag, String sdp, ContactHeader contact)
      throws Exception {
    Response response = messages.createResponse(status, request);
    if (toTag != null) {
      ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(toTag);
    }
    if (contact != null) {
      response.setHeader(contact);
    }
    setSdp(response, sdp);
    return response;
  }

  void setSdp(Message message, String sdp) throws Exception {
    if (sdp != null) {
      ContentTypeHeader type = headers.createContentTypeHeader("application", "sdp");
      message.setContent(sdp, type);
    }
  }

  static String callIdOf(Message message) {
    return ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
  }

  static String transportOf(Request request) {
    return ((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport().toLowerCase();
  }

  /** A port on {@code address} free for both UDP and TCP. */
  private static int freePort(InetAddress address) throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (DatagramSocket udp = new DatagramSocket(0, address)) {
        int candidate = udp.getLocalPort();
        try (ServerSocket tcp = new ServerSocket(candidate, 1, address)) {
          return candidate;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no free loopback port for UDP and TCP");
  }
}
