package io.tandem.app.admin;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the admin API asks of this node as one of a cluster ({@code tandem.cluster.enabled}).
 *
 * @param describe the cluster as this node sees it, within a timeout (GET /cluster)
 * @param node this node's cluster address, named in each call of GET /calls
 * @param otherNodes the calls the other nodes hold, as this node keeps copies of them
 * @param leave hands this node's calls over to the others and stops it (POST /drain): what
 *     SIGTERM does; called once, after the answer has gone
 * @param leaving whether {@code leave} (or a stop) is under way
 */
public record ClusterAdmin(Function<Duration, CompletionStage<Map<String, Object>>> describe, String node,
    Supplier<List<Map<String, Object>>> otherNodes, Runnable leave, BooleanSupplier leaving) {
  public ClusterAdmin {
    Objects.requireNonNull(describe, "describe");
    Objects.requireNonNull(node, "node");
    Objects.requireNonNull(otherNodes, "otherNodes");
    Objects.requireNonNull(leave, "leave");
    Objects.requireNonNull(leaving, "leaving");
  }
}
