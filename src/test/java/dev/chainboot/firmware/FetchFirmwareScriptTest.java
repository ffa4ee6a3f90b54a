package dev.chainboot.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs scripts/fetch-firmware for real: the embedded binaries are byte-identical to the ones in the
 * pinned Debian packages, and a package whose sha256 differs from the manifest is refused.
 */
class FetchFirmwareScriptTest {

  @TempDir Path tmp;

  static final Path ROOT = Path.of(System.getProperty("user.dir"));
  static final Path CACHE = Path.of(System.getProperty("user.home"), ".cache/chainboot/debs");

  record Result(int exit, String output) {}

  Result run(Path manifest, Path out, Path cache, String... env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "bash",
                ROOT.resolve("scripts/fetch-firmware").toString(),
                out.toString(),
                cache.toString())
            .redirectErrorStream(true);
    pb.environment().put("CHAINBOOT_FIRMWARE_MANIFEST", manifest.toString());
    pb.environment().remove("CHAINBOOT_FIRMWARE_REQUIRED");
    for (int i = 0; i + 1 < env.length; i += 2) {
      pb.environment().put(env[i], env[i + 1]);
    }
    dev.chainboot.testing.Processes.Output o =
        dev.chainboot.testing.Processes.run(pb, java.time.Duration.ofSeconds(300));
    return new Result(o.exit(), o.stdout());
  }

  @Test
  void embeddedBinariesAreThoseOfThePinnedPackages() throws Exception {
    Path out = tmp.resolve("out");
    Result r = run(ROOT.resolve("firmware/debian-packages.tsv"), out, CACHE);
    assertThat(r.exit()).as(r.output()).isZero();
    assertThat(out.resolve("MISSING")).doesNotExist();
    for (BootBinary b : BootBinary.debian()) {
      byte[] fresh = Files.readAllBytes(out.resolve(b.fileName()));
      assertThat(FirmwareCatalog.embedded().require(b)).as(b.fileName()).isEqualTo(fresh);
    }
    assertThat(Files.readString(out.resolve("SOURCES"))).contains("ipxe\t1.21.1+git20250501");
  }

  @Test
  void aPackageWithAnotherChecksumIsRefused() throws Exception {
    List<String> lines = Files.readAllLines(ROOT.resolve("firmware/debian-packages.tsv"));
    StringBuilder tampered = new StringBuilder();
    for (String l : lines) {
      if (l.startsWith("isolinux\t")) {
        l = l.substring(0, l.lastIndexOf('\t') + 1) + "0".repeat(64);
      }
      tampered.append(l).append('\n');
    }
    Path manifest = tmp.resolve("manifest.tsv");
    Files.writeString(manifest, tampered);
    Path out = tmp.resolve("out");
    Result warn = run(manifest, out, tmp.resolve("cache"));
    assertThat(warn.exit()).as(warn.output()).isZero();
    assertThat(warn.output()).contains("does not match the pinned");
    assertThat(Files.readString(out.resolve("MISSING"))).contains("isolinux");
    assertThat(out.resolve("isolinux.bin")).doesNotExist();

    Result strict =
        run(
            manifest,
            tmp.resolve("out2"),
            tmp.resolve("cache"),
            "CHAINBOOT_FIRMWARE_REQUIRED",
            "1");
    assertThat(strict.exit()).isNotZero();
    assertThat(strict.output()).contains("ERROR").contains("does not match the pinned");
  }
}
