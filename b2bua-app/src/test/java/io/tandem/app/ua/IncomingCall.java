package io.tandem.app.ua;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sip.ServerTransaction;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A call this UA received (a carrier, leg B): the INVITE's server transaction and the answers
 * sent in it. Every response carries one To tag, so they all belong to one dialog; 1xx and 2xx
 * carry this UA's Contact. A CANCEL gets 200 and, if no final response went out yet, the
 * INVITE gets 487 (RFC 3261 section 9.2).
 */
public final class IncomingCall extends UaCall {
  private final Request invite;
  /** Null when the INVITE was dropped by {@link Script#silent()}. */
  private final ServerTransaction tx;
  private final String toTag;
  private boolean finalSent;

  IncomingCall(SipUa ua, Request invite, ServerTransaction tx) {
    super(ua, SipUa.callIdOf(invite), null);
    this.invite = invite;
    this.tx = tx;
    this.toTag = "ua" + Long.toHexString(System.nanoTime());
    if (tx != null) {
      this.dialog = tx.getDialog();
      if (dialog != null) {
        dialog.setApplicationData(this);
      }
    }
    noteSdp(invite);
  }

  /** The INVITE as received (its SDP offer is {@link #lastSdp()} until something newer). */
  public Request invite() {
    return invite;
  }

  @Override
  String localTag() {
    return toTag;
  }

  /** 180 Ringing. */
  public boolean ring() throws Exception {
    return respond(Response.RINGING, null, null);
  }

  /**
   * A reliable provisional {@code status} (RFC 3262: Require 100rel and RSeq) with {@code sdp}
   * (may be null); JAIN-SIP retransmits it until the PRACK, which this UA answers 200.
   */
  public synchronized void ringReliably(int status, String sdp) throws Exception {
    Response reliable = dialog.createReliableProvisionalResponse(status);
    ((ToHeader) reliable.getHeader(ToHeader.NAME)).setTag(toTag);
    ua.setSdp(reliable, sdp);
    reliable.setHeader(ua.contact(SipUa.transportOf(invite)));
    ua.wire.sending(reliable);
    dialog.sendReliableProvisionalResponse(reliable);
  }

  /** 200 OK with {@code sdpAnswer} (may be null). */
  public boolean answer(String sdpAnswer) throws Exception {
    return respond(Response.OK, sdpAnswer, null);
  }

  /** 200 OK with {@code sdpAnswer} (may be null) and extra {@code headers} (Session-Expires, Allow...). */
  public boolean answer(String sdpAnswer, Map<String, String> headers) throws Exception {
    return respond(Response.OK, sdpAnswer, null, headers);
  }

  /** A final non-2xx {@code status}. */
  public boolean reject(int status) throws Exception {
    return respond(status, null, null);
  }

  /** A 401 (WWW-Authenticate) or 407 (Proxy-Authenticate) with {@code challenge} as its value. */
  public synchronized void challenge(int status, String challenge) throws Exception {
    if (finalSent) {
      return;
    }
    finalSent = true;
    javax.sip.message.Response response = ua.response(status, invite, toTag, null, null);
    response.addHeader(ua.headers.createHeader(status == 407 ? "Proxy-Authenticate" : "WWW-Authenticate", challenge));
    ua.send(tx, response);
  }

  /** A final non-2xx {@code status} with extra {@code headers} (a 422's Min-SE...). */
  public boolean reject(int status, Map<String, String> headers) throws Exception {
    return respond(status, null, null, headers);
  }

  /** 302 Moved Temporarily with {@code Contact: <contactUri>}. */
  public boolean redirect(String contactUri) throws Exception {
    ContactHeader contact = ua.headers.createContactHeader(
        ua.addresses.createAddress(ua.addresses.createURI(contactUri)));
    return respond(Response.MOVED_TEMPORARILY, null, contact);
  }

  /**
   * Sends {@code status} on the INVITE; false, sending nothing, once a final response went out
   * (a script's late answer after a CANCEL's 487).
   */
  public boolean respond(int status, String sdp, ContactHeader contact) throws Exception {
    return respond(status, sdp, contact, Map.of());
  }

  /** {@link #respond(int, String, ContactHeader)} with extra {@code headers}. */
  public synchronized boolean respond(int status, String sdp, ContactHeader contact, Map<String, String> headers)
      throws Exception {
    if (tx == null) {
      throw failure("a silent call sends nothing");
    }
    if (finalSent) {
      return false;
    }
    finalSent = status >= 200;
    if (sdp != null) {
      localSdp = sdp;
    }
    ContactHeader c = contact != null || status >= 300 ? contact : ua.contact(SipUa.transportOf(invite));
    Response response = ua.response(status, invite, toTag, sdp, c);
    for (Map.Entry<String, String> h : headers.entrySet()) {
      for (javax.sip.header.Header field : ua.headerFields(h.getKey(), h.getValue())) {
        response.addHeader(field);
      }
    }
    ua.send(tx, response);
    return true;
  }

  /** The ACK to this INVITE's final response as it reached the socket (2xx or not). */
  public Request awaitAck(Duration timeout) throws InterruptedException {
    long cseq = ((CSeqHeader) invite.getHeader(CSeqHeader.NAME)).getSeqNumber();
    return (Request) ua.wire
        .await(e -> !e.sent() && e.isRequest(Request.ACK) && e.callId().equals(callId())
            && e.cseq() == cseq && Objects.equals(e.toTag(), toTag), timeout)
        .orElseThrow(() -> failure("no ACK received in " + timeout))
        .message();
  }

  /** The CANCEL of this INVITE as it reached the socket. */
  public Request awaitCancel(Duration timeout) throws InterruptedException {
    String branch = ((ViaHeader) invite.getHeader(ViaHeader.NAME)).getBranch();
    return (Request) ua.wire
        .await(e -> !e.sent() && e.isRequest(Request.CANCEL) && e.branch().equals(branch), timeout)
        .orElseThrow(() -> failure("no CANCEL received in " + timeout))
        .message();
  }

  /** The CANCEL got its 200 already; the INVITE gets 487 unless it was answered. */
  synchronized void onCancel() throws Exception {
    if (!finalSent) {
      respond(Response.REQUEST_TERMINATED, null, null);
    }
  }

  /** Runs {@code script} on this call, later steps on {@code timer}. */
  void play(Script script, ScheduledExecutorService timer) throws Exception {
    if (script instanceof Script.Answer a) {
      ring();
      later(timer, a.ringFor(), () -> answer(a.sdpAnswer()));
    } else if (script instanceof Script.RingThenReject r) {
      if (r.ringFor() == null) {
        reject(r.status());
      } else {
        ring();
        later(timer, r.ringFor(), () -> reject(r.status()));
      }
    } else if (script instanceof Script.RingForever) {
      ring();
    } else if (script instanceof Script.Redirect r) {
      redirect(r.contactUri());
    } else if (script instanceof Script.Challenge c) {
      boolean proxy = c.status() == 407;
      String credentials = proxy ? "Proxy-Authorization" : "Authorization";
      if (c.password() != null && DigestAnswer.verify(invite, credentials, c.realm(), c.user(), c.password())) {
        ring();
        answer(c.sdpAnswer());
      } else {
        challenge(c.status(), DigestAnswer.newChallenge(c.realm(), c.algorithm()));
      }
    }
    // Manual: the test answers; Silent never gets here (dropped by the valve).
  }

  private interface Step {
    void run() throws Exception;
  }

  private void later(ScheduledExecutorService timer, Duration delay, Step step) {
    timer.schedule(() -> {
      try {
        step.run();
      } catch (Exception e) {
        ua.log.warn("{}: scripted response failed", ua.name(), e);
      }
    }, delay.toMillis(), TimeUnit.MILLISECONDS);
  }
}
