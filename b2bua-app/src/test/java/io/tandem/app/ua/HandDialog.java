package io.tandem.app.ua;

import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.message.Request;

/**
 * A dialog kept by hand (RFC 3261 section 12) on a UA whose stack makes none: its identifiers,
 * remote target and local CSeq, enough to send requests within it and check what comes.
 */
public final class HandDialog {
  private final UaRequests requests;
  private final String callId;
  private final Address local;
  private final String localTag;
  private final Address remote;
  private final String remoteTag;
  private final URI remoteTarget;
  private long cseq;

  HandDialog(UaRequests requests, String callId, Address local, String localTag, Address remote, String remoteTag,
      URI remoteTarget, long cseq) {
    this.requests = requests;
    this.callId = callId;
    this.local = local;
    this.localTag = localTag;
    this.remote = remote;
    this.remoteTag = remoteTag;
    this.remoteTarget = remoteTarget;
    this.cseq = cseq;
  }

  public String callId() {
    return callId;
  }

  public String localTag() {
    return localTag;
  }

  public String remoteTag() {
    return remoteTag;
  }

  /** A request within the dialog with the next CSeq, this UA's Contact and {@code headers}. */
  public Request request(String method, String contentType, String body, String... headers) throws Exception {
    String[] all = new String[headers.length + 1];
    all[0] = requests.contact();
    System.arraycopy(headers, 0, all, 1, headers.length);
    return requests.build(remoteTarget, method, callId, ++cseq, local, localTag, remote, remoteTag,
        contentType, body, all);
  }

  /** Builds and sends a request within the dialog. */
  public Sent send(String method, String contentType, String body, String... headers) throws Exception {
    return requests.send(request(method, contentType, body, headers));
  }
}
