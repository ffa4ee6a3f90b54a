package dev.chainboot.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chainboot.testing.Proc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FatImageWriterTest {

  @TempDir Path tmp;

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private Path write(byte[] img) throws Exception {
    Path p = tmp.resolve("fat" + System.nanoTime() + ".img");
    Files.write(p, img);
    return p;
  }

  @Test
  void smallImageIsFat12AndPassesFsckAndMtoolsReadsFilesBack() throws Exception {
    byte[] efi = random(300_000, 1);
    byte[] script = "#!ipxe\nchain http://10.0.2.2/x\n".getBytes(StandardCharsets.US_ASCII);
    byte[] img =
        new FatImageWriter()
            .label("chainboot")
            .volumeId(0x12345678)
            .add("EFI/BOOT/BOOTX64.EFI", efi)
            .add("EFI/BOOT/autoexec.ipxe", script)
            .add("autoexec.ipxe", script)
            .add("empty.txt", new byte[0])
            .build();
    assertThat(new String(img, 54, 5, StandardCharsets.US_ASCII)).isEqualTo("FAT12");
    Path p = write(img);
    Proc fsck = Proc.run("fsck.fat", "-n", "-v", p.toString()).ok();
    assertThat(fsck.out())
        .doesNotContainIgnoringCase("differ")
        .doesNotContainIgnoringCase("invalid");
    String dir = Proc.run("mdir", "-i", p.toString(), "-/", "::").ok().out();
    assertThat(dir).contains("autoexec.ipxe").contains("BOOTX64  EFI").contains("CHAINBOOT");
    Path out = tmp.resolve("back.efi");
    Proc.run("mcopy", "-i", p.toString(), "::EFI/BOOT/BOOTX64.EFI", out.toString()).ok();
    assertThat(Files.readAllBytes(out)).isEqualTo(efi);
    Path s = tmp.resolve("back.ipxe");
    Proc.run("mcopy", "-i", p.toString(), "::/autoexec.ipxe", s.toString()).ok();
    assertThat(Files.readAllBytes(s)).isEqualTo(script);
    Path s2 = tmp.resolve("back2.ipxe");
    Proc.run("mcopy", "-i", p.toString(), "::/EFI/BOOT/autoexec.ipxe", s2.toString()).ok();
    assertThat(Files.readAllBytes(s2)).isEqualTo(script);
  }

  @Test
  void largeImageIsFat16AndPassesFsck() throws Exception {
    byte[] a = random(1_000_000, 2);
    byte[] b = random(1_100_000, 3);
    FatImageWriter w =
        new FatImageWriter()
            .label("ESP")
            .volumeId(7)
            .add("EFI/BOOT/BOOTX64.EFI", a)
            .add("EFI/BOOT/BOOTAA64.EFI", b);
    for (int i = 0; i < 40; i++) { // enough names to spill a directory over several clusters
      w.add(
          "EFI/many/a-long-file-name-number-" + i + ".txt",
          ("file " + i).getBytes(StandardCharsets.US_ASCII));
    }
    byte[] img = w.build();
    assertThat(new String(img, 54, 5, StandardCharsets.US_ASCII)).isEqualTo("FAT16");
    Path p = write(img);
    Proc.run("fsck.fat", "-n", "-v", p.toString()).ok();
    String dir = Proc.run("mdir", "-i", p.toString(), "-/", "::").ok().out();
    assertThat(dir).contains("a-long-file-name-number-39.txt").contains("BOOTAA64 EFI");
    Path out = tmp.resolve("aa64");
    Proc.run("mcopy", "-i", p.toString(), "::EFI/BOOT/BOOTAA64.EFI", out.toString()).ok();
    assertThat(Files.readAllBytes(out)).isEqualTo(b);
    Path t = tmp.resolve("t39");
    Proc.run("mcopy", "-i", p.toString(), "::EFI/many/a-long-file-name-number-39.txt", t.toString())
        .ok();
    assertThat(Files.readString(t)).isEqualTo("file 39");
  }

  @Test
  void sameInputSameBytes() {
    byte[] x = new FatImageWriter().volumeId(1).add("a/autoexec.ipxe", new byte[] {1}).build();
    byte[] y = new FatImageWriter().volumeId(1).add("a/autoexec.ipxe", new byte[] {1}).build();
    assertThat(x).isEqualTo(y);
  }

  @Test
  void shortNameChecksumAndGeneratedNames() {
    assertThat(FatImageWriter.plainShortName("BOOTX64.EFI")).isEqualTo("BOOTX64 EFI");
    assertThat(FatImageWriter.plainShortName("autoexec.ipxe")).isNull();
    assertThat(FatImageWriter.plainShortName("AUTOEXEC.IPXE")).isNull();
  }

  @Test
  void rejectsBadNamesAndLabels() {
    assertThatThrownBy(() -> new FatImageWriter().add("a/../b", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FatImageWriter().add("a\\b", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FatImageWriter().label("has space"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new FatImageWriter().add("x", new byte[0]).add("X", new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The FAT12/FAT16 boundary (4084 / 4085 clusters) is where FAT type detection goes wrong: readers
   * derive the type from the cluster count, so it must agree with the label, and the FAT must cover
   * every cluster.
   */
  @Test
  void clusterCountBoundaryPicksTheRightFatType() throws Exception {
    java.util.Set<String> types = new java.util.TreeSet<>();
    for (int dataClusters = 4078; dataClusters <= 4090; dataClusters += 3) {
      byte[] data = random(dataClusters * 512, dataClusters);
      byte[] img = new FatImageWriter().volumeId(dataClusters).add("DATA.BIN", data).build();
      java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(img).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      long total =
          (b.getShort(19) & 0xFFFF) != 0 ? b.getShort(19) & 0xFFFF : b.getInt(32) & 0xFFFFFFFFL;
      int firstData =
          (b.getShort(14) & 0xFFFF)
              + 2 * (b.getShort(22) & 0xFFFF)
              + (b.getShort(17) & 0xFFFF) * 32 / 512;
      long clusters = (total - firstData) / (b.get(13) & 0xFF);
      String type = new String(img, 54, 5, StandardCharsets.US_ASCII);
      types.add(type);
      assertThat(type).as("%d clusters", clusters).isEqualTo(clusters < 4085 ? "FAT12" : "FAT16");
      assertThat(img.length % 2048).isZero();
      Path p = write(img);
      Proc.run("fsck.fat", "-n", p.toString()).ok();
      Path out = tmp.resolve("back" + dataClusters);
      Proc.run("mcopy", "-i", p.toString(), "::DATA.BIN", out.toString()).ok();
      assertThat(Files.readAllBytes(out)).isEqualTo(data);
    }
    assertThat(types).containsExactly("FAT12", "FAT16");
  }
}
