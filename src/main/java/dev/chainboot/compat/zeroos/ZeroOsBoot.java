package dev.chainboot.compat.zeroos;

import dev.chainboot.boot.AssignmentSource;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.fs.SafePath;
import dev.chainboot.ipxe.IpxeSafe;
import dev.chainboot.ipxe.IpxeScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link ZeroOsRequest} into Zero-OS bootstrap's iPXE script: fetch one EFI-stub kernel
 * from {@code /kernel/<file>} with the seed's command line ({@code nomodeset version=v3 runmode=..
 * panic=7200 [farmer_id=..] [extra]}, configurable per runmode) and execute it, retrying the
 * network and the download. The kernel URL is https when this server serves https (unless the
 * seed's {@code unsecure} host convention is on and the Host says {@code unsecure}), and then the
 * script syncs the clock with {@code ntp} first, as the seed's did, since certificates need the
 * time. The default kernel of a runmode is {@code DATA/kernels/net/<runmode>.efi}, usually a
 * symlink to the current version; the script names the link's target, so the URL changes when the
 * version does.
 */
public final class ZeroOsBoot {

  /** How often the script retries DHCP and the kernel download before it gives up. */
  static final int TRIES = 10;

  /**
   * The settings of the Zero-OS script (from {@code chainboot.yaml}).
   *
   * @param cmdline the default command line template ({@code {runmode}} replaced), already checked
   * @param runmodeCmdlines per-runmode templates
   * @param unsecureHosts a Host containing {@code unsecure} gets http kernel URLs
   * @param ntp the NTP server synced with before an https download (a checked host name)
   */
  public record Options(
      String cmdline, Map<String, String> runmodeCmdlines, boolean unsecureHosts, String ntp) {
    public static final Options SEED =
        new Options(ZeroOsRequest.SEED_CMDLINE, Map.of(), false, "pool.ntp.org");

    public Options {
      runmodeCmdlines = Map.copyOf(runmodeCmdlines);
    }

    public String cmdlineFor(String runmode) {
      return runmodeCmdlines.getOrDefault(runmode, cmdline);
    }
  }

  private final Map<String, String> runmodes;
  private final Path kernels;
  private final Options options;

  /**
   * @param runmodes configured runmode key -&gt; pretty name (both already validated)
   * @param kernels DATA/kernels
   */
  public ZeroOsBoot(Map<String, String> runmodes, Path kernels) {
    this(runmodes, kernels, Options.SEED);
  }

  public ZeroOsBoot(Map<String, String> runmodes, Path kernels, Options options) {
    this.runmodes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(runmodes));
    this.kernels = kernels;
    this.options = options;
  }

  public Options options() {
    return options;
  }

  /** {@code req}'s kernel command line with its runmode's template. */
  public String kernelCommandLine(ZeroOsRequest req) {
    return req.kernelCommandLine(options.cmdlineFor(req.runmode()));
  }

  /**
   * The base URL kernels are fetched from: {@code httpsBaseUrl} when there is one, unless the
   * {@code unsecure} convention is on and the host the client reached says {@code unsecure};
   * otherwise the request's own base URL.
   *
   * @param baseUrl this server's base URL as the client reached it
   * @param httpsBaseUrl this server's https base URL, when it serves https
   */
  public String kernelBase(String baseUrl, Optional<String> httpsBaseUrl) {
    if (httpsBaseUrl.isEmpty() || baseUrl.startsWith("https://")) {
      return baseUrl;
    }
    String host = baseUrl.substring(baseUrl.indexOf("://") + 3);
    if (options.unsecureHosts() && host.toLowerCase(java.util.Locale.ROOT).contains("unsecure")) {
      return baseUrl;
    }
    return httpsBaseUrl.get();
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

  /** The script for {@code req} with http kernel URLs. */
  public String script(ZeroOsRequest req, String baseUrl) {
    return script(req, baseUrl, Optional.empty());
  }

  /**
   * The script for {@code req}.
   *
   * @param baseUrl this server's base URL as the client reached it (validated by the caller)
   * @param httpsBaseUrl this server's https base URL when it serves https (validated)
   */
  public String script(ZeroOsRequest req, String baseUrl, Optional<String> httpsBaseUrl) {
    String kernelUrl = kernelBase(baseUrl, httpsBaseUrl) + "/kernel/" + kernelFile(req);
    String pretty = runmodes.getOrDefault(req.runmode(), req.runmode());
    IpxeScript s =
        new IpxeScript()
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
            .label("zos_fetch");
    if (kernelUrl.startsWith("https://")) {
      s.line("echo chainboot: synchronizing the clock for https")
          .line("ntp " + IpxeSafe.hostName(options.ntp()) + " ||");
    }
    return s.line("set zos_try:int32 0")
        .retry(
            "zos_kernel",
            "imgfetch --name zos-kernel " + kernelUrl + " " + kernelCommandLine(req),
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
    return source(req, baseUrl, Optional.empty());
  }

  /** Like {@link #source(ZeroOsRequest, String)}, with https kernel URLs when there is a base. */
  public AssignmentSource source(ZeroOsRequest req, String baseUrl, Optional<String> httpsBaseUrl) {
    byte[] text = script(req, baseUrl, httpsBaseUrl).getBytes(StandardCharsets.UTF_8);
    AssignmentSource.Assigned assigned =
        new AssignmentSource.Assigned(text, "zeroos " + kernelCommandLine(req));
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
