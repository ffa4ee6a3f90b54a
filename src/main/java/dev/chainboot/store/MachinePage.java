package dev.chainboot.store;

import dev.chainboot.boot.Machine;
import java.util.List;
import java.util.Optional;

/**
 * One page of the machine list ({@link Store#machinePage}).
 *
 * @param rows the page's machines, by MAC, each with its assignments
 * @param total how many machines match the search, on all pages
 */
public record MachinePage(List<Row> rows, int total) {

  public MachinePage {
    rows = List.copyOf(rows);
  }

  /** A machine and its once and static profiles. */
  public record Row(Machine machine, Optional<String> once, Optional<String> staticProfile) {}

  public List<Machine> machines() {
    return rows.stream().map(Row::machine).toList();
  }
}
