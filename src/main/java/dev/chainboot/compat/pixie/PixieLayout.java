package dev.chainboot.compat.pixie;

import dev.chainboot.boot.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The per-MAC scripts of a pixie scripts directory ({@code 00-11-22-33-44-55.ipxe}), read without
 * changing it (for {@code chainboot import pixie}). Other files are listed in {@link #skipped()}.
 *
 * @param scripts one per MAC, sorted by file name
 * @param skipped files left out, with why
 */
public record PixieLayout(List<MacScript> scripts, List<String> skipped) {

  /** A machine's script: its MAC, the file name and the text. */
  public record MacScript(MacAddress mac, String fileName, String content) {}

  static final long MAX_SCRIPT_BYTES = 16L * 1024 * 1024;

  public static PixieLayout read(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("not a directory: " + dir);
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(files::add);
    }
    files.sort(null);
    List<MacScript> scripts = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    java.util.Set<MacAddress> seen = new java.util.HashSet<>();
    for (Path p : files) {
      String name = p.getFileName().toString();
      Optional<MacAddress> mac = PixieSource.macOf(name);
      if (mac.isEmpty()) {
        skipped.add(name + ": not a <mac-with-hyphens>.ipxe file name");
      } else if (!Files.isRegularFile(p)) {
        skipped.add(name + ": not a regular file");
      } else if (Files.size(p) > MAX_SCRIPT_BYTES) {
        skipped.add(name + ": larger than " + MAX_SCRIPT_BYTES + " bytes, not a script");
      } else if (!seen.add(mac.get())) {
        skipped.add(name + ": a second file for " + mac.get());
      } else {
        scripts.add(new MacScript(mac.get(), name, Files.readString(p, StandardCharsets.UTF_8)));
      }
    }
    return new PixieLayout(List.copyOf(scripts), List.copyOf(skipped));
  }
}
