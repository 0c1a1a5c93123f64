package io.tandem.transaction;

import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.Via;
import java.util.Locale;

/**
 * What identifies a transaction, for matching a message to it (RFC 3261 sections 17.1.3 and
 * 17.2.3). Client and server keys live in separate tables: the same branch can name a client
 * transaction of Tandem's and a server transaction of a peer's.
 *
 * @param id the branch (with the sent-by for a server key), or for a request without the
 *     RFC 3261 magic cookie the RFC 2543 identity: Request-URI, From tag, Call-ID, CSeq number
 *     and top Via
 * @param method the method the transaction was created for; an ACK maps to INVITE
 */
public record TransactionKey(String id, Method method) {

  /** The client transaction a request starts or a response belongs to (section 17.1.3). */
  public static TransactionKey client(SipMessage message) {
    String branch = message.topViaBranch().orElse("");
    return new TransactionKey(branch, message.cseq().method());
  }

  /**
   * The server transaction a request belongs to (section 17.2.3): an ACK to the INVITE it
   * acknowledges, a CANCEL to its own transaction (see {@link #cancelled(SipRequest)}).
   */
  public static TransactionKey server(SipRequest request) {
    Method method = request.method();
    return new TransactionKey(serverId(request), Method.ACK.equals(method) ? Method.INVITE : method);
  }

  /**
   * The server transaction {@code response} answers, from the top Via it copied from the
   * request; for a request without the magic cookie the key needs the request itself, and
   * this one matches none.
   */
  public static TransactionKey serverOf(SipResponse response) {
    Via via = response.topVia();
    String sentBy = via.host().toLowerCase(Locale.ROOT) + ":" + via.port();
    return new TransactionKey(via.branch().orElse("") + "|" + sentBy, response.cseq().method());
  }

  /** The INVITE server transaction a CANCEL asks to cancel (section 9.2). */
  public static TransactionKey cancelled(SipRequest cancel) {
    return new TransactionKey(serverId(cancel), Method.INVITE);
  }

  /** Whether the key was made the RFC 2543 way (no magic cookie in the branch). */
  public boolean legacy() {
    return id.startsWith("2543|");
  }

  private static String serverId(SipRequest request) {
    Via via = request.topVia();
    String sentBy = via.host().toLowerCase(Locale.ROOT) + ":" + via.port();
    if (via.hasRfc3261Branch()) {
      return via.branch().orElseThrow() + "|" + sentBy;
    }
    // RFC 3261 section 17.2.3, RFC 2543 matching: the Request-URI, From tag, Call-ID, CSeq
    // number and top Via identify the transaction. The To tag is left out: it differs between
    // an INVITE and the ACK for its non-2xx response, which must still match.
    return "2543|"
        + request.requestUriText()
        + "|"
        + request.fromTag().orElse("")
        + "|"
        + request.callId()
        + "|"
        + request.cseq().sequence()
        + "|"
        + sentBy
        + "|"
        + via.branch().orElse("");
  }

  /** A response's key for matching client transactions (same as {@link #client}). */
  public static TransactionKey of(SipResponse response) {
    return client(response);
  }

  @Override
  public String toString() {
    return method.name() + "/" + id;
  }
}
