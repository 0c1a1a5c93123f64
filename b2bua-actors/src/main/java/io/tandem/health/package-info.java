/**
 * Carrier health (DESIGN section 6): one {@link io.tandem.health.CarrierProbe} per carrier that
 * asks for it sends OPTIONS on an interval; a carrier that stops answering is marked down in
 * {@link io.tandem.health.CarrierHealth} and leaves the hunt until it answers again.
 */
package io.tandem.health;
