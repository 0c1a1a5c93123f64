package io.tandem.app.ua;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The transaction user of one {@link SipUa}: JAIN-SIP's events routed to the call they belong
 * to, found through the application data set on transactions and dialogs. It never blocks
 * (JAIN-SIP delivers events on one thread); delayed script steps run on the UA's timer.
 */
final class UaListener implements SipListener {
  private final SipUa ua;

  UaListener(SipUa ua) {
    this.ua = ua;
  }

  @Override
  public void processRequest(RequestEvent event) {
    Request request = event.getRequest();
    try {
      String method = request.getMethod();
      Dialog dialog = event.getDialog();
      boolean initial = ((ToHeader) request.getHeader(ToHeader.NAME)).getTag() == null;
      if (method.equals(Request.ACK)) {
        return; // recorded on the wire; JAIN-SIP's dialog takes the 2xx ACK
      }
      ServerTransaction tx = event.getServerTransaction() != null
          ? event.getServerTransaction()
          : ua.provider.getNewServerTransaction(request);
      if (method.equals(Request.CANCEL)) {
        onCancel(request, tx);
      } else if (method.equals(Request.INVITE) && initial) {
        ua.onNewInvite(request, tx);
      } else if (dialog != null && dialog.getApplicationData() instanceof UaCall call) {
        call.onRequestInDialog(request, tx);
      } else if (ua.requests.offer(request, tx)) {
        return; // answered (or held) by the test's responder
      } else if (!initial) {
        ua.send(tx, ua.response(481, request, null, null, null)); // RFC 3261 section 12.2.2
      } else if (ua.outOfDialogAnswers.containsKey(method)) {
        ua.send(tx, ua.outOfDialogAnswers.get(method).apply(request));
      } else {
        ua.send(tx, ua.response(Response.OK, request, "ua" + System.nanoTime(), null, null));
      }
    } catch (Exception e) {
      ua.log.warn("{}: could not answer {}", ua.name(), request.getMethod(), e);
    }
  }

  /** RFC 3261 section 9.2: 200 to the CANCEL, then 487 to the INVITE if still unanswered. */
  private void onCancel(Request cancel, ServerTransaction tx) throws Exception {
    IncomingCall call = ua.byBranch.get(((ViaHeader) cancel.getHeader(ViaHeader.NAME)).getBranch());
    if (call == null) {
      ua.send(tx, ua.response(481, cancel, null, null, null));
      return;
    }
    ua.send(tx, ua.response(Response.OK, cancel, call.localTag(), null, null));
    call.onCancel();
  }

  @Override
  public void processResponse(ResponseEvent event) {
    Response response = event.getResponse();
    ClientTransaction tx = event.getClientTransaction();
    Object owner = tx != null ? tx.getApplicationData()
        : event.getDialog() != null ? event.getDialog().getApplicationData() : null;
    try {
      if (owner instanceof Registering registering) {
        registering.responses.add(response);
      } else if (owner instanceof OutgoingCall call && UaCall.method(response).equals(Request.INVITE)) {
        call.onInviteResponse(response, event.getDialog());
      } else if (owner instanceof UaCall call) {
        call.onResponse(response, event.getDialog());
      } else if (owner instanceof Sent sent) {
        sent.responses.add(response);
      }
    } catch (Exception e) {
      ua.log.warn("{}: could not handle {}", ua.name(), response.getStatusCode(), e);
    }
  }

  @Override
  public void processTimeout(TimeoutEvent event) {
    if (!event.isServerTransaction()
        && event.getClientTransaction().getApplicationData() instanceof OutgoingCall call
        && event.getClientTransaction().getRequest().getMethod().equals(Request.INVITE)) {
      call.onTimeout();
    }
  }

  @Override
  public void processIOException(IOExceptionEvent event) {
    ua.log.warn("{}: I/O error towards {}:{} ({})", ua.name(), event.getHost(), event.getPort(),
        event.getTransport());
  }

  @Override
  public void processTransactionTerminated(TransactionTerminatedEvent event) {}

  @Override
  public void processDialogTerminated(DialogTerminatedEvent event) {}
}
