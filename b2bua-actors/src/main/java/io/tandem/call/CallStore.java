package io.tandem.call;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where calls are kept beyond the node that holds them ({@link CallState}), so that another
 * node can bring them back (a cluster: written to every other node). A call saves its state
 * before each leg-B INVITE and before leg A's 2xx goes out, and removes it when it ends; a node
 * that gets a message for a call it does not hold looks for the call here.
 *
 * <p>Called from call actors: an implementation never blocks.
 */
public interface CallStore {
  /** Keeps nothing: one node alone. */
  CallStore NONE = new CallStore() {
    @Override
    public boolean replicates() {
      return false;
    }

    @Override
    public CompletionStage<Boolean> save(CallState state) {
      return CompletableFuture.completedFuture(true);
    }

    @Override
    public void remove(CallKey key) {}

    @Override
    public CompletionStage<Optional<CallState>> find(CallKey key) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
  };

  /** Whether calls are saved at all: with false, a call skips building its state. */
  boolean replicates();

  /**
   * Keeps {@code state} (replacing what was kept for its key); completes once it is kept as
   * the store promises (true) or could not be within its timeout (false: the call goes on
   * without that promise). Never completes exceptionally.
   */
  CompletionStage<Boolean> save(CallState state);

  /** The call {@code key} ended: its state is dropped. */
  void remove(CallKey key);

  /**
   * The call of {@code state} was brought back on this node, which holds it now: the store
   * keeps it as this node's (another node brings it back should this one go too).
   */
  default void adopted(CallState state) {}

  /**
   * The state kept for {@code key}, if any, for a message of a call this node does not hold:
   * a store may answer nothing at once when it is busy looking, or found nothing for the key
   * a moment ago. Never completes exceptionally.
   */
  CompletionStage<Optional<CallState>> find(CallKey key);

  /**
   * Whether this store keeps the state of call {@code key} as another node's (answers at once,
   * from memory): a new INVITE of that key is then the call's own INVITE again (a retransmission
   * that reached a node the call is not on, its shard moved), and brings the call back rather
   * than starting a second one.
   */
  default boolean keepsOthers(CallKey key) {
    return false;
  }

  /**
   * The state kept for {@code key}, if any, asked because the store said it keeps one whose
   * node is gone: looked for whatever {@link #find} remembers. Never completes exceptionally.
   */
  default CompletionStage<Optional<CallState>> load(CallKey key) {
    return find(key);
  }

  /**
   * How long a call that ended on this node is not brought back, should a state of its reach
   * the store after its end (written by a node that is gone, and still on its way).
   */
  default java.time.Duration endedHold() {
    return java.time.Duration.ZERO;
  }
}
