package dev.chainboot.media;

import dev.chainboot.boot.Arch;
import dev.chainboot.firmware.BootBinary;
import dev.chainboot.firmware.FirmwareCatalog;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Assembles boot media from unmodified iPXE and ISOLINUX binaries plus a script, in memory: bytes
 * in, bytes out, deterministic. No external tool, no root, no network.
 *
 * <ul>
 *   <li>{@code esp}: FAT image with {@code EFI/BOOT/BOOTX64.EFI} (x86_64) and/or {@code
 *       EFI/BOOT/BOOTAA64.EFI} (arm64), the script as {@code /autoexec.ipxe} and as {@code
 *       EFI/BOOT/autoexec.ipxe} (UEFI iPXE loads it from its own file system).
 *   <li>{@code iso}/{@code img}: hybrid ISO9660 with El Torito BIOS (ISOLINUX loading {@code
 *       ipxe.lkrn} with the script as initrd; x86_64 only) and UEFI (the esp image) entries,
 *       isohybrid MBR and GPT: boots from CD and from a USB stick, BIOS and UEFI.
 * </ul>
 */
public final class MediaBuilder {

  static final String ISOLINUX_CFG =
      "DEFAULT ipxe\nLABEL ipxe\n KERNEL ipxe.lkrn\n APPEND initrd=autoexec.ipxe\n";
  static final long HYBRID_ALIGNMENT = 1024 * 1024;

  private final FirmwareCatalog firmware;

  public MediaBuilder(FirmwareCatalog firmware) {
    this.firmware = firmware;
  }

  public byte[] build(MediaSpec spec) {
    return switch (spec.format()) {
      case ESP -> esp(spec);
      case ISO, IMG -> hybridIso(spec);
    };
  }

  /** The EFI system partition image. */
  public byte[] esp(MediaSpec spec) {
    byte[] digest = spec.digest();
    FatImageWriter fat =
        new FatImageWriter().label(spec.label()).volumeId(ByteBuffer.wrap(digest).getInt(28));
    if (spec.archs().contains(Arch.X86_64)) {
      fat.add("EFI/BOOT/BOOTX64.EFI", firmware.require(BootBinary.IPXE_X86_64_EFI));
    }
    if (spec.archs().contains(Arch.ARM64)) {
      fat.add("EFI/BOOT/BOOTAA64.EFI", firmware.require(BootBinary.IPXE_ARM64_EFI));
    }
    fat.add("EFI/BOOT/autoexec.ipxe", spec.script());
    fat.add("autoexec.ipxe", spec.script());
    return fat.build();
  }

  private byte[] hybridIso(MediaSpec spec) {
    boolean bios = spec.archs().contains(Arch.X86_64);
    byte[] isohdpfx = bios ? firmware.require(BootBinary.ISOHDPFX_BIN) : null;
    IsoImageWriter iso =
        new IsoImageWriter()
            .volumeId(spec.label())
            .tailReserve(HybridPartitions.tailBytes())
            .alignment(HYBRID_ALIGNMENT);
    if (bios) {
      iso.add("isolinux.bin", firmware.require(BootBinary.ISOLINUX_BIN))
          .add("ldlinux.c32", firmware.require(BootBinary.LDLINUX_C32))
          .add("isolinux.cfg", ISOLINUX_CFG.getBytes(StandardCharsets.US_ASCII))
          .add("ipxe.lkrn", firmware.require(BootBinary.IPXE_LKRN))
          .biosBoot("isolinux.bin");
    }
    iso.add("autoexec.ipxe", spec.script());
    iso.add("esp.img", esp(spec)).efiBoot("esp.img");
    IsoImageWriter.Result r = iso.build();
    HybridPartitions.write(
        r.bytes(),
        isohdpfx,
        bios ? r.lba().get("ISOLINUX.BIN") : 0,
        r.lba().get("ESP.IMG"),
        r.size().get("ESP.IMG"),
        spec.digest());
    return r.bytes();
  }
}
