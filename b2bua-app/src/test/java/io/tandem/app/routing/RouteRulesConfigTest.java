package io.tandem.app.routing;

import static io.tandem.app.routing.RoutingFixtures.CARRIERS;
import static io.tandem.app.routing.RoutingFixtures.invite;
import static io.tandem.app.routing.RoutingFixtures.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.tandem.routing.Destination;
import io.tandem.routing.LegBRewrite;
import io.tandem.routing.RoutingDecision;
import java.io.File;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** tandem.routing's match blocks, actions, groups and rejects, read from HOCON and routed. */
class RouteRulesConfigTest {
  private static final String GROUPS = "tandem.routing.groups { uk { carriers = ["
      + "{ name = lab, priority = 1, weight = 70 }, { name = backup, priority = 1, weight = 30 },"
      + " { name = v6, priority = 2 }] } }\n";

  private static ConfigRoutingPolicy routes(String... routes) {
    return policy(CARRIERS + GROUPS + "tandem.routing.routes = [\n" + String.join("\n", routes) + "\n]");
  }

  private static List<String> carriers(RoutingDecision d) {
    return assertInstanceOf(RoutingDecision.Route.class, d).destinations().stream().map(Destination::carrier).toList();
  }

  @Test
  void aMatchingRouteCarriesItsRewriteToTheCall() {
    ConfigRoutingPolicy p = routes("{ name = uk, match { user-regex = \"^00(44[0-9]+)$\" }, carriers = [lab],"
        + " dial = \"+${1}\", p-asserted-identity = \"<sip:${from}@tandem.example>\","
        + " headers { add { \"X-Route\" = uk } } }");
    RoutingDecision.Route r = assertInstanceOf(RoutingDecision.Route.class, p.route(invite("sip:00441234@192.0.2.2")));
    assertEquals(new LegBRewrite("+441234", null, null, "<sip:alice@tandem.example>", List.of(),
        List.of(new LegBRewrite.Header("X-Route", "uk"))), r.rewrite());
    assertEquals(ConfigRoutingPolicy.NO_ROUTE, p.route(invite("sip:0033123@192.0.2.2")));
  }

  @Test
  void legacyRoutesRewriteNothing() {
    RoutingDecision.Route r = assertInstanceOf(RoutingDecision.Route.class,
        routes("{ name = any, carriers = [lab] }").route(invite("sip:1@192.0.2.2")));
    assertEquals(LegBRewrite.NONE, r.rewrite());
  }

  @Test
  void aGroupIsOrderedPerCallByTheInjectedDrawsAndCutByMaxAttempts() {
    ConfigRoutingPolicy p = routes("{ name = uk, group = uk }", "{ name = short, group = uk }");
    assertEquals(List.of("lab", "backup", "v6"), carriers(p.with(Clock.systemUTC(), () -> 0.1).route(invite("sip:1@x"))));
    assertEquals(List.of("backup", "lab", "v6"), carriers(p.with(Clock.systemUTC(), () -> 0.8).route(invite("sip:1@x"))));
    ConfigRoutingPolicy cut = routes("{ name = uk, group = uk, max-attempts = 2 }");
    assertEquals(List.of("backup", "lab"), carriers(cut.with(Clock.systemUTC(), () -> 0.8).route(invite("sip:1@x"))));
  }

  @Test
  void aTimeWindowReadsTheInjectedClock() {
    ConfigRoutingPolicy p = routes(
        "{ name = day, match { time { days = [mon, tue, wed, thu, fri], from = \"08:00\", to = \"18:00\", zone = UTC } }, carriers = [lab] }",
        "{ name = night, carriers = [backup] }");
    Clock monday = Clock.fixed(Instant.parse("2026-03-02T09:00:00Z"), ZoneOffset.UTC);
    Clock sunday = Clock.fixed(Instant.parse("2026-03-01T09:00:00Z"), ZoneOffset.UTC);
    assertEquals(List.of("lab"), carriers(p.with(monday, () -> 0).route(invite("sip:1@x"))));
    assertEquals(List.of("backup"), carriers(p.with(sunday, () -> 0).route(invite("sip:1@x"))));
  }

  @Test
  void aRejectRouteAnswersItsStatus() {
    ConfigRoutingPolicy p = routes("{ name = bar, match { user-regex = \"09.*\" }, reject { status = 403, reason = Forbidden } }",
        "{ name = gone, match { user-regex = \"08.*\" }, reject { status = 410 } }");
    assertEquals(new RoutingDecision.Reject(403, "Forbidden"), p.route(invite("sip:0900@x")));
    assertEquals(new RoutingDecision.Reject(410, "Gone"), p.route(invite("sip:0800@x")), "the usual reason by default");
  }

  /** Each row: the route, the path the error starts with, a fragment, the line within the route's text. */
  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(delimiter = '|', value = {
      "{ name = a,\\n reject { status = 200 } }|tandem.routing.routes[0].reject.status|300-699|2",
      "{ name = a,\\n match { user-regex = \"(\" }, carriers = [lab] }|tandem.routing.routes[0].match.user-regex|invalid regex|2",
      "{ name = a,\\n match { colour = red }, carriers = [lab] }|tandem.routing.routes[0].match.colour|unknown key|2",
      "{ name = a, carriers = [lab],\\n\\n dial = \"+${2}\" }|tandem.routing.routes[0].dial|${2}|3",
      "{ name = a, match { user-regex = \"(4)\" }, carriers = [lab],\\n dial = \"+${cc}\" }|tandem.routing.routes[0].dial|${cc}|2",
      "{ name = a,\\n group = eu }|tandem.routing.routes[0].group|unknown group 'eu'|2",
      "{ name = a, group = uk,\\n carriers = [lab] }|tandem.routing.routes[0].group|not both|1",
      "{ name = a, carriers = [lab],\\n headers { remove = [Via] } }|tandem.routing.routes[0].headers.remove|Tandem's to build|2",
      "{ name = a, carriers = [lab],\\n headers { add { \"Bad Name\" = x } } }|tandem.routing.routes[0].headers.add.Bad Name|not a header name|2",
      "{ name = a, carriers = [lab],\\n match { time { days = [funday] } } }|tandem.routing.routes[0].match.time.days|funday|2",
      "{ name = a, carriers = [lab],\\n match { time { zone = Mars } } }|tandem.routing.routes[0].match.time.zone|Mars|2",
      "{ name = a, carriers = [lab],\\n match { source-cidr = [\"10.0.0.0/33\"] } }|tandem.routing.routes[0].match.source-cidr|prefix length|2",
      "{ name = a, carriers = [lab], reject {\\n status = 403 } }|tandem.routing.routes[0].carriers|sends no call on|1",
      "{ name = a,\\n carriers = [nowhere] }|tandem.routing.routes[0].carriers|unknown carrier|2"})
  void errorsNameThePathAndTheLine(String route, String path, String fragment, int line) {
    String before = CARRIERS + GROUPS + "tandem.routing.routes = [\n";
    int first = before.split("\n").length + 1;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> policy(before + route.replace("\\n", "\n") + "\n]"));
    assertTrue(e.getMessage().startsWith(path), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertTrue(e.getMessage().endsWith("(at String line " + (first + line - 1) + ")"), e.getMessage());
  }

  @Test
  void aGroupsErrorNamesItsLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> policy(CARRIERS
        + "tandem.routing.groups {\n  uk { carriers = [\n { name = lab, weight = 0 }] }\n}"));
    assertTrue(e.getMessage().startsWith("tandem.routing.groups.uk.carriers[0].weight: must be at least 1"), e.getMessage());
    assertTrue(e.getMessage().endsWith("(at String line 8)"), e.getMessage());
  }

  @Test
  void theShippedExampleParsesAndNormalises() {
    File example = new File("../conf/examples/two-carriers-failover.conf");
    ConfigRoutingPolicy p = ConfigRoutingPolicy.fromConfig(ConfigFactory.parseFile(example)
        .withFallback(ConfigFactory.defaultReference()).resolve());
    RoutingDecision.Route r = assertInstanceOf(RoutingDecision.Route.class,
        p.with(Clock.systemUTC(), () -> 0).route(invite("sip:02079460000@192.0.2.2")));
    assertEquals("+442079460000", r.rewrite().dial());
    assertTrue(r.destinations().size() >= 2, "failover: more than one carrier");
  }
}
