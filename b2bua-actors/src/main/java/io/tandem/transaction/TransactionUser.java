package io.tandem.transaction;

/**
 * What an actor that uses transactions accepts: the {@link TransactionEvent}s its transactions
 * tell it, and the commands of its own protocol, which extend this. Such an actor hands its own
 * ref, narrowed to {@code ActorRef<TransactionEvent>}, to {@link ClientTransactions#send}: no
 * message adapter (an extra object per actor) stands between it and its transactions.
 */
public interface TransactionUser {}
