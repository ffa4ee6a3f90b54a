package dev.chainboot.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The PE/COFF and PXE checks on the real embedded iPXE binaries, and on broken bytes. */
class BootImageTest {

  static byte[] embedded(String name) throws Exception {
    try (InputStream in =
        BootImageTest.class.getResourceAsStream("/dev/chainboot/firmware/bin/" + name)) {
      assertThat(in).as(name + " is embedded (scripts/fetch-firmware)").isNotNull();
      return in.readAllBytes();
    }
  }

  @Test
  void realBinariesHaveTheirMachineTypes() throws Exception {
    byte[] x64 = embedded("snponly.efi");
    byte[] arm64 = embedded("ipxe-arm64.efi");
    assertThat(BootImage.pe(x64).orElseThrow().machine()).isEqualTo(BootImage.MACHINE_X86_64);
    assertThat(BootImage.pe(x64).orElseThrow().subsystem()).isEqualTo(10);
    assertThat(BootImage.pe(x64).orElseThrow().length()).isEqualTo(x64.length);
    assertThat(BootImage.pe(arm64).orElseThrow().machine()).isEqualTo(BootImage.MACHINE_ARM64);
    assertThat(BootImage.efiProblem(x64, BootImage.MACHINE_X86_64)).isEmpty();
    assertThat(BootImage.efiProblem(arm64, BootImage.MACHINE_ARM64)).isEmpty();
    assertThat(BootImage.isIpxe(x64)).isTrue();
  }

  @Test
  void theWrongArchitectureIsNamed() throws Exception {
    byte[] x64 = embedded("snponly.efi");
    assertThat(BootImage.efiProblem(x64, BootImage.MACHINE_ARM64))
        .hasValueSatisfying(
            p -> assertThat(p).contains("for x86_64, but this client runs arm64 images"));
    assertThat(BootImage.biosProblem(x64))
        .hasValueSatisfying(p -> assertThat(p).contains("PE/COFF (EFI) image for x86_64"));
  }

  @Test
  void undionlyIsABiosProgramAndNotAnEfiImage() throws Exception {
    byte[] kpxe = embedded("undionly.kpxe");
    assertThat(BootImage.biosProblem(kpxe)).isEmpty();
    assertThat(BootImage.pe(kpxe)).isEmpty();
    assertThat(BootImage.efiProblem(kpxe, BootImage.MACHINE_X86_64))
        .hasValueSatisfying(p -> assertThat(p).startsWith("not a PE/COFF image"));
  }

  @Test
  void aPeImageThatIsNotAnEfiApplicationIsRefused() throws Exception {
    byte[] x64 = embedded("snponly.efi").clone();
    int pe = (x64[0x3c] & 0xff) | (x64[0x3d] & 0xff) << 8;
    x64[pe + 24 + 68] = 3; // Windows console
    assertThat(BootImage.efiProblem(x64, BootImage.MACHINE_X86_64))
        .hasValueSatisfying(p -> assertThat(p).contains("subsystem 3"));
  }

  @Test
  void brokenBytesNeverThrow() throws Exception {
    byte[] x64 = embedded("snponly.efi");
    Random r = new Random(7);
    for (int len : new int[] {0, 1, 2, 0x3f, 0x40, 0x80, 200, 400, 4096, x64.length - 1}) {
      byte[] cut = Arrays.copyOf(x64, Math.min(len, x64.length));
      assertThat(BootImage.efiProblem(cut, BootImage.MACHINE_X86_64)).as("len " + len).isPresent();
      BootImage.biosProblem(cut);
    }
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[r.nextInt(600)];
      r.nextBytes(junk);
      if (junk.length > 2) {
        junk[0] = 'M';
        junk[1] = 'Z';
      }
      BootImage.pe(junk);
      BootImage.efiProblem(junk, BootImage.MACHINE_ARM64);
    }
    byte[] hugeOffset = Arrays.copyOf(x64, 0x80);
    hugeOffset[0x3c] = (byte) 0xff;
    hugeOffset[0x3f] = (byte) 0x7f;
    assertThat(BootImage.pe(hugeOffset)).isEmpty();
    assertThat(BootImage.biosProblem(new byte[0])).isPresent();
    assertThat(BootImage.biosProblem(new byte[BootImage.MAX_PXE_NBP + 1])).isPresent();
  }
}
