package io.tandem.auth;

/**
 * The outcome of reading a digest challenge or credentials: the value, or why it cannot be
 * used. Reading never throws.
 */
public sealed interface DigestParse<T> {
  record Ok<T>(T value) implements DigestParse<T> {}

  /** The header is not a usable digest challenge or credentials: {@code reason} says why. */
  record Invalid<T>(String reason) implements DigestParse<T> {}

  static <T> DigestParse<T> invalid(String reason) {
    return new Invalid<>(reason);
  }
}
