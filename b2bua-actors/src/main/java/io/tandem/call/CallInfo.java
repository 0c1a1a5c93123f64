package io.tandem.call;

import java.time.Instant;
import java.util.Optional;

/**
 * A call as the admin API shows it (the answer to {@link Call.Describe}): its key, the caller's
 * Call-ID, its state ({@code trying}, {@code ringing}, {@code answered} or {@code ending}), the
 * carrier of its leg B if it has one, when its INVITE came and when it was answered.
 */
public record CallInfo(CallKey key, String legACallId, String state, Optional<String> carrier,
    Instant startedAt, Optional<Instant> answeredAt) {}
