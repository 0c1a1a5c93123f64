package io.tandem.app.admin;

import io.tandem.app.RoutingReloader;
import io.tandem.call.Call;
import io.tandem.call.CallInfo;
import io.tandem.call.CallKey;
import io.tandem.call.CallManager;
import io.tandem.health.CarrierHealth;
import io.tandem.routing.CallLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * The admin HTTP API: JSON over HTTP/1.1 (pekko-http), answered from the {@link CallManager}
 * and its calls by ask, and from the shared {@link CallLimits}.
 *
 * <pre>
 *   GET    /health              200 while the call manager answers
 *   GET    /ready               200 with listeners bound and not draining, else 503
 *   GET    /calls               every call of this node: key, leg-A Call-ID, state, carrier,
 *                               times (and, in a cluster, the node); in a cluster also
 *                               otherNodes: the other nodes' calls, from this node's copies
 *   GET    /calls/{key}         one call, 404 when unknown
 *   DELETE /calls/{key}         hang up (also POST /calls/{key}/hangup): 202, 404 when unknown
 *   GET    /drain, POST /drain, POST /drain/cancel
 *                               one node alone: new calls refused (503), calls up go on;
 *                               in a cluster POST /drain is 202 and the node leaves as on
 *                               SIGTERM: its calls handed over, then it stops (exit 0)
 *   GET    /carriers            each configured carrier: calls now, max-calls
 *   POST   /reload              the routes read again: 200, or 422 with the error (path, line)
 *   GET    /cluster             members, their state, shards and call entities per node, and
 *                               where this node's SIP messages went; 404 with tandem.cluster off
 * </pre>
 */
public final class AdminApi {
  /** How long after answering POST /drain a cluster node starts to leave: the answer goes first. */
  private static final Duration LEAVE_AFTER = Duration.ofMillis(200);

  private final ActorSystem<?> system;
  private final ActorRef<CallManager.Command> calls;
  private final CallLimits limits;
  private final BooleanSupplier listening;
  private final Duration timeout;
  private final Supplier<RoutingReloader.Result> reload;
  private final CarrierHealth health;
  /** This node as one of a cluster, or null when the cluster is off. */
  private final ClusterAdmin cluster;
  /** POST /drain was answered on this cluster node: it is about to leave. */
  private final AtomicBoolean leaveAsked = new AtomicBoolean();

  private AdminApi(ActorSystem<?> system, ActorRef<CallManager.Command> calls, CallLimits limits,
      BooleanSupplier listening, Duration timeout, Supplier<RoutingReloader.Result> reload,
      CarrierHealth health, ClusterAdmin cluster) {
    this.cluster = cluster;
    this.reload = reload;
    this.health = health;
    this.system = system;
    this.calls = calls;
    this.limits = limits;
    this.listening = listening;
    this.timeout = timeout;
  }

  /**
   * Binds the API where {@code settings} say.
   *
   * @param listening whether the SIP listeners are bound, for /ready
   * @param cluster this node as one of a cluster; null with the cluster off
   */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, AdminSettings settings,
      ActorRef<CallManager.Command> calls, CallLimits limits, CarrierHealth health,
      Supplier<RoutingReloader.Result> reload, BooleanSupplier listening,
      ClusterAdmin cluster) {
    AdminApi api = new AdminApi(system, calls, limits, listening, settings.askTimeout(), reload, health, cluster);
    return Http.get(system).newServerAt(settings.address(), settings.port()).bind(api::handle);
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    request.discardEntityBytes(system); // no endpoint reads a body
    HttpMethod method = request.method();
    String[] path = request.getUri().path().replaceAll("^/+|/+$", "").split("/+");
    String first = path[0];
    try {
      if (path.length == 1) {
        switch (first) {
          case "health":
            return method == HttpMethods.GET ? health() : notAllowed();
          case "ready":
            return method == HttpMethods.GET ? ready() : notAllowed();
          case "calls":
            return method == HttpMethods.GET ? listCalls() : notAllowed();
          case "drain":
            return method == HttpMethods.GET ? drain(CallManager.GetDrainState::new)
                : method != HttpMethods.POST ? notAllowed()
                : cluster != null ? leave()
                : drain(r -> new CallManager.SetDraining(true, r));
          case "carriers":
            return method == HttpMethods.GET ? carriers() : notAllowed();
          case "reload":
            return method == HttpMethods.POST ? reload() : notAllowed();
          case "cluster":
            return method != HttpMethods.GET ? notAllowed()
                : cluster == null ? json(404, Map.of("error", "tandem.cluster is off: this node is alone"))
                : cluster.describe().apply(timeout).thenApply(view -> response(200, view));
          default:
            break;
        }
      } else if (path.length == 2 && first.equals("drain") && path[1].equals("cancel")) {
        return method != HttpMethods.POST ? notAllowed()
            : leaving() ? json(409, Map.of("error",
                "this node is leaving the cluster, for good: start it again to take calls"))
            : cluster != null ? drain(CallManager.GetDrainState::new)
            : drain(r -> new CallManager.SetDraining(false, r));
      } else if (first.equals("calls") && (path.length == 2 || path.length == 3 && path[2].equals("hangup"))) {
        Optional<CallKey> key = key(path[1]);
        if (key.isEmpty()) {
          return notFound();
        }
        if (path.length == 3) {
          return method == HttpMethods.POST ? hangUp(key.get()) : notAllowed();
        }
        return method == HttpMethods.GET ? oneCall(key.get())
            : method == HttpMethods.DELETE ? hangUp(key.get()) : notAllowed();
      }
      return notFound();
    } catch (RuntimeException e) {
      return json(500, Map.of("error", String.valueOf(e.getMessage())));
    }
  }

  // ---- the endpoints ------------------------------------------------------------------------

  /** The configuration file read again (RoutingReloader): 200, or 422 with why it was refused. */
  private CompletionStage<HttpResponse> reload() {
    RoutingReloader.Result result = reload.get();
    if (result instanceof RoutingReloader.Result.Reloaded r) {
      return json(200, Map.of("reloaded", r.source()));
    }
    return json(422, Map.of("error", ((RoutingReloader.Result.Refused) result).reason()));
  }

  private CompletionStage<HttpResponse> health() {
    return ask(calls, CallManager.GetCallCount::new)
        .thenApply(n -> response(200, object("status", "up", "calls", n)))
        .exceptionally(e -> response(503, Map.of("status", "down")));
  }

  private CompletionStage<HttpResponse> ready() {
    boolean bound = listening.getAsBoolean();
    return ask(calls, CallManager.GetDrainState::new).thenApply(state -> {
      boolean draining = draining(state);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("ready", bound && !draining);
      body.put("listening", bound);
      body.put("draining", draining);
      return response(bound && !draining ? 200 : 503, body);
    });
  }

  /** Whether new calls are refused here: this node alone draining, or this cluster node leaving. */
  private boolean draining(CallManager.DrainState state) {
    return state.draining() || leaving();
  }

  /** Whether this cluster node is leaving: POST /drain answered, or a stop under way. */
  private boolean leaving() {
    return cluster != null && (leaveAsked.get() || cluster.leaving().getAsBoolean());
  }

  private CompletionStage<HttpResponse> listCalls() {
    return describeAll().thenApply(infos -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("calls", infos.stream().sorted(Comparator.comparing(CallInfo::startedAt)).map(this::callJson).toList());
      if (cluster != null) {
        body.put("otherNodes", cluster.otherNodes().get().stream()
            .sorted(Comparator.comparing(c -> String.valueOf(c.get("startedAt")))).toList());
      }
      return response(200, body);
    });
  }

  private CompletionStage<HttpResponse> oneCall(CallKey key) {
    return ask(calls, CallManager.ListCalls::new).thenCompose(list -> {
      ActorRef<Call.Command> call = list.byKey().get(key);
      if (call == null) {
        return notFound();
      }
      return ask(call, Call.Describe::new)
          .thenApply(info -> response(200, callJson(info)))
          .exceptionally(e -> response(404, Map.of("error", "no such call"))); // it ended meanwhile
    });
  }

  private CompletionStage<HttpResponse> hangUp(CallKey key) {
    return ask(calls, (ActorRef<Boolean> r) -> new CallManager.HangUp(key, r))
        .thenApply(found -> found
            ? response(202, object("key", key.value(), "hangingUp", true))
            : response(404, Map.of("error", "no such call")));
  }

  private CompletionStage<HttpResponse> drain(Function<ActorRef<CallManager.DrainState>, CallManager.Command> command) {
    return ask(calls, command::apply).thenApply(state -> {
      Map<String, Object> body = object("draining", draining(state), "activeCalls", state.activeCalls());
      if (cluster != null) {
        body.put("leaving", leaving());
      }
      return response(200, body);
    });
  }

  /**
   * POST /drain on a cluster node: 202, then the node leaves as SIGTERM makes it (its shards,
   * and with them its calls, handed over to the other nodes while it still relays what it
   * receives; then it stops). A drained node that stayed up would still own its shards, and a
   * new call whose key falls in one of them would be refused wherever it landed.
   */
  private CompletionStage<HttpResponse> leave() {
    return ask(calls, CallManager.GetDrainState::new).thenApply(state -> {
      if (leaveAsked.compareAndSet(false, true)) {
        system.scheduler().scheduleOnce(LEAVE_AFTER, cluster.leave(), system.executionContext());
      }
      Map<String, Object> body = object("draining", true, "activeCalls", state.activeCalls());
      body.put("leaving", true);
      return response(202, body);
    });
  }

  private CompletionStage<HttpResponse> carriers() {
    List<Object> carriers = new ArrayList<>();
    new TreeMap<>(limits.carrierLimits()).forEach((name, max) -> {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("name", name);
      c.put("calls", limits.activeOn(name));
      c.put("maxCalls", max);
      c.put("up", health.isUp(name)); // false only while its OPTIONS probe finds it down
      carriers.add(c);
    });
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("calls", limits.activeCalls());
    body.put("maxCalls", limits.maxCalls());
    body.put("carriers", carriers);
    return json(200, body);
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Every call's description; a call that ends while asked is left out. */
  private CompletionStage<List<CallInfo>> describeAll() {
    return ask(calls, CallManager.ListCalls::new).thenCompose(list -> {
      List<CompletableFuture<CallInfo>> asks = list.byKey().values().stream()
          .map(call -> ask(call, Call.Describe::new).exceptionally(e -> null).toCompletableFuture())
          .toList();
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
          .thenApply(done -> asks.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList());
    });
  }

  private Map<String, Object> callJson(CallInfo info) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("key", info.key().value());
    c.put("callId", info.legACallId());
    c.put("state", info.state());
    c.put("carrier", info.carrier());
    c.put("startedAt", info.startedAt().toString());
    c.put("answeredAt", info.answeredAt().map(Object::toString));
    if (cluster != null) {
      c.put("node", cluster.node()); // the node holding the call: /calls lists this node's calls
    }
    return c;
  }

  /** A JSON object with {@code keyValues} (name, value pairs) in their order. */
  private static Map<String, Object> object(Object... keyValues) {
    Map<String, Object> o = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      o.put((String) keyValues[i], keyValues[i + 1]);
    }
    return o;
  }

  private static Optional<CallKey> key(String value) {
    try {
      return Optional.of(new CallKey(value));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private <Q, A> CompletionStage<A> ask(RecipientRef<Q> target, Function<ActorRef<A>, Q> message) {
    return AskPattern.ask(target, message::apply, timeout, system.scheduler());
  }

  private static CompletionStage<HttpResponse> notFound() {
    return json(404, Map.of("error", "not found"));
  }

  private static CompletionStage<HttpResponse> notAllowed() {
    return json(405, Map.of("error", "method not allowed"));
  }

  private static CompletionStage<HttpResponse> json(int status, Object body) {
    return CompletableFuture.completedFuture(response(status, body));
  }

  private static HttpResponse response(int status, Object body) {
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, Json.of(body));
  }
}
