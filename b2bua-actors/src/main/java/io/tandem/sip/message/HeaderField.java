package io.tandem.sip.message;

import java.util.Objects;

/** One header field: its name and its value as text (folds unfolded, ends trimmed). */
public record HeaderField(HeaderName name, String value) {
  public HeaderField {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return name + ": " + value;
  }
}
