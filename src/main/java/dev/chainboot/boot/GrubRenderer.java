package dev.chainboot.boot;

import com.samskivert.mustache.MustacheException;
import dev.chainboot.grub.GrubConfig;
import dev.chainboot.grub.GrubSafe;
import dev.chainboot.ipxe.IpxeSafe;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link Profile} into a GRUB configuration for one machine: the last step of the signed
 * chain (shim, then GRUB), for machines with Secure Boot. The same profile and the same template
 * variables as {@link ScriptRenderer}; only the language differs: a kernel profile becomes {@code
 * linux}/{@code initrd} over HTTP and {@code boot}, a local-disk profile (and nothing to boot)
 * leaves GRUB so the firmware tries its next device. iPXE-only profiles (chain, script, menu)
 * cannot be rendered for GRUB: that is an error, said on the console.
 */
public final class GrubRenderer {

  private final ScriptRenderer templates;

  GrubRenderer(ScriptRenderer templates) {
    this.templates = templates;
  }

  /**
   * @param machine the machine it is for, or null when the request carried no identity
   * @param baseUrl this server's base URL, already validated
   * @param why a short reason shown on the console
   * @throws ScriptRenderer.RenderException when the profile cannot be rendered for GRUB
   */
  public String render(
      Profile profile, Machine machine, String baseUrl, String why, FirmwareSettings firmware) {
    Map<String, Object> vars = ScriptRenderer.variables(machine, baseUrl, profile.name());
    try {
      GrubConfig g =
          new GrubConfig()
              .line("# chainboot: GRUB configuration (signed chain)")
              .echo(
                  "chainboot: "
                      + (machine == null ? "this machine" : machine.mac().colon())
                      + " boots profile "
                      + profile.name()
                      + " ("
                      + why
                      + ")");
      switch (profile.kind()) {
        case KERNEL -> {
          String kernel = GrubSafe.file(templates.template(profile.kernel().orElseThrow(), vars));
          String args = GrubSafe.cmdline(templates.template(profile.cmdline().orElse(""), vars));
          List<String> initrds =
              profile.initrds().stream()
                  .map(u -> GrubSafe.file(templates.template(u, vars)))
                  .toList();
          g.line("linux " + kernel + (args.isEmpty() ? "" : " " + args));
          if (!initrds.isEmpty()) {
            g.line("initrd " + String.join(" ", initrds));
          }
          g.line("boot");
          // only reached when something above failed (GRUB goes on after a failed command)
          g.echo("chainboot: could not boot profile " + profile.name());
          return leave(g, firmware, 5).text();
        }
        case LOCAL_DISK -> {
          g.echo("chainboot: booting from the local disk (the firmware's next boot device)");
          return leave(g, firmware, 1).text();
        }
        default ->
            throw new ScriptRenderer.RenderException(
                "profile "
                    + profile.name()
                    + ": a "
                    + profile.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " profile is iPXE's; GRUB (the signed chain) boots kernel and local-disk"
                    + " profiles only",
                null);
      }
    } catch (MustacheException | IpxeSafe.UnsafeValueException | GrubSafe.UnsafeValueException e) {
      throw new ScriptRenderer.RenderException(
          "profile " + profile.name() + ": " + e.getMessage(), e);
    }
  }

  /** The configuration for a machine nothing is configured for: says so and leaves GRUB. */
  public static String nothing(String who, FirmwareSettings firmware) {
    GrubConfig g =
        new GrubConfig()
            .echo(
                "chainboot: nothing to boot for "
                    + who
                    + " (no once, static, group or default assignment)");
    return leave(g, firmware, 3).text();
  }

  /** A configuration that reports an error on the console and leaves GRUB. */
  public static String error(String message) {
    return leave(new GrubConfig().echo("chainboot: error: " + message), FirmwareSettings.NONE, 5)
        .text();
  }

  /**
   * Leaves GRUB (and shim) for the firmware's next boot device, with a failure status unless the
   * machine's {@code efi-exit} says success.
   */
  private static GrubConfig leave(GrubConfig g, FirmwareSettings firmware, int pause) {
    return g.echo("chainboot: exiting to the next boot device")
        .line("sleep " + pause)
        .line("exit " + firmware.efiExitOrDefault().status());
  }
}
