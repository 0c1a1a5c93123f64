/**
 * Tandem registering itself with carriers that require it (RFC 3261 section 10.2): one
 * {@link io.tandem.registration.OutboundRegistration} actor per carrier, refreshing before the
 * binding expires and retrying with backoff when the carrier refuses or is silent.
 */
package io.tandem.registration;
