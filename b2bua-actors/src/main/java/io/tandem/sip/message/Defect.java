package io.tandem.sip.message;

/**
 * What is wrong with a message head, as {@link MessageScanner} found it first.
 *
 * @param status the status to answer a request with (400, 414, 505, 513)
 * @param reason the reason phrase, naming the header at fault where there is one
 * @param header the header at fault, or null
 * @param detail what exactly is wrong, for logs and a Warning header
 */
public record Defect(int status, String reason, HeaderName header, String detail) {
  @Override
  public String toString() {
    return status + " " + reason + " (" + detail + ")";
  }
}
