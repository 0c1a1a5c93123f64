package io.tandem.app.ua;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogState;
import javax.sip.ServerTransaction;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.Header;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * One call as one {@link SipUa} sees it: its dialog (JAIN-SIP's, created automatically), the
 * responses its client transactions passed up, and the requests that reached its socket. What
 * both ends do alike lives here: BYE, answering requests inside the dialog, and waiting.
 *
 * <p>Every {@code await...} is bounded and, when nothing comes, fails with an
 * {@link AssertionError} holding the ladders of all open UAs.
 */
public abstract sealed class UaCall permits OutgoingCall, IncomingCall {
  final SipUa ua;
  private final String callId;
  /** Responses passed up by this call's client transactions (INVITE, CANCEL, BYE...). */
  final Journal<Response> responses = new Journal<>();
  volatile Dialog dialog;
  /** The SDP this UA offered or answered last: it answers a re-INVITE with it again. */
  volatile String localSdp;
  private volatile String lastSdp;

  UaCall(SipUa ua, String callId, String localSdp) {
    this.ua = ua;
    this.callId = callId;
    this.localSdp = localSdp;
  }

  public String callId() {
    return callId;
  }

  /** The body of the last message with {@code application/sdp} this UA received in the call. */
  public String lastSdp() {
    return lastSdp;
  }

  /** This UA's tag in the dialog: From tag for the caller, To tag for the callee. */
  abstract String localTag();

  /** This UA's tag in the dialog (RFC 3891: what a Replaces naming it calls the from-tag or to-tag). */
  public String tag() {
    return localTag();
  }

  /** Sends BYE in the confirmed dialog (RFC 3261 section 15.1.1); its 200 arrives in {@link #awaitResponse}. */
  public void bye() throws Exception {
    send(Request.BYE);
  }

  /** Sends {@code method} (BYE, INFO, UPDATE, OPTIONS...) inside the dialog, in a client transaction. */
  public Request send(String method) throws Exception {
    return send(method, null);
  }

  /**
   * Sends {@code method} with {@code sdp} (null: no body) inside the dialog, e.g. a re-INVITE,
   * whose 2xx this UA ACKs (RFC 3261 section 14.1); its responses arrive in {@link #awaitResponse}.
   */
  public Request send(String method, String sdp) throws Exception {
    return send(method, sdp, Map.of());
  }

  /**
   * Sends REFER (RFC 3515) inside the dialog with {@code referTo} as the Refer-To value (e.g.
   * {@code "<sip:carol@example.com>"}) and {@code headers} besides (Referred-By, Refer-Sub...);
   * its 202 arrives in {@link #awaitResponse}, NOTIFYs in {@link #awaitRequests}.
   */
  public Request refer(String referTo, Map<String, String> headers) throws Exception {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("Refer-To", referTo);
    all.putAll(headers);
    return send(Request.REFER, null, all);
  }

  /** Sends {@code method} inside the dialog with {@code sdp} (or none) and extra {@code headers}. */
  public Request send(String method, String sdp, Map<String, String> headers) throws Exception {
    Dialog d = dialog;
    if (d == null || d.getState() == null || d.getState() == DialogState.TERMINATED) {
      throw failure("no dialog to send " + method + " in (state " + (d == null ? null : d.getState()) + ")");
    }
    Request request = d.createRequest(method);
    for (Map.Entry<String, String> h : headers.entrySet()) {
      request.addHeader(ua.headers.createHeader(h.getKey(), h.getValue()));
    }
    if (method.equals(Request.REFER)) {
      request.setHeader(ua.contact(SipUa.transportOf(request)));
    }
    if (sdp != null) {
      ua.setSdp(request, sdp);
      localSdp = sdp;
    }
    if (method.equals(Request.INVITE)) {
      request.setHeader(ua.contact(SipUa.transportOf(request)));
    }
    ClientTransaction tx = ua.provider.getNewClientTransaction(request);
    tx.setApplicationData(this);
    ua.wire.sending(request);
    d.sendRequest(tx);
    return request;
  }

  /**
   * Sends {@code method} inside the dialog with {@code headers} ("Name: value", e.g. Event and
   * Subscription-State for SUBSCRIBE and NOTIFY, RFC 6665) and {@code body} of
   * {@code contentType} (null: none); SUBSCRIBE and NOTIFY carry this UA's Contact.
   */
  public Request send(String method, String contentType, String body, String... headers) throws Exception {
    Dialog d = dialog;
    if (d == null || d.getState() == null || d.getState() == DialogState.TERMINATED) {
      throw failure("no dialog to send " + method + " in");
    }
    Request request = d.createRequest(method);
    for (String line : headers) {
      int colon = line.indexOf(':');
      request.addHeader(ua.headers.createHeader(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
    }
    if (method.equals(Request.SUBSCRIBE) || method.equals(Request.NOTIFY)) {
      request.setHeader(ua.contact(SipUa.transportOf(request)));
    }
    if (body != null) {
      String[] type = contentType.split("/", 2);
      request.setContent(body, ua.headers.createContentTypeHeader(type[0], type[1]));
    }
    ClientTransaction tx = ua.provider.getNewClientTransaction(request);
    tx.setApplicationData(this);
    ua.wire.sending(request);
    d.sendRequest(tx);
    return request;
  }

  /**
   * The BYE the other side sent in this dialog, once this UA's answer to it is on the wire too
   * (so that a test that goes on to the next call does not find that answer in its ladder).
   */
  public Request awaitBye(Duration timeout) throws InterruptedException {
    Request bye = awaitRequest(Request.BYE, timeout);
    ua.wire.await(e -> e.sent() && e.message() instanceof Response && e.callId().equals(callId)
            && method(e.message()).equals(Request.BYE), timeout)
        .orElseThrow(() -> failure("the BYE was not answered in " + timeout));
    return bye;
  }

  /** The first {@code method} request that reached this UA's socket inside this dialog. */
  public Request awaitRequest(String method, Duration timeout) throws InterruptedException {
    return (Request) ua.wire
        .await(e -> !e.sent() && e.isRequest(method) && e.callId().equals(callId)
            && Objects.equals(e.toTag(), localTag()), timeout)
        .orElseThrow(() -> failure("no " + method + " received in " + timeout))
        .message();
  }

  /**
   * The first {@code count} {@code method} requests that reached this UA inside this dialog,
   * in arrival order; fails when fewer come within {@code timeout}.
   */
  public List<Request> awaitRequests(String method, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Request> found = requests(method);
    while (found.size() < count && System.nanoTime() < deadline) {
      Thread.sleep(20);
      found = requests(method);
    }
    if (found.size() < count) {
      throw failure(count + " " + method + " expected in " + timeout + ", " + found.size() + " came");
    }
    return found.subList(0, count);
  }

  /** Every {@code method} request that reached this UA inside this dialog so far. */
  public List<Request> requests(String method) {
    return ua.wire.entries().stream()
        .filter(e -> !e.sent() && e.isRequest(method) && e.callId().equals(callId)
            && Objects.equals(e.toTag(), localTag()))
        .map(e -> (Request) e.message())
        .toList();
  }

  /** The first response {@code status} to a {@code method} request of this call. */
  public Response awaitResponse(String method, int status, Duration timeout)
      throws InterruptedException {
    return responses
        .await(r -> r.getStatusCode() == status && method(r).equals(method), timeout)
        .orElseThrow(() -> failure("no " + status + " to " + method + " in " + timeout));
  }

  /**
   * The first {@code count} responses {@code status} to {@code method} requests of this call, in
   * arrival order; fails when fewer come within {@code timeout}.
   */
  public List<Response> awaitResponses(String method, int status, int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Response> found = responses.snapshot().stream()
          .filter(r -> r.getStatusCode() == status && method(r).equals(method)).toList();
      if (found.size() >= count) {
        return found.subList(0, count);
      }
      if (System.nanoTime() > deadline) {
        throw failure(count + " " + status + " to " + method + " expected in " + timeout + ", " + found.size() + " came");
      }
      Thread.sleep(20);
    }
  }

  /** {@code "-> INVITE"}, {@code "<- 180 Ringing"}...: this call's messages on this UA's sockets. */
  public List<String> ladder() {
    return ua.wire.ladder(e -> e.callId().equals(callId));
  }

  /** Waits until {@link #ladder()} has {@code expected.length} lines and asserts it reads {@code expected}. */
  public void awaitLadder(Duration timeout, String... expected) throws InterruptedException {
    ua.wire.awaitLadder(e -> e.callId().equals(callId), timeout, expected);
  }

  /** A failure naming this UA and call, with every open UA's ladder. */
  AssertionError failure(String what) {
    return new AssertionError(ua.name() + " (Call-ID " + callId + "): " + what + "\n" + SipUa.ladders());
  }

  /** A response passed up; a 2xx to a re-INVITE gets its ACK from the dialog. */
  void onResponse(Response response, Dialog responseDialog) throws Exception {
    noteSdp(response);
    responses.add(response);
    if (method(response).equals(Request.INVITE) && response.getStatusCode() / 100 == 2) {
      Dialog d = responseDialog != null ? responseDialog : dialog;
      Request ack = d.createAck(((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber());
      ua.wire.sending(ack);
      d.sendAck(ack);
    }
  }

  /**
   * A request inside the dialog: BYE, INFO, UPDATE, PRACK... get 200; a re-INVITE gets 200 with
   * the SDP this UA used last (RFC 3261 section 14.2), and its ACK is absorbed by the dialog; a
   * SUBSCRIBE gets 200 with Contact and its own Expires.
   */
  void onRequestInDialog(Request request, ServerTransaction tx) throws Exception {
    noteSdp(request);
    if (request.getMethod().equals(Request.ACK)) {
      return;
    }
    boolean reInvite = request.getMethod().equals(Request.INVITE);
    boolean subscribe = request.getMethod().equals(Request.SUBSCRIBE);
    Response ok = ua.response(Response.OK, request, null, reInvite ? localSdp : null,
        reInvite || subscribe ? ua.contact(SipUa.transportOf(request)) : null);
    if (subscribe) {
      // RFC 6665 section 4.2.1.1: the 2xx says how long the subscription lasts.
      Header expires = request.getHeader(ExpiresHeader.NAME);
      ok.setHeader(expires != null ? expires : ua.headers.createExpiresHeader(60));
    }
    ua.send(tx, ok);
  }

  void noteSdp(Message message) {
    ContentTypeHeader type = (ContentTypeHeader) message.getHeader(ContentTypeHeader.NAME);
    if (type != null && "sdp".equalsIgnoreCase(type.getContentSubType()) && message.getRawContent() != null) {
      lastSdp = new String(message.getRawContent(), StandardCharsets.UTF_8);
    }
  }

  static String method(Message message) {
    return ((CSeqHeader) message.getHeader(CSeqHeader.NAME)).getMethod();
  }
}
