package dev.chainboot.compat.zeroos;

import dev.chainboot.boot.Profile;
import dev.chainboot.compat.ImportPlan;
import java.util.List;

/**
 * {@code chainboot import zeroos FILE}: each provision row becomes a machine (its MAC) with a
 * static kernel profile {@code zeroos-<mac>} that boots its runmode's kernel ({@code
 * {{base_url}}/kernel/net/<runmode>.efi}, which follows the version symlink) with the command line
 * the seed's {@code /provision/<mac>} script gave it: {@code nomodeset runmode=.. [farmer_id=..]
 * [kargs]}.
 */
public final class ZeroOsImport {

  /** The fixed arguments of the seed's provisioning script ({@code boot-quick.ipxe}). */
  public static final String PROVISION_CMDLINE = "nomodeset runmode={runmode}";

  private ZeroOsImport() {}

  public static void apply(ZeroOsProvisionDb db, ImportPlan plan) {
    db.skipped().forEach(plan::skip);
    for (ZeroOsProvisionDb.Row row : db.rows()) {
      String name = "zeroos-" + row.mac().hexraw();
      Profile p =
          Profile.kernel(
              name,
              "{{base_url}}/kernel/net/" + row.request().runmode() + ".efi",
              List.of(),
              row.request().kernelCommandLine(PROVISION_CMDLINE));
      if (plan.profile(p, "provision row " + row.mac())) {
        plan.machineBooting(row.mac(), name);
      }
    }
  }
}
