package io.tandem.app.registrar;

import io.tandem.sip.message.HeaderName;
import io.tandem.sip.message.HeaderResult;
import io.tandem.sip.message.NameAddr;
import io.tandem.sip.message.SipHeaders;
import io.tandem.sip.message.SipRequest;
import io.tandem.sip.message.SipResponse;
import io.tandem.sip.message.SipUri;
import io.tandem.sip.message.Uri;
import io.tandem.transaction.Responses;
import io.tandem.transport.Peer;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The registrar's processing of one REGISTER, RFC 3261 section 10.3, step by step, from the
 * request to its final response. Pure apart from the {@link LocationService} it writes.
 */
final class Registration {
  /** Section 10.3 step 6 rejects with 423 only intervals under an hour. */
  private static final long ONE_HOUR = 3600;
  private static final DateTimeFormatter RFC1123 =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private final RegistrarSettings settings;
  private final LocationService location;
  private final RegisterAuthorizer authorizer;

  Registration(RegistrarSettings settings, LocationService location, RegisterAuthorizer authorizer) {
    this.settings = settings;
    this.location = location;
    this.authorizer = authorizer;
  }

  /** The final response to {@code register}, received from {@code source}. */
  SipResponse answer(SipRequest register, Peer source) {
    // Step 1: only the domains this registrar serves (it is no proxy to forward to another).
    if (!(register.requestUri() instanceof SipUri target) || !settings.serves(target.host())) {
      return Responses.builder(register, 403).status(403, "Domain Not Served").build();
    }
    // Step 2 (Require) was done by the parser: an unknown option tag got 420.
    // Steps 3 and 4: who may change which bindings.
    Optional<SipResponse> refused = authorizer.refuse(register, source);
    if (refused.isPresent()) {
      return refused.get();
    }
    // Step 5: the address-of-record is the To URI; Tandem names it by its user.
    Uri to = register.to().uri();
    if (!(to instanceof SipUri aorUri) || aorUri.user() == null || aorUri.user().isEmpty()
        || !settings.serves(aorUri.host())) {
      return Responses.builder(register, 404).status(404, "Unknown Address-Of-Record").build();
    }
    String aor = aorUri.user();
    HeaderResult<Long> expiresHeader = register.header(SipHeaders.EXPIRES);
    if (expiresHeader.isInvalid()) {
      return Responses.builder(register, 400).status(400, "Invalid Expires").build();
    }
    // Step 6.
    if (register.isContactWildcard()) {
      return removeAll(register, aor, expiresHeader);
    }
    if (register.contacts().isEmpty()) {
      return ok(register, location.bindings(aor)); // a query (section 10.2.3)
    }
    List<LocationService.ContactUpdate> updates = new ArrayList<>();
    for (NameAddr contact : register.contacts()) {
      long expires = expires(contact, expiresHeader.toOptional());
      if (expires > 0 && expires < settings.minExpires().toSeconds() && expires < ONE_HOUR) {
        return Responses.builder(register, 423)
            .header(HeaderName.MIN_EXPIRES, Long.toString(settings.minExpires().toSeconds()))
            .build();
      }
      updates.add(new LocationService.ContactUpdate(contact, q(contact), Math.min(expires, settings.maxExpires().toSeconds())));
    }
    // Step 7.
    return outcome(register, location.update(aor, updates, register.callId(), register.cseq().sequence(), source));
  }

  /**
   * {@code Contact: *} removes every binding, and only with Expires 0 and no other Contact;
   * anything else is invalid (step 6).
   */
  private SipResponse removeAll(SipRequest register, String aor, HeaderResult<Long> expires) {
    boolean alone = register.headers().values(HeaderName.CONTACT).size() == 1;
    if (!alone || expires.toOptional().orElse(-1L) != 0) {
      return Responses.builder(register, 400)
          .status(400, alone ? "Wildcard Contact Needs Expires 0" : "Wildcard Contact Not Alone")
          .build();
    }
    return outcome(register, location.removeAll(aor, register.callId(), register.cseq().sequence()));
  }

  private SipResponse outcome(SipRequest register, LocationService.Result result) {
    if (result instanceof LocationService.Updated updated) {
      return ok(register, updated.bindings());
    }
    if (result instanceof LocationService.OutOfOrder) {
      // Step 7: "the update MUST be aborted and the request fails"; with nothing committed,
      // the failure is the 500 the same step names for an update that cannot be committed.
      return Responses.builder(register, 500).status(500, "Out Of Order REGISTER").build();
    }
    if (result instanceof LocationService.TooManyBindings) {
      return Responses.builder(register, 403).status(403, "Too Many Contacts").build();
    }
    return Responses.builder(register, 503).status(503, "Registrar Full").build();
  }

  /** Section 10.3 step 8: every current binding with its remaining expires, and the Date. */
  private SipResponse ok(SipRequest register, List<Binding> bindings) {
    Instant now = location.now();
    SipResponse.Builder b = Responses.builder(register, 200);
    for (Binding binding : bindings) {
      b.header(HeaderName.CONTACT, binding.contactWithExpires(now));
    }
    return b.header(HeaderName.DATE, RFC1123.format(now)).build();
  }

  /**
   * Step 6: the Contact's {@code expires} parameter, else the Expires header, else the
   * configured default. The parser has checked both are delta-seconds (at most 2^32-1), or
   * answered 400.
   */
  private long expires(NameAddr contact, Optional<Long> header) {
    return contact.params().get("expires").map(Long::parseLong)
        .orElseGet(() -> header.orElse(settings.defaultExpires().toSeconds()));
  }

  /**
   * The Contact's q (section 20.10); 1 when absent, the most preferred. The parser has checked
   * it is a qvalue (section 25.1), or answered 400.
   */
  private static double q(NameAddr contact) {
    return contact.params().get("q").map(Double::parseDouble).orElse(1.0);
  }
}
