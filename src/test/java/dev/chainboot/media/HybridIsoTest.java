package dev.chainboot.media;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chainboot.boot.Arch;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import dev.chainboot.testing.Proc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Checks built media with independent tools: xorriso, isoinfo, sfdisk, fdisk, sgdisk, fsck.fat,
 * mtools.
 */
class HybridIsoTest {

  static final String URL = "http://10.0.2.2:8099/boot.ipxe?mac=x&a=b";
  static final FirmwareCatalog FW = FirmwareCatalog.embedded();
  static byte[] iso;
  static Path isoFile;
  @TempDir static Path tmp;

  static MediaSpec spec(MediaFormat f, Set<Arch> archs, String url) {
    return new MediaSpec(f, archs, MediaScript.chainTo(ChainUrl.parse(url)), null);
  }

  @BeforeAll
  static void build() throws Exception {
    iso = new MediaBuilder(FW).build(spec(MediaFormat.ISO, EnumSet.of(Arch.X86_64), URL));
    isoFile = tmp.resolve("x.iso");
    Files.write(isoFile, iso);
  }

  private static String xorrisoReport(Path p) {
    return Proc.run(
            "xorriso",
            "-abort_on",
            "FATAL",
            "-indev",
            p.toString(),
            "-report_el_torito",
            "plain",
            "-report_system_area",
            "plain")
        .ok()
        .out();
  }

  private static String field(String report, String regex) {
    Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(report);
    assertThat(m.find()).as("report line %s in:\n%s", regex, report).isTrue();
    return m.group(1);
  }

  @Test
  void elToritoHasBiosAndUefiEntriesXorrisoAgrees() {
    String r = xorrisoReport(isoFile);
    assertThat(r).contains("Boot record  : El Torito , MBR isohybrid cyl-align-on GPT");
    assertThat(r)
        .containsPattern(
            "El Torito boot img :\\s+1\\s+BIOS\\s+y\\s+none\\s+0x0000\\s+0x00\\s+4\\s+\\d+");
    assertThat(r).containsPattern("El Torito img path :\\s+1\\s+/ISOLINUX.BIN");
    assertThat(r)
        .containsPattern("El Torito img opts :\\s+1\\s+boot-info-table isohybrid-suitable");
    assertThat(r).containsPattern("El Torito boot img :\\s+2\\s+UEFI\\s+y\\s+none");
    assertThat(r).containsPattern("El Torito img path :\\s+2\\s+/ESP.IMG");
    // The UEFI entry's load size covers the whole FAT image.
    long espSize =
        Long.parseLong(
            field(isoinfoListing(), "^\\S+\\s+\\d+\\s+\\d+\\s+\\d+\\s+(\\d+) .*ESP.IMG;1"));
    assertThat(
            field(r, "El Torito boot img :\\s+2\\s+UEFI\\s+y\\s+none\\s+0x0000\\s+0x00\\s+(\\d+)"))
        .isEqualTo(String.valueOf(espSize / 512));
  }

  @Test
  void systemAreaHasIsohybridMbrAndGptXorrisoAgrees() {
    String r = xorrisoReport(isoFile);
    long sectors = iso.length / 512;
    assertThat(iso.length % (1024 * 1024)).isZero();
    assertThat(r).containsPattern("MBR partition      :\\s+1\\s+0x80\\s+0x00\\s+0\\s+" + sectors);
    assertThat(r).containsPattern("MBR partition      :\\s+2\\s+0x00\\s+0xef\\s+\\d+\\s+\\d+");
    assertThat(r).containsPattern("MBR partition path :\\s+2\\s+/ESP.IMG");
    assertThat(r)
        .containsPattern(
            "GPT lba range      :\\s+64\\s+" + (sectors - 64) + "\\s+" + (sectors - 1));
    assertThat(r).containsPattern("GPT type GUID      :\\s+2\\s+28732ac11ff8d211ba4b00a0c93ec93b");
    assertThat(r).containsPattern("GPT partition path :\\s+2\\s+/ESP.IMG");
    // MBR boot code is isohdpfx.bin and points at isolinux.bin (2048-byte LBA x 4).
    byte[] code = FW.require(BootBinary.ISOHDPFX_BIN);
    assertThat(java.util.Arrays.copyOf(iso, code.length)).isEqualTo(code);
    int isolinuxLba =
        Integer.parseInt(
            field(
                r,
                "El Torito boot img :\\s+1\\s+BIOS\\s+y\\s+none\\s+0x0000\\s+0x00\\s+4\\s+(\\d+)"));
    assertThat(ByteBuffer.wrap(iso).order(ByteOrder.LITTLE_ENDIAN).getInt(432))
        .isEqualTo(isolinuxLba * 4);
  }

  @Test
  void sfdiskAndFdiskReadTheMbr() {
    JsonNode t =
        new ObjectMapper()
            .readTree(Proc.run("sfdisk", "--json", isoFile.toString()).ok().out())
            .get("partitiontable");
    assertThat(t.get("label").asString()).isEqualTo("dos");
    JsonNode p1 = t.get("partitions").get(0);
    JsonNode p2 = t.get("partitions").get(1);
    assertThat(p1.get("start").asLong()).isZero();
    assertThat(p1.get("size").asLong()).isEqualTo(iso.length / 512);
    assertThat(p1.get("bootable").asBoolean()).isTrue();
    assertThat(p2.get("type").asString()).isEqualTo("ef");
    String fdisk = Proc.run("fdisk", "-l", isoFile.toString()).ok().out();
    assertThat(fdisk)
        .containsPattern(
            "x.iso2\\s+" + p2.get("start").asLong() + "\\s+\\d+\\s+" + p2.get("size").asLong());
  }

  @Test
  void gptHeadersAndEntriesHaveValidCrcs() {
    // sgdisk checks both headers, both entry arrays and their CRC32s. The only problems it may
    // report are the overlaps that isohybrid layouts have by design (the ISO partition spans
    // the EFI image), exactly as xorriso's own -isohybrid-gpt-basdat output does.
    String v = Proc.run("sgdisk", "-v", isoFile.toString()).out();
    assertThat(v)
        .doesNotContain("CRC")
        .doesNotContain("self-pointer")
        .doesNotContain("too small")
        .doesNotContain("larger than it is");
    assertThat(v).contains("Problem: partitions 2 and 1 overlap");
    // gdisk asks whether to use the MBR or the GPT (both are valid); answer GPT.
    String p = Proc.run("sh", "-c", "printf '2\\n' | gdisk -l " + isoFile).out();
    assertThat(p).contains("Found valid MBR and GPT");
    assertThat(p).containsPattern("\\s2\\s+\\d+\\s+\\d+.*EF00\\s+chainboot EFI");
    assertThat(p)
        .containsPattern("\\s1\\s+64\\s+" + (iso.length / 512 - 64) + ".*0700\\s+chainboot ISO");
  }

  private static String isoinfoListing() {
    return Proc.run("isoinfo", "-l", "-i", isoFile.toString()).ok().out();
  }

  @Test
  void isoTreeHoldsIsolinuxIpxeAndTheScript() throws Exception {
    String l = isoinfoListing();
    for (String n :
        new String[] {
          "ISOLINUX.BIN;1",
          "LDLINUX.C32;1",
          "ISOLINUX.CFG;1",
          "IPXE.LKRN;1",
          "AUTOEXEC.IPXE;1",
          "ESP.IMG;1",
          "BOOT.CAT;1"
        }) {
      assertThat(l).contains(n);
    }
    assertThat(extract("/ISOLINUX.CFG"))
        .asString(StandardCharsets.US_ASCII)
        .isEqualTo("DEFAULT ipxe\nLABEL ipxe\n KERNEL ipxe.lkrn\n APPEND initrd=autoexec.ipxe\n");
    assertThat(extract("/AUTOEXEC.IPXE"))
        .asString(StandardCharsets.US_ASCII)
        .startsWith("#!ipxe\n")
        .contains("\nchain " + URL + " ||\n")
        .endsWith("shell\n");
    assertThat(extract("/IPXE.LKRN")).isEqualTo(FW.require(BootBinary.IPXE_LKRN));
    assertThat(extract("/LDLINUX.C32")).isEqualTo(FW.require(BootBinary.LDLINUX_C32));
  }

  @Test
  void isolinuxBinCarriesACorrectBootInfoTable() throws Exception {
    byte[] original = FW.require(BootBinary.ISOLINUX_BIN);
    byte[] onIso = extract("/ISOLINUX.BIN");
    ByteBuffer b = ByteBuffer.wrap(onIso).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(b.getInt(8)).isEqualTo(16);
    String r = xorrisoReport(isoFile);
    int lba =
        Integer.parseInt(
            field(
                r,
                "El Torito boot img :\\s+1\\s+BIOS\\s+y\\s+none\\s+0x0000\\s+0x00\\s+4\\s+(\\d+)"));
    assertThat(b.getInt(12)).isEqualTo(lba);
    assertThat(b.getInt(16)).isEqualTo(original.length);
    int sum = 0;
    for (int i = 64; i < onIso.length; i += 4) {
      sum += b.getInt(i);
    }
    assertThat(b.getInt(20)).isEqualTo(sum);
    // Outside the table the file is unchanged.
    assertThat(java.util.Arrays.copyOfRange(onIso, 64, onIso.length))
        .isEqualTo(java.util.Arrays.copyOfRange(original, 64, original.length));
  }

  @Test
  void espInsideTheIsoIsAValidFatWithBootx64AndTheScript() throws Exception {
    Path esp = tmp.resolve("esp.img");
    Files.write(esp, extract("/ESP.IMG"));
    checkEsp(esp, true, false);
  }

  static void checkEsp(Path esp, boolean x64, boolean aa64) throws Exception {
    Proc.run("fsck.fat", "-n", esp.toString()).ok();
    String dir = Proc.run("mdir", "-i", esp.toString(), "-/", "::").ok().out();
    assertThat(dir.contains("BOOTX64  EFI")).isEqualTo(x64);
    assertThat(dir.contains("BOOTAA64 EFI")).isEqualTo(aa64);
    Path s1 = esp.resolveSibling(esp.getFileName() + ".root.ipxe");
    Path s2 = esp.resolveSibling(esp.getFileName() + ".boot.ipxe");
    Proc.run("mcopy", "-o", "-i", esp.toString(), "::/autoexec.ipxe", s1.toString()).ok();
    Proc.run("mcopy", "-o", "-i", esp.toString(), "::/EFI/BOOT/autoexec.ipxe", s2.toString()).ok();
    assertThat(Files.readString(s1)).startsWith("#!ipxe\n").isEqualTo(Files.readString(s2));
    if (x64) {
      Path e = esp.resolveSibling(esp.getFileName() + ".x64");
      Proc.run("mcopy", "-o", "-i", esp.toString(), "::/EFI/BOOT/BOOTX64.EFI", e.toString()).ok();
      assertThat(Files.readAllBytes(e)).isEqualTo(FW.require(BootBinary.IPXE_X86_64_EFI));
    }
    if (aa64) {
      Path e = esp.resolveSibling(esp.getFileName() + ".aa64");
      Proc.run("mcopy", "-o", "-i", esp.toString(), "::/EFI/BOOT/BOOTAA64.EFI", e.toString()).ok();
      assertThat(Files.readAllBytes(e)).isEqualTo(FW.require(BootBinary.IPXE_ARM64_EFI));
    }
  }

  private static byte[] extract(String isoPath) throws Exception {
    Path out = tmp.resolve("ex" + System.nanoTime());
    Proc.run(
            "xorriso",
            "-osirrox",
            "on",
            "-indev",
            isoFile.toString(),
            "-extract",
            isoPath,
            out.toString())
        .ok();
    return Files.readAllBytes(out);
  }

  @Test
  void espFormatIsADdAbleFatImage() throws Exception {
    byte[] esp =
        new MediaBuilder(FW).build(spec(MediaFormat.ESP, EnumSet.of(Arch.X86_64, Arch.ARM64), URL));
    Path p = tmp.resolve("both.esp");
    Files.write(p, esp);
    checkEsp(p, true, true);
  }

  @Test
  void arm64OnlyIsoHasOnlyAUefiEntryAndNoBiosLoader() throws Exception {
    byte[] a = new MediaBuilder(FW).build(spec(MediaFormat.ISO, EnumSet.of(Arch.ARM64), URL));
    Path p = tmp.resolve("arm.iso");
    Files.write(p, a);
    String r = xorrisoReport(p);
    assertThat(r).containsPattern("El Torito boot img :\\s+1\\s+UEFI\\s+y\\s+none");
    assertThat(r).doesNotContain("BIOS");
    assertThat(Proc.run("isoinfo", "-l", "-i", p.toString()).ok().out())
        .doesNotContain("ISOLINUX.BIN");
    Path esp = tmp.resolve("arm-esp.img");
    Proc.run(
            "xorriso",
            "-osirrox",
            "on",
            "-indev",
            p.toString(),
            "-extract",
            "/ESP.IMG",
            esp.toString())
        .ok();
    checkEsp(esp, false, true);
  }

  @Test
  void sameInputsGiveIdenticalBytesAndAnotherUrlChangesIds() {
    byte[] again = new MediaBuilder(FW).build(spec(MediaFormat.ISO, EnumSet.of(Arch.X86_64), URL));
    assertThat(again).isEqualTo(iso);
    byte[] other =
        new MediaBuilder(FW).build(spec(MediaFormat.ISO, EnumSet.of(Arch.X86_64), URL + "2"));
    assertThat(java.util.Arrays.copyOfRange(other, 440, 444))
        .isNotEqualTo(java.util.Arrays.copyOfRange(iso, 440, 444));
    assertThat(java.util.Arrays.copyOfRange(other, 512 + 56, 512 + 72))
        .isNotEqualTo(java.util.Arrays.copyOfRange(iso, 512 + 56, 512 + 72));
  }

  @Test
  void imgIsTheHybridLayout() {
    byte[] img = new MediaBuilder(FW).build(spec(MediaFormat.IMG, EnumSet.of(Arch.X86_64), URL));
    assertThat(new String(img, 16 * 2048 + 1, 5, StandardCharsets.US_ASCII)).isEqualTo("CD001");
    assertThat(new String(img, 512, 8, StandardCharsets.US_ASCII)).isEqualTo("EFI PART");
    assertThat(img[510]).isEqualTo((byte) 0x55);
  }
}
