package io.tandem.app.routing;

import io.tandem.routing.Destination;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.DoubleSupplier;

/**
 * An entry of {@code tandem.routing.groups}: carriers tried by priority (lowest number first),
 * and within one priority in a weighted random order, so that traffic shares out between
 * equal carriers in proportion to their weights (the SRV selection of RFC 2782, in shape).
 *
 * @param name the group's name
 * @param members its carriers
 */
record CarrierGroup(String name, List<Member> members) {

  /** One carrier of a group: lower priorities are tried first; weight is its share (at least 1). */
  record Member(Destination destination, int priority, int weight) {}

  CarrierGroup {
    members = List.copyOf(members);
  }

  /**
   * The order one call tries the carriers in: by priority, and within a priority each next
   * carrier drawn from those left with probability weight / (their total weight).
   *
   * @param random uniform numbers in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble}
   */
  List<Destination> order(DoubleSupplier random) {
    TreeMap<Integer, List<Member>> byPriority = new TreeMap<>();
    for (Member m : members) {
      byPriority.computeIfAbsent(m.priority(), p -> new ArrayList<>()).add(m);
    }
    List<Destination> order = new ArrayList<>(members.size());
    for (List<Member> tier : byPriority.values()) {
      List<Member> left = new ArrayList<>(tier);
      while (!left.isEmpty()) {
        int total = left.stream().mapToInt(Member::weight).sum();
        double draw = random.getAsDouble() * total;
        int chosen = left.size() - 1;
        for (int i = 0, sum = 0; i < left.size(); i++) {
          sum += left.get(i).weight();
          if (draw < sum) {
            chosen = i;
            break;
          }
        }
        order.add(left.remove(chosen).destination());
      }
    }
    return order;
  }
}
