package io.tandem.transaction;

import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.StatusCode;
import io.tandem.transport.Peer;
import java.time.Duration;
import org.apache.pekko.actor.Cancellable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The INVITE server transaction of RFC 3261 section 17.2.1 (figure 7) with the Accepted state
 * RFC 6026 section 7.1 adds: one per received INVITE, held by the {@link TransactionLayer}.
 *
 * <pre>
 *                 INVITE: RequestReceived to the user; 100 Trying unless a 1xx within 200 ms
 *                   |
 *              Proceeding --- 1xx from user: send; INVITE retransmitted: resend last 1xx
 *         2xx /           \ 300-699
 *            v             v
 *       Accepted        Completed --- G (UDP): resend final; INVITE: resend final
 *  2xx: send|  |ACK: up     |  \ H: TimedOut 'H'
 *  INVITE: absorbed         |ACK\
 *            |           Confirmed --- ACK, INVITE absorbed
 *          L |              | I
 *            v              v
 *                Terminated: out of the layer's index
 * </pre>
 *
 * <p>The transaction never retransmits a 2xx itself: RFC 6026 leaves that to the TU, which
 * sends each retransmission as another {@link #respond} while Accepted. Timers are armed
 * before the message that starts them is sent, so whoever sees the message sees them running.
 */
public final class ServerInviteTransaction extends ServerTransaction {
  private static final Logger LOG = LoggerFactory.getLogger(ServerInviteTransaction.class);

  private enum State { PROCEEDING, COMPLETED, CONFIRMED, ACCEPTED, TERMINATED }

  private State state = State.PROCEEDING;
  /** The INVITE, for 100 Trying; let go once a final is sent (nothing later needs it). */
  private SipRequest invite;
  private SipResponse lastProvisional;
  private SipResponse finalResponse;
  private Cancellable tryingDelay;
  private Cancellable timerG;
  /** Timer H in Completed, then Timer I or L: whichever ends the transaction. */
  private Cancellable ending;

  ServerInviteTransaction(TransactionKey key, SipRequest invite, Peer source, TransactionLayer layer) {
    super(key, source, layer, layer.core());
    this.invite = invite;
  }

  @Override
  synchronized void start() {
    // Section 17.2.1: a 100 Trying is due unless the TU answers within 200 ms.
    tryingDelay = layer.schedule(layer.timers().tryingDelay(), this::onTryingDelay);
  }

  @Override
  public synchronized void respond(SipResponse response) {
    int status = response.statusCode();
    if (state == State.ACCEPTED && status >= 200 && status < 300) {
      send(response); // the TU's own 2xx retransmission (RFC 6026 section 7.1)
      return;
    }
    if (state != State.PROCEEDING) {
      LOG.debug("{}: {} from the user ignored in {}", key, status, state);
      return;
    }
    tryingDelay = cancel(tryingDelay);
    if (status < 200) {
      lastProvisional = response;
      send(response);
    } else if (status < 300) {
      accepted(response);
    } else {
      completed(response);
    }
  }

  /** RFC 6026 section 7.1: a 2xx moves Proceeding to Accepted (RFC 3261 went to Terminated). */
  private void accepted(SipResponse success) {
    LOG.debug("{}: Proceeding -> Accepted ({})", key, success.statusCode());
    state = State.ACCEPTED;
    invite = null;
    lastProvisional = null;
    ending = layer.schedule(layer.timers().timerL(), this::terminate);
    send(success);
  }

  /** Completed (non-2xx final sent): G retransmits it over UDP, H waits for the ACK. */
  private void completed(SipResponse response) {
    LOG.debug("{}: Proceeding -> Completed ({})", key, response.statusCode());
    state = State.COMPLETED;
    invite = null;
    lastProvisional = null;
    finalResponse = response;
    if (!source.reliable()) {
      Duration t1 = layer.timers().t1();
      timerG = layer.schedule(t1, () -> onTimerG(t1));
    }
    ending = layer.schedule(layer.timers().timerH(), this::onTimerH);
    send(response);
  }

  @Override
  synchronized void onRequest(SipRequest request) {
    boolean ack = Method.ACK.equals(request.method());
    switch (state) {
      case PROCEEDING -> {
        if (!ack) {
          // Section 17.2.1: a retransmitted INVITE gets the most recent provisional again.
          if (lastProvisional == null) {
            sendTrying();
          } else {
            send(lastProvisional);
          }
        }
      }
      case COMPLETED -> {
        if (ack) {
          confirmed();
        } else {
          send(finalResponse);
        }
      }
      case ACCEPTED -> {
        // RFC 6026 section 7.1: the ACK for a 2xx goes to the TU; an INVITE retransmission
        // does not, since the TU is already retransmitting the 2xx on its own schedule.
        if (ack) {
          user().tell(new TransactionEvent.AckReceived(key, request, source));
        }
      }
      default -> { } // Confirmed absorbs; Terminated is out of the index
    }
  }

  /** Confirmed: the ACK arrived; I absorbs ACK retransmissions over UDP, zero over TCP. */
  private void confirmed() {
    timerG = cancel(timerG);
    ending = cancel(ending);
    finalResponse = null;
    Duration timerI = layer.timers().timerI(source.reliable());
    LOG.debug("{}: Completed -> Confirmed (ACK), Timer I = {}", key, timerI);
    state = State.CONFIRMED;
    if (timerI.isZero()) {
      terminate();
    } else {
      ending = layer.schedule(timerI, this::terminate);
    }
  }

  private synchronized void onTryingDelay() {
    if (state == State.PROCEEDING && lastProvisional == null) {
      sendTrying();
    }
  }

  private void sendTrying() {
    tryingDelay = cancel(tryingDelay);
    lastProvisional = Responses.withToTag(invite, StatusCode.TRYING);
    send(lastProvisional);
  }

  /** Section 17.2.1: G doubles after each retransmission, capped at T2. */
  private synchronized void onTimerG(Duration elapsed) {
    if (state == State.COMPLETED) {
      Duration next = layer.timers().nextInterval(elapsed);
      timerG = layer.schedule(next, () -> onTimerG(next));
      send(finalResponse);
    }
  }

  /** Section 17.2.1: H fired without an ACK; the TU hears of it as a transaction failure. */
  private synchronized void onTimerH() {
    if (state == State.COMPLETED) {
      LOG.debug("{}: Completed -> Terminated (Timer H)", key);
      terminate();
      user().tell(new TransactionEvent.TimedOut(key, 'H'));
    }
  }

  @Override
  synchronized boolean terminate() {
    if (state == State.TERMINATED) {
      return false;
    }
    state = State.TERMINATED;
    invite = null;
    lastProvisional = null;
    finalResponse = null;
    tryingDelay = cancel(tryingDelay);
    timerG = cancel(timerG);
    ending = cancel(ending);
    layer.forget(key, this);
    return true;
  }
}
