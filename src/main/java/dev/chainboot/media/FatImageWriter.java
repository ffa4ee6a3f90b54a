package dev.chainboot.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes a FAT12 or FAT16 file system image (no partition table, a "superfloppy") holding the files
 * and directories it is given. Pure and deterministic: the same files, label and volume id give the
 * same bytes. Names that are not plain upper-case 8.3 get a VFAT long file name (LFN) entry plus a
 * generated {@code NAME~1.EXT} short name, so {@code autoexec.ipxe} is found by its exact name.
 * FAT12 is used while the data fits in fewer than 4085 clusters, FAT16 otherwise.
 */
public final class FatImageWriter {

  static final int SECTOR = 512;
  private static final int ROOT_ENTRIES = 512;

  /** 2024-01-01 00:00:00, the fixed timestamp of every entry. */
  private static final int FAT_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1;

  private static final int FAT_TIME = 0;

  private final Dir root = new Dir();
  private String label = "NO NAME";
  private int volumeId;

  /** The volume label: up to 11 characters of A-Z, 0-9, '_' and '-' (upper-cased). */
  public FatImageWriter label(String label) {
    String l = label.toUpperCase(Locale.ROOT);
    if (!l.matches("[A-Z0-9_-]{1,11}")) {
      throw new IllegalArgumentException(
          "FAT volume label must be 1-11 characters of A-Z 0-9 _ -: " + label);
    }
    this.label = l;
    return this;
  }

  /** The 32-bit volume serial number (callers derive it from the content for determinism). */
  public FatImageWriter volumeId(int id) {
    this.volumeId = id;
    return this;
  }

  /** Adds a file at {@code path} ('/'-separated, relative); parent directories are created. */
  public FatImageWriter add(String path, byte[] content) {
    String[] parts = path.split("/");
    Dir d = root;
    for (int i = 0; i < parts.length - 1; i++) {
      d = d.subdir(parts[i]);
    }
    String name = checkName(parts[parts.length - 1]);
    if (d.children.containsKey(name.toUpperCase(Locale.ROOT))) {
      throw new IllegalArgumentException("duplicate FAT path: " + path);
    }
    d.children.put(name.toUpperCase(Locale.ROOT), new FileNode(name, content.clone()));
    return this;
  }

  private static String checkName(String name) {
    if (name.isEmpty()
        || name.length() > 255
        || name.equals(".")
        || name.equals("..")
        || !name.matches("[A-Za-z0-9._ ~!#$%&'()@^`{}-]+")
        || name.endsWith(".")
        || name.endsWith(" ")) {
      throw new IllegalArgumentException("not a valid FAT file name: " + name);
    }
    return name;
  }

  // ---- tree ----

  private sealed interface Node permits Dir, FileNode {}

  private static final class Dir implements Node {
    final String name;
    final Map<String, Node> children = new LinkedHashMap<>();
    int cluster; // first cluster (0 for the root)
    int clusters;
    List<byte[]> entries; // 32-byte directory entries, computed in layout

    Dir() {
      this.name = "";
    }

    Dir(String name) {
      this.name = name;
    }

    Dir subdir(String name) {
      checkName(name);
      Node n = children.get(name.toUpperCase(Locale.ROOT));
      if (n instanceof Dir d) {
        return d;
      }
      if (n != null) {
        throw new IllegalArgumentException("a file is in the way of directory " + name);
      }
      Dir d = new Dir(name);
      children.put(name.toUpperCase(Locale.ROOT), d);
      return d;
    }
  }

  private record FileNode(String name, byte[] content) implements Node {
    FileNode {
      checkName(name);
    }
  }

  // ---- geometry ----

  private record Geometry(
      int fatBits, int sectorsPerCluster, int fatSectors, int clusters, long totalSectors) {
    int rootDirSectors() {
      return ROOT_ENTRIES * 32 / SECTOR;
    }

    int firstDataSector() {
      return 1 + 2 * fatSectors + rootDirSectors();
    }

    int clusterBytes() {
      return sectorsPerCluster * SECTOR;
    }
  }

  /**
   * Picks FAT type, cluster size and FAT size. Readers derive the FAT type from the cluster count,
   * which is (total sectors - first data sector) / sectors per cluster, so the image is first
   * rounded up to whole 2048-byte blocks (for El Torito and ISO9660) and the count taken from the
   * result; the FAT then covers every cluster that count implies.
   */
  private static Geometry geometry(java.util.function.IntUnaryOperator clustersNeeded) {
    for (int spc = 1; spc <= 64; spc *= 2) {
      int n = clustersNeeded.applyAsInt(spc * SECTOR);
      int bits = n < 4085 ? 12 : 16;
      for (int guard = 0; guard < 16 && n < 65525; guard++) {
        int fatSectors = fatSectors(bits, n);
        int overhead = 1 + 2 * fatSectors + ROOT_ENTRIES * 32 / SECTOR;
        long total = ((long) overhead + (long) n * spc + 3) / 4 * 4;
        int clusters = (int) ((total - overhead) / spc);
        if (bits == 12 && clusters >= 4085) {
          bits = 16;
          n = Math.max(n, 4085);
        } else if (bits == 16 && clusters < 4085) {
          n = 4085;
        } else if (fatSectors(bits, clusters) > fatSectors || clusters >= 65525) {
          n = clusters;
        } else {
          return new Geometry(bits, spc, fatSectors, clusters, total);
        }
      }
    }
    throw new IllegalArgumentException("too much data for a FAT16 image");
  }

  private static int fatSectors(int bits, int clusters) {
    long bytes = bits == 12 ? (clusters + 2L) * 3 / 2 + 1 : (clusters + 2L) * 2;
    return (int) ((bytes + SECTOR - 1) / SECTOR);
  }

  private static int ceil(long a, int b) {
    return (int) ((a + b - 1) / b);
  }

  // ---- writing ----

  /** The image. */
  public byte[] build() {
    buildEntries(root, null);
    Geometry g = geometry(cb -> countClusters(root, cb, true));
    if (g.fatBits == 16 && g.clusters < 4085 || g.fatBits == 12 && g.clusters >= 4085) {
      throw new IllegalStateException("FAT type does not match cluster count");
    }
    ByteBuffer img =
        ByteBuffer.allocate(Math.toIntExact(g.totalSectors * SECTOR))
            .order(ByteOrder.LITTLE_ENDIAN);
    writeBootSector(img, g);
    int[] fat = new int[g.clusters + 2];
    fat[0] = g.fatBits == 12 ? 0xFF8 : 0xFFF8;
    fat[1] = g.fatBits == 12 ? 0xFFF : 0xFFFF;
    int[] next = {2};
    allocate(root, g, fat, next);
    // Entries carry cluster numbers, so build them again now that clusters are known.
    buildEntries(root, null);
    writeDir(img, g, root);
    writeFiles(img, g, root);
    byte[] fatBytes = encodeFat(fat, g);
    for (int copy = 0; copy < 2; copy++) {
      img.put((1 + copy * g.fatSectors) * SECTOR, fatBytes);
    }
    return img.array();
  }

  private static int countClusters(Dir d, int clusterBytes, boolean isRoot) {
    int n = 0;
    if (!isRoot) {
      n += ceil((long) d.entries.size() * 32, clusterBytes);
    } else if (d.entries.size() > ROOT_ENTRIES) {
      throw new IllegalArgumentException("too many entries in the FAT root directory");
    }
    for (Node c : d.children.values()) {
      if (c instanceof Dir sd) {
        n += countClusters(sd, clusterBytes, false);
      } else if (c instanceof FileNode f) {
        n += ceil(f.content.length, clusterBytes);
      }
    }
    return n;
  }

  private void allocate(Dir d, Geometry g, int[] fat, int[] next) {
    for (Node c : d.children.values()) {
      if (c instanceof Dir sd) {
        sd.clusters = Math.max(1, ceil((long) sd.entries.size() * 32, g.clusterBytes()));
        sd.cluster = chain(fat, next, sd.clusters);
      }
    }
    for (Node c : d.children.values()) {
      if (c instanceof FileNode f) {
        fileClusters.put(f, chain(fat, next, ceil(f.content.length, g.clusterBytes())));
      }
    }
    for (Node c : d.children.values()) {
      if (c instanceof Dir sd) {
        allocate(sd, g, fat, next);
      }
    }
  }

  private final Map<FileNode, Integer> fileClusters = new java.util.IdentityHashMap<>();

  private static int chain(int[] fat, int[] next, int count) {
    if (count == 0) {
      return 0;
    }
    int first = next[0];
    for (int i = 0; i < count; i++) {
      int c = next[0]++;
      fat[c] = i == count - 1 ? 0xFFFF : c + 1;
    }
    return first;
  }

  private static byte[] encodeFat(int[] fat, Geometry g) {
    byte[] out = new byte[g.fatSectors * SECTOR];
    if (g.fatBits == 16) {
      for (int i = 0; i < fat.length; i++) {
        out[2 * i] = (byte) fat[i];
        out[2 * i + 1] = (byte) (fat[i] >> 8);
      }
    } else {
      for (int i = 0; i < fat.length; i++) {
        int v = fat[i] & 0xFFF;
        int off = i * 3 / 2;
        if ((i & 1) == 0) {
          out[off] = (byte) v;
          out[off + 1] = (byte) ((out[off + 1] & 0xF0) | (v >> 8));
        } else {
          out[off] = (byte) ((out[off] & 0x0F) | ((v & 0x0F) << 4));
          out[off + 1] = (byte) (v >> 4);
        }
      }
    }
    return out;
  }

  private void writeBootSector(ByteBuffer b, Geometry g) {
    b.put(0, new byte[] {(byte) 0xEB, 0x3C, (byte) 0x90});
    b.put(3, "CHAINBT ".getBytes(StandardCharsets.US_ASCII));
    b.putShort(11, (short) SECTOR);
    b.put(13, (byte) g.sectorsPerCluster);
    b.putShort(14, (short) 1); // reserved sectors
    b.put(16, (byte) 2); // FATs
    b.putShort(17, (short) ROOT_ENTRIES);
    if (g.totalSectors < 65536) {
      b.putShort(19, (short) g.totalSectors);
    } else {
      b.putInt(32, (int) g.totalSectors);
    }
    b.put(21, (byte) 0xF8);
    b.putShort(22, (short) g.fatSectors);
    b.putShort(24, (short) 32); // sectors per track
    b.putShort(26, (short) 64); // heads
    b.putInt(28, 0); // hidden sectors
    b.put(36, (byte) 0x80);
    b.put(38, (byte) 0x29);
    b.putInt(39, volumeId);
    b.put(43, pad(label, 11));
    b.put(54, pad(g.fatBits == 12 ? "FAT12" : "FAT16", 8));
    // Boot code: "int 18h" (try the next boot device) then halt, in case a BIOS boots this.
    b.put(62, new byte[] {(byte) 0xCD, 0x18, (byte) 0xF4, (byte) 0xEB, (byte) 0xFD});
    b.put(510, (byte) 0x55);
    b.put(511, (byte) 0xAA);
  }

  private static byte[] pad(String s, int n) {
    byte[] out = new byte[n];
    java.util.Arrays.fill(out, (byte) ' ');
    byte[] src = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(src, 0, out, 0, Math.min(n, src.length));
    return out;
  }

  private void writeDir(ByteBuffer img, Geometry g, Dir d) {
    long off = d == root ? (long) (1 + 2 * g.fatSectors) * SECTOR : clusterOffset(g, d.cluster);
    for (byte[] e : d.entries) {
      img.put((int) off, e);
      off += 32;
    }
    for (Node c : d.children.values()) {
      if (c instanceof Dir sd) {
        writeDir(img, g, sd);
      }
    }
  }

  private void writeFiles(ByteBuffer img, Geometry g, Dir d) {
    for (Node c : d.children.values()) {
      if (c instanceof FileNode f && f.content.length > 0) {
        img.put((int) clusterOffset(g, fileClusters.get(f)), f.content);
      } else if (c instanceof Dir sd) {
        writeFiles(img, g, sd);
      }
    }
  }

  private static long clusterOffset(Geometry g, int cluster) {
    return ((long) g.firstDataSector() + (long) (cluster - 2) * g.sectorsPerCluster) * SECTOR;
  }

  // ---- directory entries ----

  private void buildEntries(Dir d, Dir parent) {
    List<byte[]> out = new ArrayList<>();
    if (d == root) {
      out.add(entry(pad(label, 11), 0x08, 0, 0));
    } else {
      out.add(entry(pad(".", 11), 0x10, d.cluster, 0));
      out.add(entry(pad("..", 11), 0x10, parent == root ? 0 : parent.cluster, 0));
    }
    Set<String> used = new HashSet<>();
    for (Node c : d.children.values()) {
      String name = c instanceof Dir sd ? sd.name : ((FileNode) c).name;
      String plain = plainShortName(name);
      if (plain != null) {
        used.add(plain);
      }
    }
    for (Node c : d.children.values()) {
      boolean isDir = c instanceof Dir;
      String name = isDir ? ((Dir) c).name : ((FileNode) c).name;
      String shortName = plainShortName(name);
      byte[] raw;
      if (shortName != null) {
        raw = shortName.getBytes(StandardCharsets.US_ASCII);
      } else {
        String generated = generateShortName(name, used);
        used.add(generated);
        raw = generated.getBytes(StandardCharsets.US_ASCII);
        out.addAll(lfnEntries(name, raw));
      }
      int cluster = isDir ? ((Dir) c).cluster : fileClusters.getOrDefault(c, 0);
      int size = isDir ? 0 : ((FileNode) c).content.length;
      out.add(entry(raw, isDir ? 0x10 : 0x20, cluster, size));
    }
    d.entries = out;
    for (Node c : d.children.values()) {
      if (c instanceof Dir sd) {
        buildEntries(sd, d);
      }
    }
  }

  /** The 11-byte short name when {@code name} is already upper-case 8.3, else null. */
  static String plainShortName(String name) {
    if (!name.matches("[A-Z0-9_~!#$%&'()@^`{}-]{1,8}(\\.[A-Z0-9_~!#$%&'()@^`{}-]{1,3})?")) {
      return null;
    }
    int dot = name.indexOf('.');
    String base = dot < 0 ? name : name.substring(0, dot);
    String ext = dot < 0 ? "" : name.substring(dot + 1);
    return String.format("%-8s%-3s", base, ext);
  }

  private static String generateShortName(String name, Set<String> used) {
    String up = name.toUpperCase(Locale.ROOT);
    int dot = up.lastIndexOf('.');
    String base = clean(dot <= 0 ? up : up.substring(0, dot));
    String ext = clean(dot <= 0 ? "" : up.substring(dot + 1));
    if (base.isEmpty()) {
      base = "_";
    }
    ext = ext.length() > 3 ? ext.substring(0, 3) : ext;
    for (int n = 1; n < 1_000_000; n++) {
      String tail = "~" + n;
      String b = base.length() + tail.length() > 8 ? base.substring(0, 8 - tail.length()) : base;
      String candidate = String.format("%-8s%-3s", b + tail, ext);
      if (!used.contains(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no free short name for " + name);
  }

  private static String clean(String s) {
    return s.replaceAll("[^A-Z0-9_~!#$%&'()@^`{}-]", "");
  }

  private static byte[] entry(byte[] name11, int attr, int cluster, int size) {
    ByteBuffer e = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
    e.put(0, name11, 0, 11);
    e.put(11, (byte) attr);
    e.putShort(14, (short) FAT_TIME); // created
    e.putShort(16, (short) FAT_DATE);
    e.putShort(18, (short) FAT_DATE); // accessed
    e.putShort(20, (short) (cluster >>> 16));
    e.putShort(22, (short) FAT_TIME); // modified
    e.putShort(24, (short) FAT_DATE);
    e.putShort(26, (short) cluster);
    e.putInt(28, size);
    return e.array();
  }

  static int shortNameChecksum(byte[] name11) {
    int sum = 0;
    for (int i = 0; i < 11; i++) {
      sum = (((sum & 1) << 7) + ((sum & 0xFF) >> 1) + (name11[i] & 0xFF)) & 0xFF;
    }
    return sum;
  }

  /** VFAT long-name entries for {@code name}, in on-disk order (last part first). */
  private static List<byte[]> lfnEntries(String name, byte[] shortName) {
    int checksum = shortNameChecksum(shortName);
    char[] chars = name.toCharArray();
    int parts = (chars.length + 12) / 13;
    List<byte[]> out = new ArrayList<>();
    for (int p = parts; p >= 1; p--) {
      ByteBuffer e = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
      e.put(0, (byte) (p == parts ? p | 0x40 : p));
      e.put(11, (byte) 0x0F);
      e.put(13, (byte) checksum);
      int[] offsets = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
      for (int i = 0; i < 13; i++) {
        int idx = (p - 1) * 13 + i;
        int ch = idx < chars.length ? chars[idx] : idx == chars.length ? 0 : 0xFFFF;
        e.putShort(offsets[i], (short) ch);
      }
      out.add(e.array());
    }
    return out;
  }
}
