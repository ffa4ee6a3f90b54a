package dev.chainboot.compat;

import java.util.ArrayList;
import java.util.List;

/**
 * What an import did (or, in a dry run, would do), and what it skipped and why.
 *
 * @param dryRun whether nothing was written
 * @param done one line per change
 * @param skipped one line per entry left out, with why
 */
public record ImportReport(boolean dryRun, List<String> done, List<String> skipped) {

  public ImportReport {
    done = List.copyOf(done);
    skipped = List.copyOf(skipped);
  }

  /** The lines {@code chainboot import} prints: changes, skips, then a count. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    String prefix = dryRun ? "would " : "";
    done.forEach(d -> out.add(prefix + d));
    skipped.forEach(s -> out.add("skipped " + s));
    out.add(
        (dryRun ? "dry run: " : "")
            + done.size()
            + " change"
            + (done.size() == 1 ? "" : "s")
            + ", "
            + skipped.size()
            + " skipped");
    return out;
  }
}
