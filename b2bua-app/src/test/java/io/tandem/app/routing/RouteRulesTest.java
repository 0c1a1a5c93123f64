package io.tandem.app.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.tandem.routing.Destination;
import io.tandem.routing.LegBRewrite;
import io.tandem.transport.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The pure parts of a route: its match block, captures, actions, time windows, carrier groups. */
class RouteRulesTest {
  /** Monday 2 March 2026, 12:00 UTC (12:00 in London, GMT). */
  private static final Instant MONDAY_NOON = Instant.parse("2026-03-02T12:00:00Z");

  private static CallFacts facts(String user, String host, String from, String to, String source,
      Map<String, List<String>> headers) {
    try {
      return new CallFacts(user, host, from, to, source == null ? null : InetAddress.getByName(source),
          name -> headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
              .findFirst().map(Map.Entry::getValue).orElse(List.of()));
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static final CallFacts CALL = facts("00441234", "tandem.example", "alice", "bob", "192.0.2.10",
      Map.of("X-Tenant", List.of("acme"), "Privacy", List.of("none")));

  private static RouteMatch match(String hocon) {
    return RouteBlocks.match(ConfigFactory.parseString(hocon), "m");
  }

  static Stream<Arguments> matchTable() {
    return Stream.of(
        Arguments.of("", true),
        Arguments.of("user-regex = \"^00(44[0-9]+)$\"", true),
        Arguments.of("user-regex = \"44[0-9]+\"", false), // the whole user, not a part of it
        Arguments.of("host-regex = \"tandem\\\\.example\"", true),
        Arguments.of("host-regex = \"other\\\\.example\"", false),
        Arguments.of("from-user-regex = \"ali.*\"", true),
        Arguments.of("from-user-regex = \"bob\"", false),
        Arguments.of("to-user-regex = \"bob\"", true),
        Arguments.of("source-cidr = [\"198.51.100.0/24\", \"192.0.2.0/24\"]", true),
        Arguments.of("source-cidr = [\"198.51.100.0/24\"]", false),
        Arguments.of("source-cidr = [\"2001:db8::/32\"]", false),
        Arguments.of("header { \"X-Tenant\" = \"acme|globex\" }", true),
        Arguments.of("header { \"x-tenant\" = \"globex\" }", false),
        Arguments.of("header { \"X-Absent\" = \".*\" }", false),
        Arguments.of("user-regex = \"^00.*\", from-user-regex = alice, source-cidr = [\"192.0.2.10\"]", true),
        Arguments.of("user-regex = \"^00.*\", from-user-regex = carol", false), // ANDed
        Arguments.of("time { days = [mon, tue], from = \"08:00\", to = \"18:00\", zone = \"Europe/London\" }", true),
        Arguments.of("time { days = [sat, sun] }", false),
        Arguments.of("time { from = \"13:00\", to = \"18:00\", zone = UTC }", false));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @MethodSource("matchTable")
  void everyConditionOfAMatchBlockMustHold(String hocon, boolean matches) {
    assertEquals(matches, match(hocon).captures(CALL, MONDAY_NOON) != null);
  }

  @Test
  void userRegexGroupsAreCapturedByNumberAndName() {
    Map<String, String> c = match("user-regex = \"^00(?<cc>44)([0-9]+)(x)?$\"").captures(CALL, MONDAY_NOON);
    assertEquals("00441234", c.get("0"));
    assertEquals("44", c.get("1"));
    assertEquals("44", c.get("cc"));
    assertEquals("1234", c.get("2"));
    assertEquals("", c.get("3"), "a group that took no part is empty");
    assertEquals("alice", c.get("from"));
    assertEquals("tandem.example", c.get("host"));
  }

  @ParameterizedTest(name = "[{index}] {0} {1}-{2} at {3} -> {4}")
  @CsvSource({
      "'mon,tue,wed,thu,fri', 08:00, 18:00, 2026-03-02T07:59:59Z, false",
      "'mon,tue,wed,thu,fri', 08:00, 18:00, 2026-03-02T08:00:00Z, true",
      "'mon,tue,wed,thu,fri', 08:00, 18:00, 2026-03-02T18:00:00Z, false",
      // British summer time: 08:30 in London is 07:30 UTC
      "'mon,tue,wed,thu,fri', 08:00, 18:00, 2026-07-06T07:30:00Z, true",
      "'mon,tue,wed,thu,fri', 08:00, 18:00, 2026-03-07T12:00:00Z, false",
      // through midnight: Friday night's window takes Saturday 01:00, not Monday's 01:00
      "fri, 22:00, 06:00, 2026-03-07T01:00:00Z, true",
      "fri, 22:00, 06:00, 2026-03-06T23:00:00Z, true",
      "fri, 22:00, 06:00, 2026-03-02T01:00:00Z, false",
      "'', 00:00, 00:00, 2026-03-02T03:00:00Z, true"})
  void timeWindowsFollowTheZoneAndRunThroughMidnight(String days, String from, String to, String at, boolean open) {
    String list = days.isEmpty() ? "" : "days = [" + days + "], ";
    TimeWindow w = match("time { " + list + "from = \"" + from + "\", to = \"" + to + "\", zone = \"Europe/London\" }").time();
    assertEquals(open, w.contains(Instant.parse(at)));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "+${1}${2}|+441234",
      "${cc}0${2}|4401234",
      "<sip:${from}@tandem.example>|<sip:alice@tandem.example>",
      "${user}|00441234",
      "plain|plain"})
  void templatesFillInTheCaptures(String template, String expanded) {
    Map<String, String> c = match("user-regex = \"^00(?<cc>44)([0-9]+)$\"").captures(CALL, MONDAY_NOON);
    assertEquals(expanded, Template.parse(template, 2, Set.of("cc")).expand(c));
  }

  @Test
  void actionsBecomeTheLegBRewriteOfOneCall() {
    RouteActions actions = RouteBlocks.actions(ConfigFactory.parseString(
        "dial = \"+${1}\", from-user = \"+44${to}\", from-display = \"UK ${1}\","
            + " p-asserted-identity = \"<sip:${from}@x.example>\","
            + " headers { remove = [\"X-Internal\"], add { \"X-Route\" = \"uk\", \"X-Dialled\" = \"${0}\" } }"),
        "r", 1, Set.of());
    Map<String, String> c = match("user-regex = \"^00(44[0-9]+)$\"").captures(CALL, MONDAY_NOON);
    assertEquals(new LegBRewrite("+441234", "+44bob", "UK 441234", "<sip:alice@x.example>", List.of("X-Internal"),
        List.of(new LegBRewrite.Header("X-Route", "uk"), new LegBRewrite.Header("X-Dialled", "00441234"))),
        actions.apply(c));
    assertEquals(LegBRewrite.NONE, RouteActions.NONE.apply(c));
  }

  private static Destination carrier(String name) {
    return new Destination(name, TransportProtocol.UDP, new InetSocketAddress("192.0.2.1", 5060));
  }

  private static DoubleSupplier draws(Double... values) {
    Iterator<Double> it = Arrays.asList(values).iterator();
    return it::next;
  }

  static Stream<Arguments> groupTable() {
    List<CarrierGroup.Member> members = List.of(new CarrierGroup.Member(carrier("a"), 1, 70),
        new CarrierGroup.Member(carrier("b"), 1, 30), new CarrierGroup.Member(carrier("c"), 2, 1));
    return Stream.of(
        // a is drawn for [0, 0.7) of the first draw, b for [0.7, 1); the last of a tier is drawn alone
        Arguments.of(members, draws(0.0, 0.0, 0.0), List.of("a", "b", "c")),
        Arguments.of(members, draws(0.69, 0.99, 0.5), List.of("a", "b", "c")),
        Arguments.of(members, draws(0.7, 0.0, 0.0), List.of("b", "a", "c")),
        Arguments.of(members, draws(0.99, 0.5, 0.5), List.of("b", "a", "c")),
        // priority first: the lower number always comes first, whatever its weight
        Arguments.of(List.of(new CarrierGroup.Member(carrier("late"), 5, 100), new CarrierGroup.Member(carrier("early"), 0, 1)),
            draws(0.9, 0.9), List.of("early", "late")));
  }

  @ParameterizedTest(name = "[{index}] -> {2}")
  @MethodSource("groupTable")
  void groupsOrderByPriorityThenWeightedDraws(List<CarrierGroup.Member> members, DoubleSupplier random, List<String> order) {
    assertEquals(order, new CarrierGroup("g", members).order(random).stream().map(Destination::carrier).toList());
  }

  @Test
  void weightsShareTheFirstAttemptsInProportion() {
    List<CarrierGroup.Member> members = List.of(new CarrierGroup.Member(carrier("a"), 1, 70),
        new CarrierGroup.Member(carrier("b"), 1, 30));
    CarrierGroup g = new CarrierGroup("g", members);
    int a = 0;
    for (int i = 0; i < 1000; i++) {
      double draw = i / 1000.0; // an even spread of draws over [0, 1)
      if (g.order(() -> draw).get(0).carrier().equals("a")) {
        a++;
      }
    }
    assertEquals(700, a);
  }

  @Test
  void aRouteWithoutMatchBlockCapturesOnlyTheBuiltIns() {
    Map<String, String> c = RouteMatch.ANY.captures(CALL, MONDAY_NOON);
    assertEquals(Map.of("user", "00441234", "host", "tandem.example", "from", "alice", "to", "bob"), c);
    assertNull(match("user-regex = x").captures(facts(null, null, null, null, null, Map.of()), MONDAY_NOON),
        "a Request-URI without a user fails a user regex");
  }
}
