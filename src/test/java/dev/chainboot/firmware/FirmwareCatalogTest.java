package dev.chainboot.firmware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirmwareCatalogTest {

  @TempDir Path tmp;

  @Test
  void embeddedBuildHasEveryBinary() {
    FirmwareCatalog c = FirmwareCatalog.embedded();
    assertThat(FirmwareCatalog.missingReason()).isEmpty();
    for (BootBinary b : BootBinary.debian()) {
      assertThat(c.bytes(b)).as(b.fileName()).isPresent();
    }
    // ISOLINUX's boot-info-table magic sits at 0x40; an iPXE EFI binary is a PE file.
    byte[] efi = c.require(BootBinary.IPXE_X86_64_EFI);
    assertThat(new String(efi, 0, 2)).isEqualTo("MZ");
    assertThat(c.require(BootBinary.ISOHDPFX_BIN)).hasSize(432);
  }

  @Test
  void aliasesServeTheSameBytes() {
    FirmwareCatalog c = FirmwareCatalog.embedded();
    assertThat(c.bytes("ipxe.efi")).get().isEqualTo(c.bytes("ipxe-amd64.efi").orElseThrow());
    assertThat(c.bytes("ipxe64.efi")).get().isEqualTo(c.bytes("ipxe-amd64.efi").orElseThrow());
    assertThat(c.bytes("snponly64.efi")).get().isEqualTo(c.bytes("snponly.efi").orElseThrow());
    assertThat(c.bytes("snponly-arm64.efi"))
        .get()
        .isEqualTo(c.bytes("ipxe-arm64.efi").orElseThrow());
    assertThat(c.bytes("no-such.efi")).isEmpty();
    assertThat(c.bytes("snponly.efi").orElseThrow())
        .isNotEqualTo(c.bytes("ipxe.efi").orElseThrow());
  }

  @Test
  void userDirectoryWinsAndFedoraLayoutIsFound() throws Exception {
    Files.createDirectories(tmp.resolve("arm64-efi"));
    Files.writeString(tmp.resolve("ipxe-x86_64.efi"), "fedora x86_64");
    Files.writeString(tmp.resolve("arm64-efi/snponly.efi"), "fedora arm64 snp");
    Files.writeString(tmp.resolve("undionly.kpxe"), "mine");
    FirmwareCatalog c = FirmwareCatalog.withDirectory(tmp);
    assertThat(new String(c.bytes("ipxe.efi").orElseThrow())).isEqualTo("fedora x86_64");
    assertThat(new String(c.bytes("snponly-arm64.efi").orElseThrow()))
        .isEqualTo("fedora arm64 snp");
    assertThat(new String(c.bytes("undionly.kpxe").orElseThrow())).isEqualTo("mine");
    // not in the user's directory: falls back to the embedded copy
    assertThat(c.bytes("ipxe.lkrn").orElseThrow())
        .isEqualTo(FirmwareCatalog.embedded().bytes("ipxe.lkrn").orElseThrow());
  }

  @Test
  void missingDirectoryIsAClearError() {
    assertThatThrownBy(() -> FirmwareCatalog.withDirectory(tmp.resolve("nope")))
        .hasMessageContaining("not a directory");
  }
}
