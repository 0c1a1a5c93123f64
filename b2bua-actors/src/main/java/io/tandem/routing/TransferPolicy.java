package io.tandem.routing;

/**
 * What a call does with a REFER (RFC 3515) from either leg of an answered call, per route.
 */
public enum TransferPolicy {
  /**
   * Tandem carries out the transfer itself: 202, NOTIFY progress to the referrer, a new leg to
   * the Refer-To target, the surviving leg re-paired with it and the referrer's leg released.
   */
  ACT,
  /** The REFER crosses to the other leg like any request inside the dialog; its NOTIFYs come back. */
  PASS,
  /** The REFER is refused with 403 Forbidden. */
  REFUSE
}
