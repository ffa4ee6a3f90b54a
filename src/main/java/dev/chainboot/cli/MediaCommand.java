package dev.chainboot.cli;

import dev.chainboot.api.ApiException;
import dev.chainboot.api.MediaOrder;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.firmware.MissingFirmwareException;
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
        "Write boot media (hybrid ISO, USB image, EFI FAT image) whose iPXE chains to a URL.",
    subcommands = {MediaCommand.Iso.class, MediaCommand.Img.class, MediaCommand.Esp.class})
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

    Base(MediaFormat format) {
      this.format = format;
    }

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      String who = "chainboot media " + format.extension();
      try {
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
          chain.note().ifPresent(err::println);
          scriptBytes = MediaScript.chainTo(chain);
        }
        byte[] image;
        java.util.Optional<String> server =
            spec.root().userObject() instanceof Main m ? m.server() : java.util.Optional.empty();
        if (server.isPresent()) {
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
