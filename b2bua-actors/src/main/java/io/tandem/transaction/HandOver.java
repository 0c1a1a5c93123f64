package io.tandem.transaction;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Hands a message to a transaction's constructor once. A behavior's setup closure stays
 * referenced by the actor for its whole life (it is its initial behavior); capturing the
 * request there would keep every request alive until its transaction ends, 64*T1 after its
 * final response, long after the transaction itself has let go of it.
 */
final class HandOver<T> {
  private final AtomicReference<T> value;

  HandOver(T value) {
    this.value = new AtomicReference<>(value);
  }

  /** The value, once; a second take (a restart, which transactions never do) fails. */
  T take() {
    T v = value.getAndSet(null);
    if (v == null) {
      throw new IllegalStateException("a transaction starts once");
    }
    return v;
  }
}
