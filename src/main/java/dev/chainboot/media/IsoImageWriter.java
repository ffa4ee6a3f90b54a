package dev.chainboot.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an ISO9660 image (one root directory, ISO level 2 upper-case names with {@code ;1}) with
 * an El Torito boot catalog: an optional BIOS no-emulation entry whose file gets a boot-info table,
 * and an optional UEFI no-emulation entry pointing at a FAT image. The first 32 KiB (system area)
 * are left zero for {@link HybridPartitions}. Pure and deterministic.
 *
 * <p>Layout (2048-byte blocks): 16 primary volume descriptor, 17 El Torito boot record, 18
 * terminator, 19 L path table, 20 M path table, 21 root directory, 22 boot catalog, then the files
 * in the order added.
 */
public final class IsoImageWriter {

  static final int BLOCK = 2048;
  private static final int PVD = 16;
  private static final int ROOT_LBA = 21;
  private static final int CATALOG_LBA = 22;
  private static final String CATALOG_NAME = "BOOT.CAT";

  /** 2024-01-01 00:00:00 UTC for every date in the image. */
  private static final byte[] DIR_DATE = {124, 1, 1, 0, 0, 0, 0};

  private static final String VOL_DATE = "2024010100000000";

  private final Map<String, byte[]> files = new LinkedHashMap<>();
  private String volumeId = "CDROM";
  private String biosBootFile;
  private String efiBootImage;
  private long tailReserve;
  private long alignment = BLOCK;

  /** The placed image: its bytes and where each file starts (in 2048-byte blocks). */
  public record Result(byte[] bytes, Map<String, Integer> lba, Map<String, Integer> size) {}

  public IsoImageWriter volumeId(String id) {
    if (!id.matches("[A-Z0-9_]{1,32}")) {
      throw new IllegalArgumentException(
          "ISO volume id must be 1-32 characters of A-Z 0-9 _: " + id);
    }
    this.volumeId = id;
    return this;
  }

  /** Adds a file to the root directory; the name is stored upper-case with {@code ;1}. */
  public IsoImageWriter add(String name, byte[] content) {
    String n = name.toUpperCase(Locale.ROOT);
    if (!n.matches("[A-Z0-9_]{1,24}(\\.[A-Z0-9_]{0,6})?")
        || n.equals(CATALOG_NAME)
        || files.containsKey(n)) {
      throw new IllegalArgumentException("not a usable ISO9660 file name: " + name);
    }
    files.put(n, content);
    return this;
  }

  /** Makes {@code name} (already added) the BIOS no-emulation boot file, with a boot-info table. */
  public IsoImageWriter biosBoot(String name) {
    this.biosBootFile = name.toUpperCase(Locale.ROOT);
    return this;
  }

  /** Makes {@code name} (already added, a FAT image) the UEFI El Torito boot image. */
  public IsoImageWriter efiBoot(String name) {
    this.efiBootImage = name.toUpperCase(Locale.ROOT);
    return this;
  }

  /** Bytes kept free after the last file (e.g. for a backup GPT). */
  public IsoImageWriter tailReserve(long bytes) {
    this.tailReserve = bytes;
    return this;
  }

  /** The whole image is padded to a multiple of this many bytes (e.g. 1 MiB for isohybrid). */
  public IsoImageWriter alignment(long bytes) {
    this.alignment = bytes;
    return this;
  }

  public Result build() {
    if (biosBootFile == null && efiBootImage == null) {
      throw new IllegalStateException("no El Torito boot entry");
    }
    for (String f : Arrays.asList(biosBootFile, efiBootImage)) {
      if (f != null && !files.containsKey(f)) {
        throw new IllegalStateException("boot file not added: " + f);
      }
    }
    Map<String, Integer> lba = new LinkedHashMap<>();
    Map<String, Integer> size = new LinkedHashMap<>();
    lba.put(CATALOG_NAME, CATALOG_LBA);
    size.put(CATALOG_NAME, BLOCK);
    int next = CATALOG_LBA + 1;
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      lba.put(e.getKey(), next);
      size.put(e.getKey(), e.getValue().length);
      next += Math.max(1, blocks(e.getValue().length));
    }
    long dataEnd = (long) next * BLOCK;
    long total = (dataEnd + tailReserve + alignment - 1) / alignment * alignment;
    int totalBlocks = Math.toIntExact(total / BLOCK);
    ByteBuffer img = ByteBuffer.allocate(Math.toIntExact(total)).order(ByteOrder.LITTLE_ENDIAN);

    List<String> names = new ArrayList<>(lba.keySet());
    names.sort(Comparator.naturalOrder());
    byte[] root = rootDirectory(names, lba, size);
    if (root.length > BLOCK) {
      throw new IllegalStateException("too many files for one root directory block");
    }
    img.put(ROOT_LBA * BLOCK, root);
    writePvd(img, totalBlocks);
    writeBootRecord(img);
    writeTerminator(img);
    writePathTables(img);
    img.put(CATALOG_LBA * BLOCK, catalog(lba, size));
    for (Map.Entry<String, byte[]> e : files.entrySet()) {
      byte[] content = e.getValue();
      if (e.getKey().equals(biosBootFile)) {
        content = withBootInfoTable(content, lba.get(e.getKey()));
      }
      img.put(lba.get(e.getKey()) * BLOCK, content);
    }
    return new Result(img.array(), lba, size);
  }

  private static int blocks(long bytes) {
    return (int) ((bytes + BLOCK - 1) / BLOCK);
  }

  // ---- descriptors ----

  private void writePvd(ByteBuffer img, int totalBlocks) {
    int o = PVD * BLOCK;
    img.put(o, (byte) 1);
    img.put(o + 1, "CD001".getBytes(StandardCharsets.US_ASCII));
    img.put(o + 6, (byte) 1);
    img.put(o + 8, spaces(32));
    img.put(o + 40, padded(volumeId, 32));
    both32(img, o + 80, totalBlocks);
    both16(img, o + 120, 1); // volume set size
    both16(img, o + 124, 1); // volume sequence number
    both16(img, o + 128, BLOCK);
    both32(img, o + 132, 10); // path table size
    img.putInt(o + 140, 19);
    img.order(ByteOrder.BIG_ENDIAN).putInt(o + 148, 20).order(ByteOrder.LITTLE_ENDIAN);
    img.put(o + 156, dirRecord(new byte[] {0}, ROOT_LBA, BLOCK, true));
    img.put(o + 190, spaces(128)); // volume set
    img.put(o + 318, spaces(128)); // publisher
    img.put(o + 446, spaces(128)); // preparer
    img.put(o + 574, padded("CHAINBOOT", 128)); // application
    img.put(o + 702, spaces(37 * 3)); // copyright, abstract, bibliographic file ids
    for (int d = 0; d < 4; d++) {
      int at = o + 813 + d * 17;
      img.put(at, (d == 2 ? "0000000000000000" : VOL_DATE).getBytes(StandardCharsets.US_ASCII));
    }
    img.put(o + 881, (byte) 1);
  }

  private static void writeBootRecord(ByteBuffer img) {
    int o = (PVD + 1) * BLOCK;
    img.put(o, (byte) 0);
    img.put(o + 1, "CD001".getBytes(StandardCharsets.US_ASCII));
    img.put(o + 6, (byte) 1);
    img.put(o + 7, "EL TORITO SPECIFICATION".getBytes(StandardCharsets.US_ASCII));
    img.putInt(o + 71, CATALOG_LBA);
  }

  private static void writeTerminator(ByteBuffer img) {
    int o = (PVD + 2) * BLOCK;
    img.put(o, (byte) 255);
    img.put(o + 1, "CD001".getBytes(StandardCharsets.US_ASCII));
    img.put(o + 6, (byte) 1);
  }

  private static void writePathTables(ByteBuffer img) {
    for (int t = 0; t < 2; t++) {
      int o = (19 + t) * BLOCK;
      img.put(o, (byte) 1);
      if (t == 0) {
        img.putInt(o + 2, ROOT_LBA);
        img.putShort(o + 6, (short) 1);
      } else {
        img.order(ByteOrder.BIG_ENDIAN)
            .putInt(o + 2, ROOT_LBA)
            .putShort(o + 6, (short) 1)
            .order(ByteOrder.LITTLE_ENDIAN);
      }
    }
  }

  private static byte[] rootDirectory(
      List<String> names, Map<String, Integer> lba, Map<String, Integer> size) {
    ByteBuffer d = ByteBuffer.allocate(BLOCK * 2);
    d.put(dirRecord(new byte[] {0}, ROOT_LBA, BLOCK, true));
    d.put(dirRecord(new byte[] {1}, ROOT_LBA, BLOCK, true));
    for (String n : names) {
      d.put(
          dirRecord(
              (n + ";1").getBytes(StandardCharsets.US_ASCII), lba.get(n), size.get(n), false));
    }
    return Arrays.copyOf(d.array(), d.position());
  }

  private static byte[] dirRecord(byte[] name, int extent, long length, boolean dir) {
    int len = 33 + name.length + (name.length % 2 == 0 ? 1 : 0);
    ByteBuffer r = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    r.put(0, (byte) len);
    both32(r, 2, extent);
    both32(r, 10, (int) length);
    r.put(18, DIR_DATE);
    r.put(25, (byte) (dir ? 2 : 0));
    both16(r, 28, 1);
    r.put(32, (byte) name.length);
    r.put(33, name);
    return r.array();
  }

  // ---- El Torito ----

  private byte[] catalog(Map<String, Integer> lba, Map<String, Integer> size) {
    ByteBuffer c = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
    boolean bios = biosBootFile != null;
    // Validation entry
    c.put(0, (byte) 1);
    c.put(1, (byte) (bios ? 0 : 0xEF));
    c.put(30, (byte) 0x55);
    c.put(31, (byte) 0xAA);
    int sum = 0;
    for (int i = 0; i < 32; i += 2) {
      sum += c.getShort(i) & 0xFFFF;
    }
    c.putShort(28, (short) (-sum));
    // Default entry: the BIOS boot file, or the EFI image when there is no BIOS entry.
    if (bios) {
      bootEntry(c, 32, 4, lba.get(biosBootFile));
    } else {
      bootEntry(c, 32, efiSectors(size), lba.get(efiBootImage));
    }
    if (bios && efiBootImage != null) {
      c.put(64, (byte) 0x91); // final section header
      c.put(65, (byte) 0xEF);
      c.putShort(66, (short) 1);
      bootEntry(c, 96, efiSectors(size), lba.get(efiBootImage));
    }
    return c.array();
  }

  private int efiSectors(Map<String, Integer> size) {
    long s = (size.get(efiBootImage) + 511L) / 512;
    return (int) Math.min(s, 0xFFFF);
  }

  private static void bootEntry(ByteBuffer c, int o, int sectors, int lba) {
    c.put(o, (byte) 0x88); // bootable
    c.put(o + 1, (byte) 0); // no emulation
    c.putShort(o + 2, (short) 0); // load segment: default 0x7C0
    c.putShort(o + 6, (short) sectors);
    c.putInt(o + 8, lba);
  }

  /** A copy of an isolinux.bin-style loader with the El Torito boot-info table filled in. */
  static byte[] withBootInfoTable(byte[] file, int fileLba) {
    if (file.length < 64) {
      throw new IllegalArgumentException("boot file too small for a boot-info table");
    }
    byte[] copy = Arrays.copyOf(file, file.length);
    ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(8, PVD);
    b.putInt(12, fileLba);
    b.putInt(16, file.length);
    int sum = 0;
    for (int i = 64; i + 3 < copy.length; i += 4) {
      sum += b.getInt(i);
    }
    int rest = copy.length % 4; // a trailing partial word counts zero-padded
    if (rest != 0) {
      byte[] last = new byte[4];
      System.arraycopy(copy, copy.length - rest, last, 0, rest);
      sum += ByteBuffer.wrap(last).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }
    b.putInt(20, sum);
    return copy;
  }

  // ---- helpers ----

  private static void both16(ByteBuffer b, int o, int v) {
    b.put(o, (byte) v).put(o + 1, (byte) (v >> 8)).put(o + 2, (byte) (v >> 8)).put(o + 3, (byte) v);
  }

  private static void both32(ByteBuffer b, int o, int v) {
    for (int i = 0; i < 4; i++) {
      b.put(o + i, (byte) (v >> (8 * i)));
      b.put(o + 7 - i, (byte) (v >> (8 * i)));
    }
  }

  private static byte[] spaces(int n) {
    byte[] s = new byte[n];
    Arrays.fill(s, (byte) ' ');
    return s;
  }

  private static byte[] padded(String s, int n) {
    byte[] out = spaces(n);
    byte[] src = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(src, 0, out, 0, Math.min(n, src.length));
    return out;
  }
}
