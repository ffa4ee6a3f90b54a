package dev.chainboot.compat.pixie;

import dev.chainboot.compat.ImportPlan;

/**
 * {@code chainboot import pixie DIR}: each {@code <mac>.ipxe} becomes a machine with that MAC, a
 * script profile {@code pixie-<mac>} and a static assignment.
 */
public final class PixieImport {

  private PixieImport() {}

  public static void apply(PixieLayout layout, ImportPlan plan) {
    layout.skipped().forEach(plan::skip);
    for (PixieLayout.MacScript s : layout.scripts()) {
      String name = "pixie-" + s.mac().hexhyp();
      if (plan.scriptProfile(name, s.content(), s.fileName())) {
        plan.machineBooting(s.mac(), name);
      }
    }
  }
}
