package io.tandem.sip.message;

import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;

/**
 * The outcome of reading a typed header that the parser did not check eagerly: its value, its
 * absence, or why it is invalid. Reading never throws; {@link #value()} does when asked for a
 * value that is not there.
 */
public sealed interface HeaderResult<T> {
  record Present<T>(T value) implements HeaderResult<T> {}

  record Absent<T>() implements HeaderResult<T> {}

  /** The header is present but does not parse: {@code reason} says why. */
  record Invalid<T>(HeaderName header, String reason) implements HeaderResult<T> {}

  default boolean isPresent() {
    return this instanceof Present;
  }

  default boolean isInvalid() {
    return this instanceof Invalid;
  }

  /** The value if present and valid. */
  default Optional<T> toOptional() {
    return this instanceof Present ? Optional.of(((Present<T>) this).value()) : Optional.empty();
  }

  /** The value; throws {@link NoSuchElementException} if absent or invalid. */
  default T value() {
    if (this instanceof Present) {
      return ((Present<T>) this).value();
    }
    throw new NoSuchElementException(this.toString());
  }

  default T orElse(T other) {
    return this instanceof Present ? ((Present<T>) this).value() : other;
  }

  @SuppressWarnings("unchecked")
  default <R> HeaderResult<R> map(Function<? super T, ? extends R> f) {
    return this instanceof Present
        ? new Present<>(f.apply(((Present<T>) this).value()))
        : (HeaderResult<R>) this;
  }
}
