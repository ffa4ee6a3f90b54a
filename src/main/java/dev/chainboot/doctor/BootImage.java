package dev.chainboot.doctor;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What a boot file is, from its bytes: a PE/COFF image (and for which machine, and whether it is an
 * EFI application), or a BIOS PXE network bootstrap program such as {@code undionly.kpxe}. Pure;
 * never throws on bad input.
 */
public final class BootImage {

  public static final int MACHINE_I386 = 0x014c;
  public static final int MACHINE_X86_64 = 0x8664;
  public static final int MACHINE_ARM32 = 0x01c2;
  public static final int MACHINE_ARM64 = 0xaa64;

  /** PE optional header subsystem of an EFI application. */
  static final int SUBSYSTEM_EFI_APPLICATION = 10;

  /**
   * The largest BIOS PXE program: PXE loads it at 0x7C00 in base memory, below 640 KiB (and the
   * ROM's own data), so anything near 600 KiB cannot load.
   */
  public static final int MAX_PXE_NBP = 500 * 1024;

  private BootImage() {}

  /**
   * A PE/COFF header: its machine type, subsystem, and the length its section table says the file
   * has (-1 when the section table itself is cut off).
   */
  public record Pe(int machine, int subsystem, long length) {}

  /** The PE/COFF header of {@code b}, or empty when it is not one (or is cut short). */
  public static Optional<Pe> pe(byte[] b) {
    if (b.length < 0x40 || b[0] != 'M' || b[1] != 'Z') {
      return Optional.empty();
    }
    long off = u32(b, 0x3c);
    if (off < 0x40 || off + 24 + 70 > b.length) {
      return Optional.empty();
    }
    int o = (int) off;
    if (b[o] != 'P' || b[o + 1] != 'E' || b[o + 2] != 0 || b[o + 3] != 0) {
      return Optional.empty();
    }
    int machine = u16(b, o + 4);
    int optional = o + 24;
    int magic = u16(b, optional);
    if (magic != 0x10b && magic != 0x20b) {
      return Optional.empty();
    }
    int sections = u16(b, o + 6);
    int table = optional + u16(b, o + 20);
    long length = table;
    if ((long) table + 40L * sections > b.length) {
      length = -1;
    } else {
      for (int i = 0; i < sections; i++) {
        int sec = table + 40 * i;
        length = Math.max(length, u32(b, sec + 20) + u32(b, sec + 16));
      }
    }
    return Optional.of(new Pe(machine, u16(b, optional + 68), length));
  }

  /** A machine type's name: x86_64, arm64, i386, arm32, or the hex code. */
  public static String machineName(int machine) {
    return switch (machine) {
      case MACHINE_X86_64 -> "x86_64";
      case MACHINE_ARM64 -> "arm64";
      case MACHINE_I386 -> "i386";
      case MACHINE_ARM32 -> "arm32";
      default -> String.format("0x%04x", machine);
    };
  }

  /**
   * What is wrong with {@code b} as the boot file of a UEFI client that runs {@code machine}
   * images, or empty when nothing is.
   */
  public static Optional<String> efiProblem(byte[] b, int machine) {
    Optional<Pe> pe = pe(b);
    if (pe.isEmpty()) {
      return Optional.of(
          "not a PE/COFF image ("
              + (b.length == 0 ? "empty" : "starts with " + hexStart(b))
              + "): the firmware refuses to start it");
    }
    if (pe.get().machine() != machine) {
      return Optional.of(
          "a PE/COFF image for "
              + machineName(pe.get().machine())
              + ", but this client runs "
              + machineName(machine)
              + " images: the firmware refuses it");
    }
    if (pe.get().length() < 0 || pe.get().length() > b.length) {
      return Optional.of(
          "a PE/COFF image cut short ("
              + b.length
              + " bytes"
              + (pe.get().length() > 0 ? " of " + pe.get().length() : "")
              + "): the firmware refuses it");
    }
    if (pe.get().subsystem() != SUBSYSTEM_EFI_APPLICATION) {
      return Optional.of(
          "a PE/COFF image of subsystem "
              + pe.get().subsystem()
              + ", not an EFI application (10): the firmware will not start it");
    }
    return Optional.empty();
  }

  /**
   * What is wrong with {@code b} as a BIOS PXE network bootstrap program (undionly.kpxe), or empty
   * when nothing is.
   */
  public static Optional<String> biosProblem(byte[] b) {
    if (b.length == 0) {
      return Optional.of("an empty file: the PXE ROM has nothing to run");
    }
    if (pe(b).isPresent()) {
      return Optional.of(
          "a PE/COFF (EFI) image for "
              + machineName(pe(b).get().machine())
              + ": a BIOS PXE ROM cannot run it (it needs undionly.kpxe)");
    }
    if (b.length >= 4 && b[0] == 0x7f && b[1] == 'E' && b[2] == 'L' && b[3] == 'F') {
      return Optional.of("an ELF file: a BIOS PXE ROM cannot run it (it needs undionly.kpxe)");
    }
    if (b.length > MAX_PXE_NBP) {
      return Optional.of(
          b.length + " bytes: too big for a PXE program in base memory (it needs undionly.kpxe)");
    }
    return Optional.empty();
  }

  /** Whether {@code b} says it is iPXE (its banner string). */
  public static boolean isIpxe(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1).contains("iPXE");
  }

  private static String hexStart(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(4, b.length); i++) {
      s.append(String.format("%02x", b[i] & 0xff));
    }
    return s.toString();
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  private static long u32(byte[] b, int i) {
    return (b[i] & 0xffL)
        | (b[i + 1] & 0xffL) << 8
        | (b[i + 2] & 0xffL) << 16
        | (b[i + 3] & 0xffL) << 24;
  }
}
