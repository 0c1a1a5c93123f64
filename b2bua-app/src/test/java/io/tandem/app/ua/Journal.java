package io.tandem.app.ua;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * An append-only list that other threads can wait on: the harness's one way of waiting, so
 * every wait is bounded by a {@link Duration} and nothing is consumed by looking.
 */
final class Journal<T> {
  private final List<T> items = new ArrayList<>();

  synchronized void add(T item) {
    items.add(item);
    notifyAll();
  }

  synchronized List<T> snapshot() {
    return List.copyOf(items);
  }

  /** The first item (oldest first) matching {@code test}, waiting up to {@code timeout}. */
  synchronized Optional<T> await(Predicate<? super T> test, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    int checked = 0;
    while (true) {
      for (; checked < items.size(); checked++) {
        if (test.test(items.get(checked))) {
          return Optional.of(items.get(checked));
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return Optional.empty();
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Waits until at least {@code size} items are here, or {@code timeout}; true if they are. */
  synchronized boolean awaitSize(int size, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (items.size() < size) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  synchronized void clear() {
    items.clear();
  }
}
