package io.tandem.app.cluster;

import io.tandem.call.CallKey;
import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.Via;
import java.util.Optional;

/**
 * Where in a cluster a received message is handled, from its own bytes, once the node that
 * received it has found no transaction of its own for it.
 *
 * <pre>
 *   request  REGISTER, out-of-dialog OPTIONS         Local: answered where it lands
 *            anything else                           ToCall(key): the node owning the call
 *   response branch or Call-ID Tandem made for a call ToCall(key)
 *            branch of a node's own OPTIONS probe or
 *            outbound REGISTER (-ping-, -reg-)        OtherNodes: the node that sent it has it
 *            anything else                           Local: a stray, dropped and counted there
 * </pre>
 */
public sealed interface SipRoute {
  /** Handled by this node. */
  record Local() implements SipRoute {}

  /** Handled by the node that owns call {@code key} (Cluster Sharding). */
  record ToCall(CallKey key) implements SipRoute {}

  /** A response to a node's own out-of-call request: offered to every other node. */
  record OtherNodes() implements SipRoute {}

  SipRoute LOCAL = new Local();
  SipRoute OTHER_NODES = new OtherNodes();

  /** Where {@code message} goes. */
  static SipRoute of(SipMessage message) {
    if (message instanceof SipResponse response) {
      String branch = response.topViaBranch().orElse("");
      Optional<CallKey> key = CallKey.ofBranch(branch).or(() -> CallKey.ofLegBCallId(response.callId()));
      if (key.isPresent()) {
        return new ToCall(key.get());
      }
      if (branch.startsWith(Via.MAGIC_COOKIE + "-ping-") || branch.startsWith(Via.MAGIC_COOKIE + "-reg-")) {
        return OTHER_NODES;
      }
      return LOCAL;
    }
    SipRequest request = (SipRequest) message;
    Method method = request.method();
    if (Method.REGISTER.equals(method) || Method.OPTIONS.equals(method) && request.toTag().isEmpty()) {
      return LOCAL;
    }
    String callId = request.callId(); // leg B's names its key; leg A's gives it
    return new ToCall(CallKey.ofLegBCallId(callId).orElseGet(() -> CallKey.ofLegA(callId)));
  }
}
