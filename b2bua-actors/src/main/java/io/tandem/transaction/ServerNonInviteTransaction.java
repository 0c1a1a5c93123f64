package io.tandem.transaction;

import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.transport.Peer;
import java.time.Duration;
import org.apache.pekko.actor.Cancellable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The non-INVITE server transaction of RFC 3261 section 17.2.2 (figure 8): one per received
 * request other than INVITE and ACK, held by the {@link TransactionLayer}.
 *
 * <pre>
 *               request: RequestReceived to the user
 *                  |
 *               Trying --- retransmission absorbed
 *          1xx /      \ 200-699
 *             v        \
 *       Proceeding      \ --- 1xx: send; retransmission: resend last 1xx
 *               \ 200-699\
 *                v        v
 *                Completed --- retransmission: resend final; J (64*T1 over UDP, 0 over TCP)
 *                    |
 *                Terminated: out of the layer's index
 * </pre>
 *
 * <p>Leak guard: if the user has sent no final response 64*T1 after the request arrived, the
 * client has given up (its Timer F, section 17.1.2.2, started before the request reached
 * Tandem), so no answer can still matter. The transaction then ends without sending anything:
 * RFC 4320 section 4.2 forbids a transaction-stateful element to send 408 to a non-INVITE
 * request. This keeps a user that never answers from holding the transaction forever.
 */
public final class ServerNonInviteTransaction extends ServerTransaction {
  private static final Logger LOG = LoggerFactory.getLogger(ServerNonInviteTransaction.class);

  private enum State { TRYING, PROCEEDING, COMPLETED, TERMINATED }

  private State state = State.TRYING;
  /** The last response sent: what a retransmission of the request gets again. */
  private SipResponse last;
  /** The leak guard in Trying and Proceeding, then Timer J. */
  private Cancellable ending;

  ServerNonInviteTransaction(TransactionKey key, Peer source, TransactionLayer layer) {
    super(key, source, layer, layer.core());
  }

  @Override
  synchronized void start() {
    ending = layer.schedule(layer.timers().sixtyFourT1(), this::onClientTimerFElapsed);
  }

  @Override
  public synchronized void respond(SipResponse response) {
    if (state != State.TRYING && state != State.PROCEEDING) {
      LOG.debug("{}: {} from the user ignored in {}", key, response.statusCode(), state);
      return;
    }
    last = response;
    if (response.statusCode() < 200) {
      if (state == State.TRYING) {
        LOG.debug("{}: Trying -> Proceeding ({})", key, response.statusCode());
      }
      state = State.PROCEEDING;
      send(response);
      return;
    }
    // Completed: J absorbs retransmissions over UDP; over TCP none will come (zero).
    LOG.debug("{}: {} -> Completed ({})", key, state, response.statusCode());
    state = State.COMPLETED;
    ending = cancel(ending);
    Duration timerJ = layer.timers().timerJ(source.reliable());
    if (timerJ.isZero()) {
      send(response);
      terminate();
      return;
    }
    ending = layer.schedule(timerJ, this::terminate);
    send(response);
  }

  /** Section 17.2.2: Trying discards a retransmission; later states send the last response. */
  @Override
  synchronized void onRequest(SipRequest request) {
    if (state == State.PROCEEDING || state == State.COMPLETED) {
      send(last);
    }
  }

  private synchronized void onClientTimerFElapsed() {
    if (state == State.TRYING || state == State.PROCEEDING) {
      LOG.warn("{}: no final response from the user within 64*T1 ({}); the client has given up,"
          + " ending the transaction (no 408, RFC 4320 section 4.2)", key, layer.timers().sixtyFourT1());
      terminate();
    }
  }

  @Override
  synchronized boolean terminate() {
    if (state == State.TERMINATED) {
      return false;
    }
    state = State.TERMINATED;
    last = null;
    ending = cancel(ending);
    layer.forget(key, this);
    return true;
  }
}
