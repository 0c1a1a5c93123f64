package io.tandem.call;

import io.tandem.sip.message.Method;
import io.tandem.sip.message.SipMessage;
import io.tandem.sip.message.SipRequest;
import io.tandem.transaction.ClientTransactions;
import io.tandem.transaction.TransactionEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The {@link CallManager}'s look-ups in the {@link CallStore} for calls it does not hold, whose
 * node is gone: asked by the cluster ({@link CallManager.Restore}), or by a message within a
 * dialog (or a response) of such a call, which waits for the answer. It runs in the manager's
 * actor.
 *
 * <pre>
 *   message for no call here --find--> Found(state) --start the call--> the messages it held
 *                                      Found(none)  --> the out-of-dialog UAS (481)
 *   CANCEL that matched no INVITE --find--> Found(state): the ringing call brought back, its
 *       leg A's INVITE transaction adopted, the CANCEL matched to it (200, 487, leg B cancelled)
 *                                      Found(none)  --> 481 (section 9.2)
 *   new INVITE of a key kept as another node's --find--> Found(state): the call brought back
 *       (its leg A takes this INVITE's server transaction: the caller's INVITE again)
 *                                      Found(none)  --> a new call after all
 * </pre>
 *
 * <p>The store answers from what it keeps in memory, at once: a flood of requests for dialogs
 * that do not exist costs no more than their 481s.
 */
final class Restorer {
  /** How many calls that ended here are remembered at most ({@link CallStore#endedHold}). */
  private static final int MAX_ENDED = 100_000;

  /** The store's answer for {@code key}. */
  record Found(CallKey key, Optional<CallState> state) implements CallManager.Command {}

  private final ActorContext<CallManager.Command> ctx;
  private final CallStore store;
  /** Where a CANCEL that waited is matched again. */
  private final ClientTransactions transactions;
  private final ActorRef<TransactionEvent> uas;
  /** Starts the call a state brings back (null if it cannot). */
  private final Function<CallState, ActorRef<Call.Command>> start;
  /** Starts a new call of a new INVITE that waited for a state the store no longer had. */
  private final Consumer<TransactionEvent.RequestReceived> startNew;
  /**
   * Calls that ended here lately, until when (nanoTime): a state of theirs that reaches the
   * store after their end (written by a node that is gone, still on its way when the call was
   * brought back and ended) does not bring them back again.
   */
  private final Map<CallKey, Long> ended = new HashMap<>();
  /** Calls being looked for, with the events that came for them meanwhile. */
  private final Map<CallKey, List<TransactionEvent>> restoring = new HashMap<>();

  Restorer(ActorContext<CallManager.Command> ctx, CallStore store, ClientTransactions transactions,
      ActorRef<TransactionEvent> uas, Function<CallState, ActorRef<Call.Command>> start,
      Consumer<TransactionEvent.RequestReceived> startNew) {
    this.ctx = ctx;
    this.store = store;
    this.transactions = transactions;
    this.uas = uas;
    this.start = start;
    this.startNew = startNew;
  }

  /** Call {@code key} ended here. */
  void ended(CallKey key) {
    if (!store.replicates()) {
      return;
    }
    long now = System.nanoTime();
    if (ended.size() >= MAX_ENDED) {
      ended.values().removeIf(until -> until - now <= 0);
    }
    if (ended.size() < MAX_ENDED) {
      ended.put(key, now + store.endedHold().toNanos());
    }
  }

  private boolean endedLately(CallKey key) {
    Long until = ended.get(key);
    if (until != null && until - System.nanoTime() > 0) {
      store.remove(key); // a late state: gone again
      return true;
    }
    return false;
  }

  /** Looks for call {@code key} (the manager holds no such call), unless that is under way. */
  void look(CallKey key) {
    if (store.replicates() && !restoring.containsKey(key) && !endedLately(key)) {
      ask(key, new ArrayList<>(2), store.load(key));
    }
  }

  /**
   * A message within a dialog of a call this node does not hold, or a CANCEL that matched no
   * INVITE here: the call is looked for in the store, and the message waits for the answer
   * (true); false when there is no store or the message is a new request.
   */
  boolean holds(TransactionEvent event) {
    if (!store.replicates()) {
      return false;
    }
    Optional<SipMessage> found = TransactionEvent.messageOf(event);
    if (found.isEmpty() || found.get() instanceof SipRequest r && r.toTag().isEmpty()
        && !Method.CANCEL.equals(r.method())) {
      return false; // a new request; but a CANCEL (no To tag) is of an INVITE under way: its call's
    }
    SipMessage message = found.get();
    CallKey key = CallKey.ofLegB(message).orElseGet(() -> CallKey.ofLegA(message.callId()));
    if (endedLately(key)) {
      return false;
    }
    await(key, event);
    return true;
  }

  /** {@code event} waits for call {@code key}: with the look-up under way, or a new one. */
  private void await(CallKey key, TransactionEvent event) {
    List<TransactionEvent> waiting = restoring.get(key);
    if (waiting != null) {
      waiting.add(event);
      return;
    }
    List<TransactionEvent> events = new ArrayList<>(2);
    events.add(event);
    ask(key, events, store.find(key));
  }

  /**
   * A new INVITE (no To tag) of a call the store keeps as another node's: the caller's INVITE
   * again, reaching this node after the call's shard moved here while the call's node still
   * ran it (a node leaving) or before the call was brought back (a node gone). It waits for the
   * call to be brought back here (true), so that no second call sends the carrier a second
   * INVITE of the same leg B; false when the store keeps no such state.
   */
  boolean holdsInvite(TransactionEvent.RequestReceived invite) {
    CallKey key = CallKey.ofLegA(invite.request().callId());
    if (!store.replicates() || !store.keepsOthers(key) || endedLately(key)) {
      return false;
    }
    ctx.getLog().info("call {}: its INVITE again, here, where another node's call kept it: brought back, not started again", key);
    await(key, invite);
    return true;
  }

  private static boolean isNewInvite(TransactionEvent event) {
    return event instanceof TransactionEvent.RequestReceived r && Method.INVITE.equals(r.request().method())
        && r.request().toTag().isEmpty();
  }

  /** {@code waiting} waits for {@code answer}, the store's, which comes back as a {@link Found}. */
  private void ask(CallKey key, List<TransactionEvent> waiting, CompletionStage<Optional<CallState>> answer) {
    restoring.put(key, waiting);
    ctx.pipeToSelf(answer, (state, error) -> new Found(key, state == null ? Optional.empty() : state));
  }

  /** The store answered: the call starts (unless {@code held} is it already), and gets what waited. */
  void onFound(Found found, ActorRef<Call.Command> held) {
    List<TransactionEvent> waiting = restoring.getOrDefault(found.key(), List.of());
    restoring.remove(found.key());
    ActorRef<Call.Command> call = held;
    if (call == null && found.state().isPresent()) {
      call = start.apply(found.state().get());
    }
    if (call == null) {
      for (TransactionEvent e : waiting) {
        if (isNewInvite(e)) {
          startNew.accept((TransactionEvent.RequestReceived) e);
        } else if (!CallManager.matchCancel(transactions, e)) { // a CANCEL of no INVITE here: 481
          uas.tell(e);
        }
      }
      return;
    }
    ActorRef<Call.Command> to = call;
    waiting.forEach(e -> to.tell(new Call.Event(e)));
  }
}
