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
 * <p>{@link io.tandem.routing.ConfigRoutingPolicy} reads the rules from {@code tandem.routing}.
 */
package io.tandem.routing;
