package dev.chainboot.compat.pxesrv;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.Machine;
import dev.chainboot.compat.ImportPlan;
import java.net.InetAddress;
import java.util.Optional;

/**
 * {@code chainboot import pxesrv DIR}: a pxe_srv root into the store. Every script a rule names
 * becomes a script profile ({@code pxesrv-<path>}); {@code default} becomes the global default,
 * {@code static/<ip>} a static and a pending {@code once/<ip>} a once assignment of the machine the
 * store knows at that IP (pxe_srv knows clients only by IP; chainboot keys machines by MAC, so an
 * IP no machine has booted from yet is reported, not guessed).
 */
public final class PxeSrvImport {

  private PxeSrvImport() {}

  public static void apply(PxeSrvLayout layout, ImportPlan plan) {
    layout.skipped().forEach(plan::skip);
    layout
        .defaultScript()
        .ifPresent(
            s -> {
              String name = ImportPlan.profileName("pxesrv", s.path());
              if (plan.scriptProfile(name, s.content(), s.path())) {
                plan.defaultProfile(name);
              }
            });
    for (PxeSrvLayout.Entry e : layout.statics()) {
      entry(e, Assignment.Kind.STATIC, "static/", plan);
    }
    for (PxeSrvLayout.Entry e : layout.onces()) {
      entry(e, Assignment.Kind.ONCE, "once/", plan);
    }
  }

  private static void entry(
      PxeSrvLayout.Entry e, Assignment.Kind kind, String dir, ImportPlan plan) {
    Optional<Machine> m = machineAt(plan, e.ip());
    if (m.isEmpty()) {
      plan.skip(
          dir
              + e.ip()
              + ": no machine known at "
              + e.ip()
              + " (let it boot once through"
              + " chainboot, or 'chainboot machine add MAC --ip "
              + e.ip()
              + "', then import again)");
      return;
    }
    String name = ImportPlan.profileName("pxesrv", e.script().path());
    if (plan.scriptProfile(name, e.script().content(), e.script().path())) {
      plan.assign(m.get().mac(), kind, name);
    }
  }

  private static Optional<Machine> machineAt(ImportPlan plan, String ip) {
    Optional<Machine> m = plan.store().machineByIp(ip);
    if (m.isEmpty() && ip.indexOf(':') >= 0) {
      try {
        m = plan.store().machineByIp(InetAddress.getByName(ip).getHostAddress());
      } catch (java.io.IOException e) {
        // a literal; cannot happen
      }
    }
    return m;
  }
}
