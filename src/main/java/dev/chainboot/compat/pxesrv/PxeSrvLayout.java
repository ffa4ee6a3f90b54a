package dev.chainboot.compat.pxesrv;

import dev.chainboot.fs.SafePath;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a pxe_srv document root holds, read without changing it (for {@code chainboot import
 * pxesrv}): the default script, and per client IP the static script and the pending once link, each
 * with the file it names relative to the root and its content. Entries that cannot be used (names
 * that are not IP addresses, links to missing files or outside the root, regular files in once/)
 * are listed in {@link #skipped()} with the reason.
 *
 * @param root the root's real path
 * @param defaultScript {@code default}, if present
 * @param statics {@code static/<ip>} entries
 * @param onces {@code once/<ip>} symlinks not consumed yet
 * @param skipped entries left out, with why
 */
public record PxeSrvLayout(
    Path root,
    Optional<Script> defaultScript,
    List<Entry> statics,
    List<Entry> onces,
    List<String> skipped) {

  /** A script file of the root: its path relative to the root and its text. */
  public record Script(String path, String content) {}

  /** A per-client rule: the client's IP and the script it leads to. */
  public record Entry(String ip, Script script) {}

  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  /** Whether {@code name} is an IPv4 or IPv6 literal, as pxe_srv's file names are. */
  public static boolean isIpLiteral(String name) {
    if (IPV4.matcher(name).matches()) {
      return true;
    }
    if (name.indexOf(':') >= 0 && IPV6.matcher(name).matches()) {
      try {
        InetAddress.getByName(name); // a literal with ':' is never looked up in DNS
        return true;
      } catch (IOException e) {
        return false;
      }
    }
    return false;
  }

  /** Reads the layout under {@code dir}. */
  public static PxeSrvLayout read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("not a directory: " + dir);
    }
    Path root = dir.toRealPath();
    List<String> skipped = new ArrayList<>();
    Optional<Script> def = script(root, "default", skipped);
    List<Entry> statics = entries(root, "static", false, skipped);
    List<Entry> onces = entries(root, "once", true, skipped);
    return new PxeSrvLayout(root, def, statics, onces, List.copyOf(skipped));
  }

  private static List<Entry> entries(Path root, String sub, boolean linksOnly, List<String> skipped)
      throws IOException {
    List<Entry> out = new ArrayList<>();
    Path d = root.resolve(sub);
    if (!Files.isDirectory(d)) {
      return out;
    }
    List<Path> names = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
      ds.forEach(names::add);
    }
    names.sort(null);
    for (Path p : names) {
      String name = p.getFileName().toString();
      if (name.startsWith(".")) {
        continue;
      }
      if (!isIpLiteral(name)) {
        skipped.add(sub + "/" + name + ": not an IP address");
        continue;
      }
      if (linksOnly && !Files.isSymbolicLink(p)) {
        skipped.add(sub + "/" + name + ": not a symlink (pxe_srv ignores regular files in once/)");
        continue;
      }
      script(root, sub + "/" + name, skipped).ifPresent(s -> out.add(new Entry(name, s)));
    }
    return out;
  }

  private static Optional<Script> script(Path root, String relative, List<String> skipped)
      throws IOException {
    Path p = root.resolve(relative);
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    Optional<Path> real = SafePath.resolve(root, relative).filter(Files::isRegularFile);
    if (real.isEmpty()) {
      skipped.add(relative + ": leads to a missing file, a directory or outside the root");
      return Optional.empty();
    }
    if (Files.size(real.get()) > PxeSrvRoot.MAX_SCRIPT_BYTES) {
      skipped.add(
          relative + ": larger than " + PxeSrvRoot.MAX_SCRIPT_BYTES + " bytes, not a script");
      return Optional.empty();
    }
    String path = root.relativize(real.get()).toString();
    return Optional.of(new Script(path, Files.readString(real.get(), StandardCharsets.UTF_8)));
  }
}
