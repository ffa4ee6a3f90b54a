package dev.chainboot.cli;

import dev.chainboot.api.ApiException;
import dev.chainboot.api.MediaOrder;
import dev.chainboot.boot.Arch;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.firmware.MissingFirmwareException;
import dev.chainboot.ipxebuild.BuildException;
import dev.chainboot.ipxebuild.BuildSpec;
import dev.chainboot.ipxebuild.IpxeBuilds;
import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.media.ChainUrl;
import dev.chainboot.media.MediaBuilder;
import dev.chainboot.media.MediaFormat;
import dev.chainboot.media.MediaInputException;
import dev.chainboot.media.MediaScript;
import dev.chainboot.media.MediaSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code chainboot media iso|img|esp URL}: writes boot media whose iPXE chains to URL. */
@Command(
    name = "media",
    mixinStandardHelpOptions = true,
    description =
        "Write boot media (hybrid ISO, USB image, EFI FAT image) whose iPXE chains to a URL, or"
            + " an iPXE binary with the URL built in (lkrn, efi; needs `chainboot ipxe prepare`).",
    subcommands = {
      MediaCommand.Iso.class,
      MediaCommand.Img.class,
      MediaCommand.Esp.class,
      MediaCommand.Lkrn.class,
      MediaCommand.Efi.class
    })
public final class MediaCommand implements Runnable {

  /** Exit code for input that cannot go onto media (URL, script, label, arch). */
  static final int EXIT_BAD_INPUT = 2;

  /** Exit code for a missing boot binary or an output that cannot be written. */
  static final int EXIT_FAILED = 1;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  @Command(
      name = "iso",
      mixinStandardHelpOptions = true,
      description =
          "Hybrid ISO (BIOS + UEFI; CD, BMC virtual media, or USB after dd). Default output ./chainboot.iso.")
  static final class Iso extends Base {
    Iso() {
      super(MediaFormat.ISO);
    }
  }

  @Command(
      name = "img",
      mixinStandardHelpOptions = true,
      description =
          "dd-able USB disk image (BIOS + UEFI; the hybrid MBR/GPT/ISO layout). Default output ./chainboot.img.")
  static final class Img extends Base {
    Img() {
      super(MediaFormat.IMG);
    }
  }

  @Command(
      name = "esp",
      mixinStandardHelpOptions = true,
      description =
          "dd-able FAT image (EFI/BOOT/BOOTX64.EFI + autoexec.ipxe) for UEFI machines. Default output ./chainboot.esp.")
  static final class Esp extends Base {
    Esp() {
      super(MediaFormat.ESP);
    }
  }

  @Command(
      name = "lkrn",
      mixinStandardHelpOptions = true,
      description =
          "ipxe.lkrn with the chain script built in (EMBED=), like boots-from: boots as a Linux"
              + " kernel (GRUB, kexec, qemu -kernel). Default output ./chainboot.lkrn.")
  static final class Lkrn extends BuiltBase {
    @Override
    BuildSpec spec(String script) {
      return BuildSpec.embedding(IpxePlatform.PCBIOS, "ipxe.lkrn", script);
    }

    @Override
    String defaultFileName() {
      return "chainboot.lkrn";
    }
  }

  @Command(
      name = "efi",
      mixinStandardHelpOptions = true,
      description =
          "One self-contained iPXE EFI binary with the chain script built in (EMBED=): for a BMC"
              + " or firmware that boots an EFI file, or a UEFI HTTP boot URL. Default output"
              + " ./chainboot.efi.")
  static final class Efi extends BuiltBase {
    @Option(
        names = "--arch",
        paramLabel = "ARCH",
        defaultValue = "x86_64",
        description = "x86_64, i386, arm64 or arm32 (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(
        names = "--snponly",
        description = "snponly.efi (the firmware's network driver) instead of ipxe.efi.")
    boolean snponly;

    @Override
    BuildSpec spec(String script) {
      IpxePlatform p =
          IpxePlatform.byId(arch.strip().toLowerCase(java.util.Locale.ROOT) + "-efi")
              .filter(x -> x != IpxePlatform.PCBIOS)
              .orElseThrow(
                  () ->
                      new MediaInputException(
                          "--arch must be x86_64, i386, arm64 or arm32, not '"
                              + dev.chainboot.text.Printable.of(arch, 40)
                              + "'"));
      return BuildSpec.embedding(p, snponly ? "snponly.efi" : "ipxe.efi", script);
    }

    @Override
    String defaultFileName() {
      return "chainboot.efi";
    }
  }

  /** An iPXE binary built from a prepared tree with the script inside. */
  abstract static class BuiltBase implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "URL",
        arity = "0..1",
        description =
            "URL iPXE chains to (http, https, tftp, ftp, nfs, iscsi). Required unless --script is"
                + " given.")
    String url;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Output file, '-' for stdout.")
    String output;

    @Option(
        names = "--script",
        paramLabel = "FILE",
        description = "Your own iPXE script (must start with #!ipxe) instead of the chain script.")
    Path script;

    @Option(
        names = "--trust",
        paramLabel = "PEM",
        description =
            "A CA certificate iPXE trusts (TRUST=; repeatable; default: iPXE's own root).")
    java.util.List<Path> trust = new java.util.ArrayList<>();

    @Option(
        names = "--cert",
        paramLabel = "PEM",
        description = "A certificate built into the binary (CERT=; repeatable).")
    java.util.List<Path> cert = new java.util.ArrayList<>();

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Data directory with the prepared iPXE trees (default: ${DEFAULT-VALUE}).")
    Path data = Path.of("chainboot-data");

    @picocli.CommandLine.Mixin TrustCaOption trustCa = new TrustCaOption();

    abstract BuildSpec spec(String script);

    abstract String defaultFileName();

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter err = spec.commandLine().getErr();
      String who = "chainboot " + spec.qualifiedName().replace("chainboot ", "");
      try {
        url = trustCa.takeBackUrl(url);
        String text;
        if (script != null) {
          if (url != null) {
            throw new MediaInputException("give either a URL or --script, not both");
          }
          try {
            text =
                new String(
                    MediaScript.userScript(Files.readAllBytes(script)),
                    java.nio.charset.StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new MediaInputException("cannot read script " + script + ": " + e.getMessage());
          }
        } else {
          ChainUrl chain = ChainUrl.parse(url);
          if (!trustCa.given()) {
            chain.note().ifPresent(err::println);
          }
          // A built binary syncs the clock before an https chain (certificates need the time).
          text =
              dev.chainboot.ipxe.ChainScripts.mediaChain(
                  chain.value(),
                  "",
                  chain.value().startsWith("https://")
                      ? java.util.Optional.of("pool.ntp.org")
                      : java.util.Optional.empty());
        }
        if (trustCa.given() && (!trust.isEmpty() || !cert.isEmpty())) {
          throw new MediaInputException(
              "give --trust-ca or --trust/--cert, not both (--trust-ca already adds the public"
                  + " roots)");
        }
        BuildSpec bs = spec(text).withCertificates(pems(trust), pems(cert));
        if (trustCa.given()) {
          bs = trustCa.apply(bs, data);
        }
        IpxeBuilds.Built built = IpxeBuilds.at(data).build(bs);
        String out = output == null ? defaultFileName() : output;
        if (out.equals("-")) {
          System.out.write(built.bytes());
          System.out.flush();
        } else {
          writeAtomically(Path.of(out), built.bytes());
          err.println(
              who
                  + ": wrote "
                  + out
                  + " ("
                  + built.size()
                  + " bytes, "
                  + (built.cached()
                      ? "from the build cache"
                      : "built in " + built.took().toMillis() + " ms")
                  + ")");
        }
        err.flush();
        return 0;
      } catch (IllegalArgumentException e) {
        err.println(who + ": error: " + e.getMessage());
        err.flush();
        return EXIT_BAD_INPUT;
      } catch (BuildException e) {
        err.println(who + ": error: " + e.getMessage());
        err.flush();
        return e.kind() == BuildException.Kind.BAD_INPUT ? EXIT_BAD_INPUT : EXIT_FAILED;
      } catch (IOException e) {
        err.println(who + ": error: cannot write " + describe(e));
        err.flush();
        return EXIT_FAILED;
      }
    }

    private static java.util.List<String> pems(java.util.List<Path> files) {
      java.util.List<String> out = new java.util.ArrayList<>();
      for (Path f : files) {
        try {
          out.add(Files.readString(f, java.nio.charset.StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
          throw new MediaInputException("cannot read certificate " + f + ": " + e.getMessage());
        }
      }
      return out;
    }
  }

  abstract static class Base implements Callable<Integer> {
    private final MediaFormat format;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(
        index = "0",
        paramLabel = "URL",
        arity = "0..1",
        description =
            "URL iPXE chains to (http, https, tftp, ftp, nfs, iscsi). Required unless --script is given.")
    String url;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FILE",
        description = "Output file, '-' for stdout.")
    String output;

    @Option(
        names = "--arch",
        paramLabel = "ARCHS",
        defaultValue = "x86_64",
        description =
            "x86_64 (BIOS + UEFI), arm64 (UEFI), or x86_64,arm64 (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(
        names = "--script",
        paramLabel = "FILE",
        description = "Your own iPXE script (must start with #!ipxe) instead of the chain script.")
    Path script;

    @Option(
        names = "--label",
        paramLabel = "LABEL",
        defaultValue = MediaSpec.DEFAULT_LABEL,
        description = "Volume label, 1-11 of A-Z 0-9 _ (default: ${DEFAULT-VALUE}).")
    String label;

    @Option(
        names = "--firmware-dir",
        paramLabel = "DIR",
        description =
            "Take iPXE/syslinux binaries from DIR (Debian or Fedora layout) before the embedded ones.")
    Path firmwareDir;

    @picocli.CommandLine.Mixin TrustCaOption trustCa = new TrustCaOption();

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description =
            "Data directory with the prepared iPXE trees and DATA/tls, for --trust-ca (default:"
                + " ${DEFAULT-VALUE}).")
    Path data = Path.of("chainboot-data");

    Base(MediaFormat format) {
      this.format = format;
    }

    /**
     * The iPXE binaries of these media, built to trust the CA ({@code --trust-ca}): Debian's
     * prebuilt ones trust only iPXE's root CA, so this needs a prepared source tree.
     */
    private FirmwareCatalog trustingCa(FirmwareCatalog base, MediaSpec ms)
        throws BuildException, InterruptedException {
      java.util.Map<BootBinary, BuildSpec> wanted = new java.util.EnumMap<>(BootBinary.class);
      if (ms.archs().contains(Arch.X86_64)) {
        if (format != MediaFormat.ESP) {
          wanted.put(BootBinary.IPXE_LKRN, BuildSpec.plain(IpxePlatform.PCBIOS, "ipxe.lkrn"));
        }
        wanted.put(
            BootBinary.IPXE_X86_64_EFI, BuildSpec.plain(IpxePlatform.X86_64_EFI, "ipxe.efi"));
      }
      if (ms.archs().contains(Arch.ARM64)) {
        wanted.put(BootBinary.IPXE_ARM64_EFI, BuildSpec.plain(IpxePlatform.ARM64_EFI, "ipxe.efi"));
      }
      IpxeBuilds builds = IpxeBuilds.at(data);
      java.util.Map<BootBinary, byte[]> built = new java.util.EnumMap<>(BootBinary.class);
      for (var e : wanted.entrySet()) {
        BuildSpec bs = trustCa.apply(e.getValue(), data);
        if (builds.prepared(bs.platform()).isEmpty()) {
          throw new BuildException(
              BuildException.Kind.NOT_PREPARED,
              "--trust-ca needs iPXE built from source: the media's prebuilt iPXE binaries (Debian's)"
                  + " trust only iPXE's own root CA, and "
                  + builds.notPreparedMessage(bs.platform()));
        }
        built.put(e.getKey(), builds.build(bs).bytes());
      }
      return base.withOverrides(built);
    }

    @Override
    public Integer call() throws InterruptedException {
      PrintWriter err = spec.commandLine().getErr();
      String who = "chainboot media " + format.extension();
      try {
        url = trustCa.takeBackUrl(url);
        byte[] scriptBytes;
        if (script != null) {
          if (url != null) {
            throw new MediaInputException("give either a URL or --script, not both");
          }
          try {
            scriptBytes = Files.readAllBytes(script);
          } catch (IOException e) {
            throw new MediaInputException("cannot read script " + script + ": " + e.getMessage());
          }
        } else {
          ChainUrl chain = ChainUrl.parse(url);
          if (!trustCa.given()) {
            chain.note().ifPresent(err::println);
          }
          scriptBytes = MediaScript.chainTo(chain);
        }
        byte[] image;
        java.util.Optional<String> server =
            spec.root().userObject() instanceof Main m ? m.server() : java.util.Optional.empty();
        if (server.isPresent()) {
          if (trustCa.given()) {
            throw new MediaInputException(
                "--trust-ca builds iPXE from this machine's prepared tree (--data); it does not go"
                    + " with --server");
          }
          if (firmwareDir != null) {
            throw new MediaInputException(
                "--firmware-dir is for local builds; with --server the server's binaries are used");
          }
          Main m = (Main) spec.root().userObject();
          MediaOrder order =
              new MediaOrder(
                  format,
                  script == null ? java.util.Optional.of(url) : java.util.Optional.empty(),
                  script == null
                      ? java.util.Optional.empty()
                      : java.util.Optional.of(new String(scriptBytes, StandardCharsets.UTF_8)),
                  arch,
                  label);
          try (RemoteControl remote =
              new RemoteControl(server.get(), m.token, java.util.Optional.ofNullable(m.cacert))) {
            image = remote.media(order);
          } catch (ApiException e) {
            err.println(who + ": error: " + e.getMessage());
            err.flush();
            return e.exitCode();
          }
        } else {
          MediaSpec ms = new MediaSpec(format, MediaSpec.parseArchs(arch), scriptBytes, label);
          FirmwareCatalog fw =
              firmwareDir == null
                  ? FirmwareCatalog.embedded()
                  : FirmwareCatalog.withDirectory(firmwareDir);
          if (trustCa.given()) {
            fw = trustingCa(fw, ms);
            err.println(
                who
                    + ": iPXE built to trust the CA "
                    + trustCa.caFile(data)
                    + trustCa.fingerprint(data).map(f -> " (SHA-256 " + f + ")").orElse("")
                    + " and the public roots");
          }
          image = new MediaBuilder(fw).build(ms);
        }
        String out = output == null ? format.defaultFileName() : output;
        if (out.equals("-")) {
          System.out.write(image);
          System.out.flush();
        } else {
          writeAtomically(Path.of(out), image);
          err.println(who + ": wrote " + out + " (" + image.length + " bytes)");
        }
        err.flush();
        return 0;
      } catch (IllegalArgumentException e) {
        err.println(who + ": error: " + e.getMessage());
        err.flush();
        return EXIT_BAD_INPUT;
      } catch (MissingFirmwareException e) {
        err.println(who + ": error: " + e.getMessage());
        err.flush();
        return EXIT_FAILED;
      } catch (BuildException e) {
        err.println(who + ": error: " + e.getMessage());
        err.flush();
        return e.kind() == BuildException.Kind.BAD_INPUT ? EXIT_BAD_INPUT : EXIT_FAILED;
      } catch (IOException e) {
        err.println(who + ": error: cannot write " + describe(e));
        err.flush();
        return EXIT_FAILED;
      }
    }
  }

  private static String describe(IOException e) {
    if (e instanceof NoSuchFileException n) {
      return n.getFile() + ": no such directory";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** Writes {@code data} to a temporary file beside {@code target}, then renames it over it. */
  static void writeAtomically(Path target, byte[] data) throws IOException {
    Path abs = target.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      throw new IOException(target + ": is a directory");
    }
    Path dir = abs.getParent();
    Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".part");
    try {
      Files.write(tmp, data);
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
