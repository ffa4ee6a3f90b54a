package dev.chainboot.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Makes an ISO image bootable from a disk (USB stick) too: an isohybrid MBR in sector 0 and a GPT
 * in sectors 1-63 plus a backup at the end, written into the image in place.
 *
 * <p>MBR: bytes 0-431 the isohybrid boot code ({@code isohdpfx.bin}, which loads the BIOS boot file
 * whose 512-byte LBA is at byte 432), disk signature at 440, partition 1 active, type 0x00, over
 * the whole image; partition 2 type 0xEF over the EFI FAT image (UEFI boots it from a stick). GPT:
 * 248 entries at LBA 2; entry 1 Basic Data over the usable area, entry 2 EFI System over the FAT
 * image. Geometry 64 heads x 32 sectors. Disk signature and GUIDs come from {@code seed} (a hash of
 * the content), so the output stays deterministic.
 */
public final class HybridPartitions {

  static final int SECTOR = 512;
  static final int GPT_ENTRIES = 248;
  static final int ENTRY_SIZE = 128;

  /** Sectors the GPT entry array takes (248 x 128 bytes). */
  static final int ENTRY_SECTORS = GPT_ENTRIES * ENTRY_SIZE / SECTOR;

  static final int FIRST_USABLE = 64;
  private static final byte[] BASIC_DATA = guid("EBD0A0A2-B9E5-4433-87C0-68B6B72699C7");
  private static final byte[] EFI_SYSTEM = guid("C12A7328-F81F-11D2-BA4B-00A0C93EC93B");

  private HybridPartitions() {}

  /** Bytes the backup GPT needs at the end of the image. */
  public static long tailBytes() {
    return (long) (ENTRY_SECTORS + 1) * SECTOR;
  }

  /**
   * @param img the whole image, a multiple of 512 bytes, first 32 KiB free
   * @param bootCode the 432-byte (or shorter) isohybrid MBR code, or null for none (UEFI only)
   * @param biosBootLba2k 2048-byte LBA of the BIOS boot file (isolinux.bin); ignored without code
   * @param espLba2k 2048-byte LBA of the EFI FAT image
   * @param espBytes its size
   * @param seed at least 32 bytes (a SHA-256 of the content) for the disk signature and GUIDs
   */
  public static void write(
      byte[] img, byte[] bootCode, int biosBootLba2k, int espLba2k, long espBytes, byte[] seed) {
    if (img.length % SECTOR != 0 || img.length < 1024 * 1024) {
      throw new IllegalArgumentException(
          "image must be a whole number of sectors and at least 1 MiB");
    }
    long total = img.length / SECTOR;
    long espStart = espLba2k * 4L;
    long espSectors = (espBytes + SECTOR - 1) / SECTOR;
    ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
    // ---- MBR ----
    if (bootCode != null) {
      if (bootCode.length > 432) {
        throw new IllegalArgumentException("isohybrid MBR code is longer than 432 bytes");
      }
      b.put(0, bootCode);
      b.putInt(432, biosBootLba2k * 4);
      b.putInt(436, 0);
    }
    b.put(440, seed, 0, 4);
    b.putShort(444, (short) 0);
    mbrEntry(b, 446, true, 0x00, 0, total);
    mbrEntry(b, 462, false, 0xEF, espStart, espSectors);
    b.put(510, (byte) 0x55).put(511, (byte) 0xAA);
    // ---- GPT ----
    long lastUsable = total - 1 - ENTRY_SECTORS - 1;
    byte[] diskGuid = uuidFrom(seed, 4);
    ByteBuffer entries =
        ByteBuffer.allocate(GPT_ENTRIES * ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    gptEntry(entries, 0, BASIC_DATA, uuidFrom(seed, 8), FIRST_USABLE, lastUsable, "chainboot ISO");
    gptEntry(
        entries,
        1,
        EFI_SYSTEM,
        uuidFrom(seed, 12),
        espStart,
        espStart + espSectors - 1,
        "chainboot EFI");
    byte[] entryBytes = entries.array();
    int entriesCrc = crc(entryBytes, 0, entryBytes.length);
    long backupEntriesLba = total - 1 - ENTRY_SECTORS;
    b.put(2 * SECTOR, entryBytes);
    b.put((int) (backupEntriesLba * SECTOR), entryBytes);
    gptHeader(b, 1, total - 1, 2, lastUsable, diskGuid, entriesCrc);
    gptHeader(b, total - 1, 1, backupEntriesLba, lastUsable, diskGuid, entriesCrc);
  }

  private static void mbrEntry(
      ByteBuffer b, int o, boolean active, int type, long start, long sectors) {
    b.put(o, (byte) (active ? 0x80 : 0));
    b.put(o + 1, chs(start));
    b.put(o + 4, (byte) type);
    b.put(o + 5, chs(start + sectors - 1));
    b.putInt(o + 8, (int) start);
    b.putInt(o + 12, (int) sectors);
  }

  static byte[] chs(long lba) {
    long c = lba / (64 * 32);
    if (c > 1023) {
      return new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF};
    }
    int h = (int) ((lba / 32) % 64);
    int s = (int) (lba % 32) + 1;
    return new byte[] {(byte) h, (byte) (s | ((c >> 2) & 0xC0)), (byte) c};
  }

  private static void gptEntry(
      ByteBuffer e, int index, byte[] type, byte[] unique, long first, long last, String name) {
    int o = index * ENTRY_SIZE;
    e.put(o, type);
    e.put(o + 16, unique);
    e.putLong(o + 32, first);
    e.putLong(o + 40, last);
    e.putLong(o + 48, 0);
    byte[] n = name.getBytes(StandardCharsets.UTF_16LE);
    e.put(o + 56, n, 0, Math.min(n.length, 72));
  }

  private static void gptHeader(
      ByteBuffer b,
      long myLba,
      long altLba,
      long entriesLba,
      long lastUsable,
      byte[] diskGuid,
      int entriesCrc) {
    int o = (int) (myLba * SECTOR);
    b.put(o, "EFI PART".getBytes(StandardCharsets.US_ASCII));
    b.putInt(o + 8, 0x00010000);
    b.putInt(o + 12, 92);
    b.putInt(o + 16, 0);
    b.putInt(o + 20, 0);
    b.putLong(o + 24, myLba);
    b.putLong(o + 32, altLba);
    b.putLong(o + 40, FIRST_USABLE);
    b.putLong(o + 48, lastUsable);
    b.put(o + 56, diskGuid);
    b.putLong(o + 72, entriesLba);
    b.putInt(o + 80, GPT_ENTRIES);
    b.putInt(o + 84, ENTRY_SIZE);
    b.putInt(o + 88, entriesCrc);
    b.putInt(o + 16, crc(b.array(), o, 92));
  }

  private static int crc(byte[] a, int off, int len) {
    CRC32 c = new CRC32();
    c.update(a, off, len);
    return (int) c.getValue();
  }

  /** A version-4-shaped GUID (on-disk byte order) derived from {@code seed} and a number. */
  static byte[] uuidFrom(byte[] seed, int off) {
    byte[] g;
    try {
      java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
      md.update(seed);
      md.update((byte) off);
      g = java.util.Arrays.copyOf(md.digest(), 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    g[7] = (byte) ((g[7] & 0x0F) | 0x40);
    g[8] = (byte) ((g[8] & 0x3F) | 0x80);
    return g;
  }

  /** On-disk (mixed-endian) bytes of a textual GUID. */
  static byte[] guid(String text) {
    String h = text.replace("-", "");
    byte[] raw = new byte[16];
    for (int i = 0; i < 16; i++) {
      raw[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
    }
    byte[] g = raw.clone();
    g[0] = raw[3];
    g[1] = raw[2];
    g[2] = raw[1];
    g[3] = raw[0];
    g[4] = raw[5];
    g[5] = raw[4];
    g[6] = raw[7];
    g[7] = raw[6];
    return g;
  }
}
