package io.tandem.app.ua;

import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The requests outside calls of one {@link SipUa} (MESSAGE, PUBLISH, SUBSCRIBE, NOTIFY): built
 * by hand, sent in JAIN-SIP client transactions, answered by per-method {@link Responder}s, and
 * dialogs kept by hand ({@link HandDialog}), so a test sees and sets every header. Use it on a UA
 * from {@link SipUa#startDialogless}, whose stack makes no dialogs of its own.
 */
public final class UaRequests {
  /** How a UA answers one method: the response, or null to answer later with {@link #answer}. */
  @FunctionalInterface
  public interface Responder {
    Response answer(Request request) throws Exception;
  }

  private static final AtomicInteger BRANCHES = new AtomicInteger();

  private final SipUa ua;
  private final Map<String, Responder> responders = new ConcurrentHashMap<>();
  /** Server transactions a responder left unanswered, by "Call-ID CSeq". */
  private final Map<String, ServerTransaction> held = new ConcurrentHashMap<>();

  UaRequests(SipUa ua) {
    this.ua = ua;
  }

  /** Answers {@code method} requests with {@code responder} from now on. */
  public void onRequest(String method, Responder responder) {
    responders.put(method, responder);
  }

  /** Forgets the responders (for {@link SipUa#reset()}). */
  void reset() {
    responders.clear();
    held.clear();
  }

  /** True if a responder took {@code request}. */
  boolean offer(Request request, ServerTransaction tx) throws Exception {
    Responder responder = responders.get(request.getMethod());
    if (responder == null) {
      return false;
    }
    Response response = responder.answer(request);
    if (response == null) {
      held.put(key(request), tx);
    } else {
      ua.send(tx, response);
    }
    return true;
  }

  /** Sends {@code response} to a request its responder held back. */
  public void answer(Request request, Response response) throws Exception {
    ServerTransaction tx = held.remove(key(request));
    if (tx == null) {
      throw new AssertionError(ua.name() + ": no held " + request.getMethod() + " to answer");
    }
    ua.send(tx, response);
  }

  /**
   * An out-of-dialog request: a new Call-ID and From tag, CSeq 1, Max-Forwards 70, this UA's Via
   * over UDP, {@code headers} ("Name: value"), and {@code body} of {@code contentType} if not null.
   */
  public Request request(String method, String requestUri, String contentType, String body, String... headers)
      throws Exception {
    SipURI target = (SipURI) ua.addresses.createURI(requestUri);
    SipURI me = ua.addresses.createSipURI(ua.name(), "127.0.0.1:" + ua.port());
    FromHeader from = ua.headers.createFromHeader(ua.addresses.createAddress(me), "ua" + Long.toHexString(System.nanoTime()));
    ToHeader to = ua.headers.createToHeader(ua.addresses.createAddress(target), null);
    CallIdHeader callId = ua.provider.getNewCallId();
    return build(target, method, callId.getCallId(), 1, from.getAddress(), from.getTag(), to.getAddress(), null,
        contentType, body, headers);
  }

  /** Sends {@code request} in a new client transaction. */
  public Sent send(Request request) throws Exception {
    ClientTransaction tx = ua.provider.getNewClientTransaction(request);
    tx.setRetransmitTimer(100);
    Sent sent = new Sent(ua, request);
    tx.setApplicationData(sent);
    ua.wire.sending(request);
    tx.sendRequest();
    return sent;
  }

  /** A response to {@code request}: {@code toTag} when not null, {@code headers} ("Name: value"). */
  public Response reply(Request request, int status, String toTag, String... headers) throws Exception {
    Response response = ua.messages.createResponse(status, request);
    if (toTag != null) {
      ((ToHeader) response.getHeader(ToHeader.NAME)).setTag(toTag);
    }
    addHeaders(response, headers);
    return response;
  }

  /** This UA's Contact, as "Contact: ..." for {@code headers}. */
  public String contact() {
    return "Contact: <sip:" + ua.name() + "@127.0.0.1:" + ua.port() + ">";
  }

  /** The {@code n}-th (from 0) {@code method} request that reached this UA since its reset. */
  public Request awaitRequest(String method, int n, Duration timeout) throws InterruptedException {
    AtomicInteger seen = new AtomicInteger();
    return (Request) ua.wire
        .await(e -> !e.sent() && e.isRequest(method) && seen.getAndIncrement() == n, timeout)
        .orElseThrow(() -> new AssertionError(ua.name() + ": no " + method + " #" + n + " in " + timeout
            + "\n" + SipUa.ladders()))
        .message();
  }

  /**
   * The dialog this UA has as the notifier of {@code subscribe} (or the UAS of any request),
   * with {@code localTag} its To tag.
   */
  public HandDialog asServer(Request subscribe, String localTag) throws Exception {
    FromHeader from = (FromHeader) subscribe.getHeader(FromHeader.NAME);
    ToHeader to = (ToHeader) subscribe.getHeader(ToHeader.NAME);
    ContactHeader contact = (ContactHeader) subscribe.getHeader(ContactHeader.NAME);
    return new HandDialog(this, SipUa.callIdOf(subscribe), to.getAddress(), localTag, from.getAddress(), from.getTag(),
        contact.getAddress().getURI(), 0);
  }

  /** The dialog this UA has as the subscriber, once {@code answer} (a 2xx, or a NOTIFY) made it. */
  public HandDialog asClient(Request subscribe, Message answer) throws Exception {
    FromHeader from = (FromHeader) subscribe.getHeader(FromHeader.NAME);
    Address remote;
    String remoteTag;
    if (answer instanceof Request notify) {
      FromHeader notifier = (FromHeader) notify.getHeader(FromHeader.NAME);
      remote = notifier.getAddress();
      remoteTag = notifier.getTag();
    } else {
      ToHeader to = (ToHeader) answer.getHeader(ToHeader.NAME);
      remote = to.getAddress();
      remoteTag = to.getTag();
    }
    ContactHeader contact = (ContactHeader) answer.getHeader(ContactHeader.NAME);
    long cseq = ((CSeqHeader) subscribe.getHeader(CSeqHeader.NAME)).getSeqNumber();
    return new HandDialog(this, SipUa.callIdOf(subscribe), from.getAddress(), from.getTag(), remote, remoteTag,
        contact.getAddress().getURI(), cseq);
  }

  Request build(URI target, String method, String callId, long cseq, Address from, String fromTag, Address to,
      String toTag, String contentType, String body, String... headers) throws Exception {
    FromHeader fromHeader = ua.headers.createFromHeader(from, fromTag);
    ToHeader toHeader = ua.headers.createToHeader(to, toTag);
    String branch = "z9hG4bKreq" + ua.port() + "." + BRANCHES.incrementAndGet();
    ViaHeader via = ua.headers.createViaHeader("127.0.0.1", ua.port(), "udp", branch);
    Request request = ua.messages.createRequest(target, method, ua.headers.createCallIdHeader(callId),
        ua.headers.createCSeqHeader(cseq, method), fromHeader, toHeader, new ArrayList<>(List.of(via)),
        ua.headers.createMaxForwardsHeader(70));
    addHeaders(request, headers);
    if (body != null) {
      String[] type = contentType.split("/", 2);
      ContentTypeHeader header = ua.headers.createContentTypeHeader(type[0], type[1]);
      request.setContent(body.getBytes(StandardCharsets.UTF_8), header);
    }
    return request;
  }

  private void addHeaders(Message message, String... headers) throws ParseException {
    for (String line : headers) {
      int colon = line.indexOf(':');
      Header header = ua.headers.createHeader(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      message.addHeader(header);
    }
  }

  private static String key(Request request) {
    return SipUa.callIdOf(request) + " " + ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
  }
}
