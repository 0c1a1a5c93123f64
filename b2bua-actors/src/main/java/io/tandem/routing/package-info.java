/**
 * Where a call goes: the decisions a Call asks for when an INVITE arrives on leg A, and the
 * rules it follows while it hunts through carriers on leg B (DESIGN sections 5 and 6).
 *
 * <p>Everything here is pure logic with no actors, so it runs inline in a Call and is tested
 * without an actor system:
 *
 * <pre>
 *   INVITE --> RoutingPolicy.route --> Reject(404 ...)           answer leg A, done
 *                                  \-> Route(destinations, hunt)
 *                                        for each Destination:   CallLimits.tryAcquireCarrier
 *                                          B-leg INVITE to Destination.requestUri(user)
 *                                          final --> HuntPolicy.onFinal: HUNT | REDIRECT | STOP
 *                                        all hunted out --> BestResponse.choose(finals) to leg A
 * </pre>
 *
 * <p>The server (b2bua-app, {@code io.tandem.app.routing.ConfigRoutingPolicy}) reads its rules from
 * {@code tandem.routing}; this package holds no configuration.
 */
package io.tandem.routing;
