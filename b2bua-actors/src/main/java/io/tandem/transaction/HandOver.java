package io.tandem.transaction;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Hands a message to an actor's constructor once. A behavior's setup closure stays referenced
 * by the actor for its whole life (it is its initial behavior); capturing a request there
 * would keep it alive as long as the actor (a transaction until 64*T1 after its final, a call
 * or leg for the whole call), long after the actor itself has let go of it.
 */
public final class HandOver<T> {
  private final AtomicReference<T> value;

  public HandOver(T value) {
    this.value = new AtomicReference<>(value);
  }

  /** The value, once; a second take (a restart, which these actors never do) fails. */
  public T take() {
    T v = value.getAndSet(null);
    if (v == null) {
      throw new IllegalStateException("an actor handed a value starts once");
    }
    return v;
  }
}
