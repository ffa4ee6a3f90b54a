package dev.chainboot.compat.zeroos;

import dev.chainboot.boot.AssignmentSource;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.fs.SafePath;
import dev.chainboot.ipxe.IpxeScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link ZeroOsRequest} into Zero-OS bootstrap's iPXE script: fetch one EFI-stub kernel
 * from {@code /kernel/<file>} with the command line {@code runmode=.. [farmer_id=..] [extra]} and
 * execute it, retrying the network and the download. The default kernel of a runmode is {@code
 * DATA/kernels/net/<runmode>.efi}, usually a symlink to the current version; the script names the
 * link's target, so the URL changes when the version does.
 */
public final class ZeroOsBoot {

  /** How often the script retries DHCP and the kernel download before it gives up. */
  static final int TRIES = 10;

  private final Map<String, String> runmodes;
  private final Path kernels;

  /**
   * @param runmodes configured runmode key -&gt; pretty name (both already validated)
   * @param kernels DATA/kernels
   */
  public ZeroOsBoot(Map<String, String> runmodes, Path kernels) {
    this.runmodes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(runmodes));
    this.kernels = kernels;
  }

  public Map<String, String> runmodes() {
    return runmodes;
  }

  /**
   * The kernel file for {@code req}, as a path relative to DATA/kernels with '/' separators.
   *
   * @throws ZeroOsRequest.Invalid 404 when there is no such kernel
   */
  public String kernelFile(ZeroOsRequest req) {
    if (req.kernel().isPresent()) {
      String name = req.kernel().get();
      if (SafePath.resolve(kernels, name).filter(Files::isRegularFile).isEmpty()) {
        throw new ZeroOsRequest.Invalid(404, "no kernel '" + name + "' in the kernels directory");
      }
      return name;
    }
    String link = "net/" + req.runmode() + ".efi";
    Optional<Path> real = SafePath.resolve(kernels, link).filter(Files::isRegularFile);
    if (real.isEmpty()) {
      throw new ZeroOsRequest.Invalid(
          404,
          "no kernel for runmode '"
              + req.runmode()
              + "': kernels/"
              + link
              + " is missing or does not lead to a file inside the kernels directory");
    }
    try {
      Path rel = kernels.toRealPath().relativize(real.get());
      String name = rel.toString().replace('\\', '/');
      for (String seg : name.split("/")) {
        if (!ZeroOsRequest.isPlainFileName(seg)) {
          throw new ZeroOsRequest.Invalid(
              404,
              "kernel for runmode '"
                  + req.runmode()
                  + "' has a file name that cannot go into a URL: "
                  + name);
        }
      }
      return name;
    } catch (IOException e) {
      throw new ZeroOsRequest.Invalid(404, "kernels directory unreadable: " + e.getMessage());
    }
  }

  /**
   * The script for {@code req}.
   *
   * @param baseUrl this server's base URL as the client reached it (validated by the caller)
   */
  public String script(ZeroOsRequest req, String baseUrl) {
    String kernelUrl = baseUrl + "/kernel/" + kernelFile(req);
    String pretty = runmodes.getOrDefault(req.runmode(), req.runmode());
    return new IpxeScript()
        .line("echo chainboot: Zero-OS " + pretty + " (runmode " + req.runmode() + ")")
        .line("set zos_try:int32 0")
        .line("isset ${ip} && goto zos_fetch ||")
        .retry(
            "zos_net",
            "dhcp",
            "zos_fetch",
            "zos_try",
            TRIES,
            "zos_failed",
            "chainboot: no network yet, retrying in 5 seconds",
            5)
        .label("zos_fetch")
        .line("set zos_try:int32 0")
        .retry(
            "zos_kernel",
            "imgfetch --name zos-kernel " + kernelUrl + " " + req.kernelCommandLine(),
            "zos_boot",
            "zos_try",
            TRIES,
            "zos_failed",
            "chainboot: kernel download failed, retrying in 5 seconds",
            5)
        .label("zos_boot")
        .line("imgexec zos-kernel ||")
        .label("zos_failed")
        .line("echo chainboot: could not boot Zero-OS, rebooting in 60 seconds")
        .line("sleep 60")
        .line("reboot")
        .text();
  }

  /**
   * What {@code req} names, as the request's static assignment for the boot core: the URL pins the
   * boot, so the script for it is the answer whatever the store says.
   *
   * @throws ZeroOsRequest.Invalid 404 when there is no such kernel
   */
  public AssignmentSource source(ZeroOsRequest req, String baseUrl) {
    byte[] text = script(req, baseUrl).getBytes(StandardCharsets.UTF_8);
    AssignmentSource.Assigned assigned =
        new AssignmentSource.Assigned(text, "zeroos " + req.kernelCommandLine());
    return new AssignmentSource() {
      @Override
      public String name() {
        return "zeroos";
      }

      @Override
      public Optional<Assigned> staticFor(BootRequest request) {
        return Optional.of(assigned);
      }
    };
  }
}
