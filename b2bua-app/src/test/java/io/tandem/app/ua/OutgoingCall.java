package io.tandem.app.ua;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.SipException;
import javax.sip.header.CSeqHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RequireHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A call this UA placed (the caller, leg A): the INVITE's client transaction and what came back.
 *
 * <p>Like a real UA it ACKs every 2xx itself through the dialog (RFC 3261 section 13.2.2.4;
 * JAIN-SIP's transaction ACKs non-2xx finals), holds a CANCEL back until a provisional response
 * has arrived (section 9.1), and hangs up with BYE a call that was answered after it cancelled.
 */
public final class OutgoingCall extends UaCall {
  /** The INVITE's transaction: a new one once a challenge was answered. */
  private volatile ClientTransaction invite;
  private volatile long inviteCseq;
  /** The 401/407 answered with credentials (at most one). */
  private final java.util.List<Response> challenges = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final String fromTag;
  private final CountDownLatch timedOut = new CountDownLatch(1);
  private boolean provisionalSeen;
  private boolean finalSeen;
  private boolean cancelWanted;
  private boolean cancelSent;
  private Request ack;

  OutgoingCall(SipUa ua, ClientTransaction invite, String sdpOffer) {
    super(ua, SipUa.callIdOf(invite.getRequest()), sdpOffer);
    this.invite = invite;
    Request request = invite.getRequest();
    this.inviteCseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
    this.fromTag = ((FromHeader) request.getHeader(FromHeader.NAME)).getTag();
    this.dialog = invite.getDialog();
  }

  /** The 401/407 this call answered with credentials (see {@link SipUa#credentials}), in order. */
  public java.util.List<Response> challenges() {
    return java.util.List.copyOf(challenges);
  }

  /** The INVITE as sent: the one with credentials once a challenge was answered. */
  public Request request() {
    return invite.getRequest();
  }

  @Override
  String localTag() {
    return fromTag;
  }

  /** The final response to the INVITE (the first one, if several dialogs answered). */
  public Response awaitFinal(Duration timeout) throws InterruptedException {
    return responses
        .await(r -> isInviteResponse(r) && r.getStatusCode() >= 200, timeout)
        .orElseThrow(() -> failure("no final response to INVITE in " + timeout + ", got " + statuses()));
  }

  /** The first response {@code status} to the INVITE. */
  public Response awaitStatus(int status, Duration timeout) throws InterruptedException {
    return responses
        .await(r -> isInviteResponse(r) && r.getStatusCode() == status, timeout)
        .orElseThrow(() -> failure("no " + status + " to INVITE in " + timeout + ", got " + statuses()));
  }

  /** Statuses of the responses to the INVITE that JAIN-SIP passed up, in order. */
  public List<Integer> statuses() {
    return responses.snapshot().stream().filter(this::isInviteResponse).map(Response::getStatusCode).toList();
  }

  /** Waits for JAIN-SIP's Timer B (64*T1, see {@link SipUa#setTimerT1}) to end the INVITE. */
  public void awaitTimeout(Duration timeout) throws InterruptedException {
    if (!timedOut.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw failure("INVITE did not time out in " + timeout + ", got " + statuses());
    }
  }

  /** Asserts that no response of this call reaches the socket for {@code period}. */
  public void expectNoResponse(Duration period) throws InterruptedException {
    ua.wire.await(e -> !e.sent() && e.message() instanceof Response && e.callId().equals(callId()), period)
        .ifPresent(e -> {
          throw failure("expected no response in " + period + ", got " + e.line());
        });
  }

  /**
   * CANCELs the INVITE (RFC 3261 section 9.1): now if a provisional response came, else as soon
   * as one does; nothing if a final response already came. The 487 arrives in
   * {@link #awaitStatus}, the CANCEL's 200 in {@link #awaitResponse}.
   */
  public synchronized void cancel() throws SipException {
    cancelWanted = true;
    if (provisionalSeen && !finalSeen && !cancelSent) {
      sendCancel();
    }
  }

  private void sendCancel() throws SipException {
    cancelSent = true;
    Request cancel = invite.createCancel();
    ClientTransaction tx = ua.provider.getNewClientTransaction(cancel);
    tx.setApplicationData(this);
    ua.wire.sending(cancel);
    tx.sendRequest();
  }

  /** A response to the INVITE passed up by JAIN-SIP; {@code responseDialog} may be a fork's. */
  synchronized void onInviteResponse(Response response, Dialog responseDialog) throws Exception {
    if (!isInviteResponse(response)) {
      onResponse(response, responseDialog); // a re-INVITE's
      return;
    }
    int status = response.getStatusCode();
    SipUa.Credentials credentials = ua.credentials;
    if ((status == 401 || status == 407) && credentials != null && challenges.isEmpty()) {
      challenges.add(response);
      resendWithCredentials(response, credentials);
      return;
    }
    noteSdp(response);
    responses.add(response);
    if (status < 200) {
      provisionalSeen = true;
      RequireHeader require = (RequireHeader) response.getHeader(RequireHeader.NAME);
      if (ua.reliableProvisionals && responseDialog != null && require != null
          && "100rel".equals(require.getOptionTag())) {
        // RFC 3262 section 4: a reliable provisional is acknowledged with PRACK.
        Request prack = responseDialog.createPrack(response);
        ClientTransaction prackTx = ua.provider.getNewClientTransaction(prack);
        prackTx.setApplicationData(this);
        ua.wire.sending(prack);
        responseDialog.sendRequest(prackTx);
      }
      if (cancelWanted && !cancelSent) {
        sendCancel();
      }
      return;
    }
    finalSeen = true;
    if (status >= 300) {
      return;
    }
    if (responseDialog != null) {
      responseDialog.setApplicationData(this);
      dialog = responseDialog;
    }
    if (ack == null) {
      ack = dialog.createAck(inviteCseq);
      ua.wire.sending(ack);
      dialog.sendAck(ack);
      if (cancelWanted) {
        bye(); // answered although cancelled: RFC 3261 section 15 asks for a BYE
      }
    } else {
      ua.wire.sending(ack);
      dialog.sendAck(ack); // a retransmitted 2xx: the same ACK again (section 13.2.2.4)
    }
  }

  /**
   * RFC 3261 section 22.2: the same INVITE in a new transaction, CSeq + 1 and a new branch,
   * with Authorization (401) or Proxy-Authorization (407) for the challenge of the chosen
   * algorithm. JAIN-SIP has ACKed the challenge in its transaction already.
   */
  private void resendWithCredentials(Response challenge, SipUa.Credentials credentials) throws Exception {
    boolean proxy = challenge.getStatusCode() == 407;
    javax.sip.header.WWWAuthenticateHeader c = DigestAnswer.challenge(challenge,
        proxy ? "Proxy-Authenticate" : "WWW-Authenticate", credentials.algorithm());
    if (c == null) {
      throw failure("no " + credentials.algorithm() + " challenge in " + challenge);
    }
    Request retry = (Request) invite.getRequest().clone();
    CSeqHeader cseq = (CSeqHeader) retry.getHeader(CSeqHeader.NAME);
    cseq.setSeqNumber(cseq.getSeqNumber() + 1);
    ((javax.sip.header.ViaHeader) retry.getHeader(javax.sip.header.ViaHeader.NAME)).setBranch(ua.newBranch());
    String header = proxy ? "Proxy-Authorization" : "Authorization";
    retry.removeHeader(header);
    retry.addHeader(ua.headers.createHeader(header, DigestAnswer.credentials(c, Request.INVITE,
        retry.getRequestURI().toString(), credentials.user(), credentials.password())));
    ClientTransaction tx = ua.provider.getNewClientTransaction(retry);
    tx.setApplicationData(this);
    invite = tx;
    inviteCseq = cseq.getSeqNumber();
    if (tx.getDialog() != null) {
      tx.getDialog().setApplicationData(this);
      dialog = tx.getDialog();
    }
    ua.wire.sending(retry);
    tx.sendRequest();
  }

  void onTimeout() {
    timedOut.countDown();
  }

  private boolean isInviteResponse(Response r) {
    CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
    return cseq.getMethod().equals(Request.INVITE) && cseq.getSeqNumber() == inviteCseq;
  }
}
