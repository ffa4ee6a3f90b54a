package dev.chainboot.cli;

import dev.chainboot.ipxebuild.BuildException;
import dev.chainboot.ipxebuild.BuildSpec;
import dev.chainboot.ipxebuild.IpxeBuilds;
import dev.chainboot.ipxebuild.IpxePlatform;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code chainboot ipxe prepare|status|build}: warm iPXE trees for builds with an embedded script
 * or a trusted CA.
 */
@Command(
    name = "ipxe",
    mixinStandardHelpOptions = true,
    description =
        "iPXE builds from a source tree you supply: prepare warm trees once, then /krn/, /uefi/,"
            + " /snponly/, /krn-generic, /uefi-generic, `media lkrn|efi` and `ipxe build` relink in"
            + " seconds.",
    subcommands = {IpxeCommand.Prepare.class, IpxeCommand.Status.class, IpxeCommand.Build.class})
public final class IpxeCommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** The platforms this host builds without a cross compiler. */
  static Set<IpxePlatform> nativePlatforms() {
    Set<IpxePlatform> s = new java.util.LinkedHashSet<>();
    for (IpxePlatform p : IpxePlatform.values()) {
      if (p.cross().isEmpty()) {
        s.add(p);
      }
    }
    return s;
  }

  @Command(
      name = "prepare",
      mixinStandardHelpOptions = true,
      description =
          "Compile a warm iPXE tree per platform into DATA/ipxe (minutes per platform, once)."
              + " Checks the toolchain first and names the Debian packages that are missing.")
  static final class Prepare implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--source",
        required = true,
        paramLabel = "DIR",
        description =
            "iPXE source tree: an upstream release or git checkout, or `apt-get source ipxe`.")
    Path source;

    @Option(
        names = "--platform",
        paramLabel = "PLATFORM",
        description =
            "pcbios, x86_64-efi, i386-efi, arm64-efi or arm32-efi; repeatable or comma-separated"
                + " (default: the platforms this host builds without a cross compiler).")
    List<String> platforms = new ArrayList<>();

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("chainboot-data");

    @Option(
        names = "--timeout",
        paramLabel = "MINUTES",
        description =
            "Stop a platform's compile after this many minutes (default: ${DEFAULT-VALUE}).")
    int timeoutMinutes = 60;

    @Option(
        names = {"-v", "--verbose"},
        description = "Print make's output.")
    boolean verbose;

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter err = spec.commandLine().getErr();
      Set<IpxePlatform> ps;
      try {
        ps = IpxeBuilds.parsePlatforms(platforms);
      } catch (IllegalArgumentException e) {
        err.println("chainboot ipxe prepare: " + e.getMessage());
        err.flush();
        return 2;
      }
      if (ps.isEmpty()) {
        ps = nativePlatforms();
      }
      IpxeBuilds builds =
          new IpxeBuilds(
              IpxeBuilds.root(data),
              IpxeBuilds.Settings.DEFAULTS.withPrepareTimeout(Duration.ofMinutes(timeoutMinutes)),
              dev.chainboot.ipxebuild.Toolchain.system(),
              System.getProperty("os.arch", ""));
      try {
        Map<IpxePlatform, IpxeBuilds.Prepared> done =
            builds.prepare(
                source,
                ps,
                line -> {
                  if (verbose || !line.startsWith(" ") && line.contains(": ")) {
                    err.println(line);
                    err.flush();
                  }
                });
        err.println(
            "chainboot ipxe prepare: ready: "
                + String.join(", ", done.keySet().stream().map(IpxePlatform::id).toList()));
        err.flush();
        return 0;
      } catch (BuildException e) {
        err.println("chainboot ipxe prepare: " + e.getMessage());
        err.flush();
        return e.kind() == BuildException.Kind.BAD_INPUT ? 2 : 1;
      }
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Which platforms are prepared, from which source, and the cache size.")
  static final class Status implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Data directory (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("chainboot-data");

    @Override
    public Integer call() {
      IpxeBuilds builds = IpxeBuilds.at(data);
      PrintWriter out = spec.commandLine().getOut();
      for (IpxePlatform p : IpxePlatform.values()) {
        out.println(
            p.id()
                + "\t"
                + builds
                    .prepared(p)
                    .map(
                        x ->
                            "iPXE "
                                + x.version()
                                + " ("
                                + x.sourceId()
                                + ") from "
                                + x.source()
                                + ", prepared "
                                + x.preparedAt()
                                + (x.current()
                                    ? ""
                                    : "; prepared with older build settings, run `chainboot"
                                        + " ipxe prepare --platform "
                                        + p.id()
                                        + "` again"))
                    .orElse("not prepared"));
      }
      out.println("cache\t" + builds.cacheBytes() + " bytes");
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "build",
      mixinStandardHelpOptions = true,
      description =
          "Build one iPXE binary from a prepared tree, e.g. one that trusts your private CA"
              + " (--trust-ca): it fetches https from chainboot without DHCP option 175.90 or"
              + " TlsCaCertificate. Without --script it behaves like Debian's binary (DHCP, then"
              + " the boot file or script the DHCP answer names).")
  static final class Build implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin TrustCaOption trustCa = new TrustCaOption();

    @Option(
        names = "--platform",
        paramLabel = "PLATFORM",
        defaultValue = "pcbios",
        description =
            "pcbios, x86_64-efi, i386-efi, arm64-efi or arm32-efi (default: ${DEFAULT-VALUE}).")
    String platform;

    @Option(
        names = "--target",
        paramLabel = "FILE",
        description =
            "ipxe.lkrn (pcbios), ipxe.efi or snponly.efi (EFI platforms); default: ipxe.lkrn or"
                + " ipxe.efi.")
    String target;

    @Option(
        names = "--script",
        paramLabel = "FILE",
        description = "An iPXE script to build in (EMBED=; must start with #!ipxe).")
    Path script;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Output file, '-' for stdout (default: the target's name, e.g. ipxe.lkrn).")
    String output;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description =
            "Data directory with the prepared trees and DATA/tls (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("chainboot-data");

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter err = spec.commandLine().getErr();
      String who = "chainboot ipxe build";
      try {
        IpxePlatform p =
            IpxeBuilds.parsePlatforms(List.of(platform)).stream()
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--platform is empty"));
        String t = target == null ? p.targets().getFirst() : target.strip();
        if (!p.targets().contains(t)) {
          throw new IllegalArgumentException(
              "--target for "
                  + p.id()
                  + " is one of "
                  + String.join(", ", p.targets())
                  + ", not '"
                  + dev.chainboot.text.Printable.of(t, 40)
                  + "'");
        }
        BuildSpec bs = BuildSpec.plain(p, t);
        if (script != null) {
          byte[] text;
          try {
            text =
                dev.chainboot.media.MediaScript.userScript(
                    java.nio.file.Files.readAllBytes(script));
          } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                "cannot read script " + script + ": " + e.getMessage());
          }
          bs = new BuildSpec(p, t, java.util.Optional.of(text), List.of(), List.of());
        }
        if (trustCa.given()) {
          bs = trustCa.apply(bs, data);
        }
        IpxeBuilds.Built built = IpxeBuilds.at(data).build(bs);
        String out = output == null ? t : output;
        if (out.equals("-")) {
          System.out.write(built.bytes());
          System.out.flush();
        } else {
          MediaCommand.writeAtomically(Path.of(out), built.bytes());
          err.println(
              who
                  + ": wrote "
                  + out
                  + " ("
                  + built.bytes().length
                  + " bytes, "
                  + (built.cached()
                      ? "from the build cache"
                      : "built in " + built.took().toMillis() + " ms")
                  + "; "
                  + bs
                  + ")");
          if (trustCa.given()) {
            err.println(
                who
                    + ": it trusts the CA "
                    + trustCa.caFile(data)
                    + " (SHA-256 "
                    + bs.trustFingerprints().getFirst()
                    + ") and the public roots (TRUST= lists "
                    + bs.trust().size()
                    + " certificates); not iPXE's own root CA");
          }
        }
        err.flush();
        return 0;
      } catch (IllegalArgumentException e) {
        err.println(who + ": error: " + e.getMessage());
        err.flush();
        return 2;
      } catch (BuildException e) {
        err.println(who + ": error: " + e.getMessage());
        err.flush();
        return e.kind() == BuildException.Kind.BAD_INPUT ? 2 : 1;
      } catch (java.io.IOException e) {
        err.println(who + ": error: cannot write " + e.getMessage());
        err.flush();
        return 1;
      }
    }
  }
}
