package dev.chainboot.ipxebuild;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An iPXE source tree as the operator supplies it: an upstream release or git checkout, or Debian's
 * {@code apt-get source ipxe}; either the top directory or its {@code src/}. Its identity for the
 * build cache is iPXE's version plus a SHA-256 over every source file (build outputs {@code bin*}
 * and {@code .git} left out), so a changed tree never serves an old cached binary.
 *
 * @param src the directory holding iPXE's top Makefile ({@code .../src})
 * @param version iPXE's version from the Makefile ({@code 2.0.0})
 * @param id {@code <version>-<first 16 hex digits of the tree's hash>}
 */
public record IpxeSource(Path src, String version, String id) {

  private static final Pattern VAR =
      Pattern.compile(
          "^(VERSION_MAJOR|VERSION_MINOR|VERSION_PATCH)\\s*:?=\\s*(\\S+)", Pattern.MULTILINE);

  /**
   * Reads and fingerprints the tree at {@code dir}.
   *
   * @throws IOException naming what is wrong when {@code dir} is not an iPXE source tree
   */
  public static IpxeSource open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("iPXE source: " + dir + " is not a directory");
    }
    Path src = Files.isRegularFile(dir.resolve("src/Makefile")) ? dir.resolve("src") : dir;
    Path makefile = src.resolve("Makefile");
    if (!Files.isRegularFile(makefile)
        || !Files.isRegularFile(src.resolve("Makefile.housekeeping"))
        || !Files.isDirectory(src.resolve("config"))) {
      throw new IOException(
          "iPXE source: "
              + dir
              + " is not an iPXE source tree (expected src/Makefile, src/Makefile.housekeeping and"
              + " src/config/ as in an upstream release or `apt-get source ipxe`)");
    }
    String mk = Files.readString(makefile, StandardCharsets.ISO_8859_1);
    String[] v = {"?", "?", "?"};
    Matcher m = VAR.matcher(mk);
    while (m.find()) {
      int i =
          switch (m.group(1)) {
            case "VERSION_MAJOR" -> 0;
            case "VERSION_MINOR" -> 1;
            default -> 2;
          };
      v[i] = m.group(2);
    }
    String version = String.join(".", v);
    if (!version.matches("[0-9A-Za-z.+~_-]{1,40}")) {
      version = "unknown";
    }
    return new IpxeSource(src.toAbsolutePath().normalize(), version, version + "-" + hash(src));
  }

  /** Whether a directory of the tree is left out: {@code .git} and iPXE's outputs {@code bin*}. */
  private static boolean skipped(Path src, Path dir) {
    Path rel = src.relativize(dir);
    String n = rel.toString();
    return rel.getNameCount() == 1 && (n.equals(".git") || n.matches("bin(-[A-Za-z0-9_]+)*"));
  }

  private static String hash(Path src) throws IOException {
    List<Path> files = new ArrayList<>();
    Files.walkFileTree(
        src,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
            return skipped(src, d) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
            if (a.isRegularFile() || a.isSymbolicLink()) {
              files.add(f);
            }
            return FileVisitResult.CONTINUE;
          }
        });
    files.sort(null);
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (Path f : files) {
        md.update(src.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        if (Files.isSymbolicLink(f)) {
          md.update(Files.readSymbolicLink(f).toString().getBytes(StandardCharsets.UTF_8));
        } else {
          try (InputStream in = Files.newInputStream(f)) {
            int n;
            while ((n = in.read(buf)) > 0) {
              md.update(buf, 0, n);
            }
          }
        }
        md.update((byte) 0);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Copies the tree (without build outputs and {@code .git}) to {@code target}. */
  void copyTo(Path target) throws IOException {
    Files.walkFileTree(
        src,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a)
              throws IOException {
            if (skipped(src, d)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            Files.createDirectories(target.resolve(src.relativize(d).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
            Path to = target.resolve(src.relativize(f).toString());
            if (a.isSymbolicLink()) {
              Files.createSymbolicLink(to, Files.readSymbolicLink(f));
            } else if (a.isRegularFile()) {
              Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
