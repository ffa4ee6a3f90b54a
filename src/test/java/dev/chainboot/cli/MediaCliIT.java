package dev.chainboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code chainboot media ...} as a real process: outputs, determinism, and every bad-input class.
 */
class MediaCliIT {

  static final String JAR = System.getProperty("chainboot.jar", "target/chainboot.jar");
  static final String URL = "http://10.0.2.2:8080/boot.ipxe?mac=52-54-00-12-34-56";

  @TempDir Path dir;

  record Run(int exit, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  static Run run(Path cwd, String jar, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                Path.of(jar).toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    // stdout to a file too: it may be binary (media written to "-")
    Path outFile = cwd.resolveSibling(cwd.getFileName() + ".stdout");
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(
            new ProcessBuilder(cmd)
                .directory(cwd.toFile())
                .redirectOutput(outFile.toFile())
                .redirectError(cwd.resolveSibling(cwd.getFileName() + ".stderr").toFile()),
            java.time.Duration.ofSeconds(60));
    byte[] out = Files.readAllBytes(outFile);
    String err = Files.readString(cwd.resolveSibling(cwd.getFileName() + ".stderr"));
    return new Run(o.exit(), out, err);
  }

  Run media(String... args) throws Exception {
    return run(dir, JAR, prepend("media", args));
  }

  private static String[] prepend(String first, String[] rest) {
    String[] a = new String[rest.length + 1];
    a[0] = first;
    System.arraycopy(rest, 0, a, 1, rest.length);
    return a;
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static String sh(String... cmd) throws Exception {
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(java.time.Duration.ofSeconds(60), cmd);
    assertThat(o.exit()).as(String.join(" ", cmd) + ":\n" + o.stdout()).isZero();
    return o.stdout();
  }

  @Test
  void writesEachFormatUnderItsDefaultNameAndTheResultValidates() throws Exception {
    Run iso = media("iso", URL);
    assertThat(iso.exit()).as(iso.stderr()).isZero();
    assertThat(iso.stderr()).contains("wrote chainboot.iso");
    assertThat(
            sh(
                "xorriso",
                "-indev",
                dir.resolve("chainboot.iso").toString(),
                "-report_el_torito",
                "plain"))
        .containsPattern("El Torito boot img :\\s+1\\s+BIOS")
        .containsPattern("El Torito boot img :\\s+2\\s+UEFI");
    assertThat(media("img", URL).exit()).isZero();
    assertThat(sh("sfdisk", "--json", dir.resolve("chainboot.img").toString()))
        .contains("\"type\": \"ef\"");
    assertThat(media("esp", "--arch", "x86_64,arm64", URL).exit()).isZero();
    sh("fsck.fat", "-n", dir.resolve("chainboot.esp").toString());
    assertThat(sh("mdir", "-i", dir.resolve("chainboot.esp").toString(), "::EFI/BOOT"))
        .contains("BOOTX64  EFI")
        .contains("BOOTAA64 EFI")
        .contains("autoexec.ipxe");
    assertThat(files()).containsExactly("chainboot.esp", "chainboot.img", "chainboot.iso");
  }

  @Test
  void outputIsByteIdenticalForTheSameInputsAndStdoutWorks() throws Exception {
    assertThat(media("iso", "-o", "a.iso", "--label", "boot1", URL).exit()).isZero();
    assertThat(media("iso", "-o", "b.iso", "--label", "boot1", URL).exit()).isZero();
    Run stdout = media("iso", "-o", "-", "--label", "boot1", URL);
    assertThat(stdout.exit()).isZero();
    byte[] a = Files.readAllBytes(dir.resolve("a.iso"));
    assertThat(Files.readAllBytes(dir.resolve("b.iso"))).isEqualTo(a);
    assertThat(stdout.stdout()).isEqualTo(a);
    assertThat(sh("isoinfo", "-d", "-i", dir.resolve("a.iso").toString()))
        .contains("Volume id: BOOT1");
    assertThat(media("iso", "-o", "c.iso", "--label", "boot1", URL + "&x=1").exit()).isZero();
    assertThat(Files.readAllBytes(dir.resolve("c.iso"))).isNotEqualTo(a);
  }

  @Test
  void userScriptGoesOntoTheMedia() throws Exception {
    Files.writeString(dir.resolve("my.ipxe"), "#!ipxe\necho my own script\nshell\n");
    Run r = media("esp", "--script", "my.ipxe", "-o", "s.esp");
    assertThat(r.exit()).as(r.stderr()).isZero();
    Path out = dir.resolve("back.ipxe");
    sh("mcopy", "-i", dir.resolve("s.esp").toString(), "::/autoexec.ipxe", out.toString());
    assertThat(Files.readString(out)).isEqualTo("#!ipxe\necho my own script\nshell\n");
  }

  @Test
  void httpsPrintsTheTrustNote() throws Exception {
    Run r = media("esp", "-o", "h.esp", "https://boot.example/boot.ipxe");
    assertThat(r.exit()).isZero();
    assertThat(r.stderr()).contains("certificate authority");
  }

  @Test
  void everyInvalidUrlClassFailsClearlyAndLeavesNoFile() throws Exception {
    String[][] cases = {
      {"http://host/a b", "space (U+0020) at position 14"},
      {"http://host/a\"b", "double quote"},
      {"http://host/a'b", "single quote"},
      {"http://host/a\\b", "backslash"},
      {"http://host/x\nshell", "line feed"},
      {"http://host/x\u0007", "control character"},
      {"http://host/${mac}", "'${'"},
      {"http://host/ü", "%C3%BC"},
      {"gopher://host/x", "scheme 'gopher'"},
      {"host/x", "scheme is missing"},
      {"http:///x", "no host"},
      {"http://host/50%", "%25"},
    };
    for (String[] c : cases) {
      for (String fmt : c == cases[0] ? new String[] {"iso", "img", "esp"} : new String[] {"iso"}) {
        Run r = media(fmt, c[0]);
        assertThat(r.exit()).as(c[0]).isEqualTo(2);
        assertThat(r.stderr()).as(c[0]).contains("error: ").contains(c[1]);
      }
    }
    assertThat(files()).isEmpty();
  }

  @Test
  void otherBadInputFailsAndLeavesAnExistingFileAlone() throws Exception {
    Files.writeString(dir.resolve("keep.iso"), "old");
    Files.writeString(dir.resolve("bad.ipxe"), "echo no magic\n");
    Run noMagic = media("iso", "--script", "bad.ipxe", "-o", "keep.iso");
    assertThat(noMagic.exit()).isEqualTo(2);
    assertThat(noMagic.stderr()).contains("must start with '#!ipxe'");
    Run label = media("iso", "--label", "has space", "-o", "keep.iso", URL);
    assertThat(label.exit()).isEqualTo(2);
    assertThat(label.stderr()).contains("label 'has space' is not valid");
    Run arch = media("iso", "--arch", "mips", "-o", "keep.iso", URL);
    assertThat(arch.exit()).isEqualTo(2);
    assertThat(arch.stderr()).contains("unknown architecture 'mips'");
    Run noScript = media("iso", "--script", "missing.ipxe", "-o", "keep.iso");
    assertThat(noScript.exit()).isEqualTo(2);
    assertThat(noScript.stderr()).contains("cannot read script missing.ipxe");
    assertThat(Files.readString(dir.resolve("keep.iso"))).isEqualTo("old");
    assertThat(files()).containsExactly("bad.ipxe", "keep.iso");
  }

  @Test
  void unwritableOutputFailsWithoutPartialFiles() throws Exception {
    Run noDir = media("iso", "-o", "no/such/dir/x.iso", URL);
    assertThat(noDir.exit()).isEqualTo(1);
    assertThat(noDir.stderr()).contains("cannot write").contains("no/such/dir");
    Files.createDirectory(dir.resolve("adir"));
    Run isDir = media("iso", "-o", "adir", URL);
    assertThat(isDir.exit()).isEqualTo(1);
    assertThat(isDir.stderr()).contains("cannot write adir: is a directory");
    Run proc = media("iso", "-o", "/proc/chainboot.iso", URL);
    assertThat(proc.exit()).isEqualTo(1);
    assertThat(proc.stderr()).contains("cannot write");
    assertThat(files()).containsExactly("adir");
    try (Stream<Path> s = Files.list(dir.resolve("adir"))) {
      assertThat(s.toList()).isEmpty();
    }
  }

  @Test
  void missingFirmwareIsAClearErrorAndNoFile() throws Exception {
    // A copy of the jar as a build without the embedded binaries would be.
    Path bare = dir.resolveSibling(dir.getFileName() + "-nofirmware.jar");
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of(JAR)));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(bare))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        if (e.getName().startsWith("dev/chainboot/firmware/bin/")) {
          continue;
        }
        out.putNextEntry(new ZipEntry(e.getName()));
        in.transferTo(out);
        out.closeEntry();
      }
    }
    for (String fmt : new String[] {"iso", "img", "esp"}) {
      Run r = run(dir, bare.toString(), "media", fmt, URL);
      assertThat(r.exit()).as(r.stderr()).isEqualTo(1);
      assertThat(r.stderr()).contains("is not available").contains("--firmware-dir");
    }
    assertThat(files()).isEmpty();
    // The same build works once the binaries are supplied from a directory.
    Path fw = Files.createDirectory(dir.resolveSibling(dir.getFileName() + "-fw"));
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of(JAR)))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        if (e.getName().startsWith("dev/chainboot/firmware/bin/") && !e.isDirectory()) {
          try (OutputStream o =
              Files.newOutputStream(fw.resolve(Path.of(e.getName()).getFileName()))) {
            in.transferTo(o);
          }
        }
      }
    }
    Run ok = run(dir, bare.toString(), "media", "esp", "--firmware-dir", fw.toString(), URL);
    assertThat(ok.exit()).as(ok.stderr()).isZero();
    assertThat(files()).containsExactly("chainboot.esp");
  }
}
