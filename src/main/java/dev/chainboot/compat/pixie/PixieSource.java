package dev.chainboot.compat.pixie;

import dev.chainboot.boot.AssignmentSource;
import dev.chainboot.boot.BootRequest;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.fs.SafePath;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pixie's scripts directory as assignments for the boot core: {@code <mac-with-hyphens>.ipxe}
 * ({@code 00-11-22-33-44-55.ipxe}, lowercase hex as pixie asked for it; any case is found) is the
 * static assignment of that machine, sent as it is. A machine without a file is left to the store's
 * rules (pixie answered a 404 dead end there).
 */
public final class PixieSource implements AssignmentSource {

  private static final Logger log = LoggerFactory.getLogger(PixieSource.class);

  private final Path scripts;

  /**
   * @param scripts the scripts directory ({@code --scripts}, default DATA/scripts)
   */
  public PixieSource(Path scripts) {
    this.scripts = scripts;
  }

  /** The MAC a pixie script name stands for ({@code 00-11-22-33-44-55.ipxe}), if it is one. */
  public static Optional<MacAddress> macOf(String fileName) {
    if (!fileName.toLowerCase(Locale.ROOT).endsWith(".ipxe") || fileName.indexOf('/') >= 0) {
      return Optional.empty();
    }
    return MacAddress.parse(fileName.substring(0, fileName.length() - ".ipxe".length()));
  }

  /** pixie's file name for {@code mac}. */
  public static String fileName(MacAddress mac) {
    return mac.hexhyp() + ".ipxe";
  }

  @Override
  public String name() {
    return "pixie";
  }

  /** Most directories are scanned only for a name in mixed case; larger ones are not scanned. */
  static final int MAX_SCAN = 10_000;

  /**
   * The script file for {@code name} ({@code 00-11-22-aa-bb-cc.ipxe}) without regard to case: the
   * lower-case name (pixie's), the upper-case one, then any spelling in the directory.
   */
  Optional<Path> find(String name) {
    for (String n :
        List.of(name, name.substring(0, name.length() - 5).toUpperCase(Locale.ROOT) + ".ipxe")) {
      Optional<Path> f = SafePath.resolve(scripts, n).filter(PixieSource::readableFile);
      if (f.isPresent()) {
        return f;
      }
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(scripts)) {
      int seen = 0;
      for (Path p : ds) {
        if (++seen > MAX_SCAN) {
          break;
        }
        String n = p.getFileName().toString();
        if (n.equalsIgnoreCase(name)) {
          return SafePath.resolve(scripts, n).filter(PixieSource::readableFile);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("pixie: cannot list {}: {}", scripts, e.toString());
    }
    return Optional.empty();
  }

  private static boolean readableFile(Path p) {
    return Files.isRegularFile(p) && Files.isReadable(p);
  }

  @Override
  public Optional<Assigned> staticFor(BootRequest request) {
    if (request.mac().isEmpty()) {
      return Optional.empty();
    }
    String name = fileName(request.mac().get());
    Optional<Path> file = find(name);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      if (Files.size(file.get()) > PixieLayout.MAX_SCRIPT_BYTES) {
        log.warn(
            "pixie: {} is larger than {} bytes, not a script; skipped",
            file.get(),
            PixieLayout.MAX_SCRIPT_BYTES);
        return Optional.empty();
      }
      return Optional.of(new Assigned(Files.readAllBytes(file.get()), "pixie script " + name));
    } catch (IOException e) {
      log.warn("pixie: cannot read {}: {}", file.get(), e.toString());
      return Optional.empty();
    }
  }
}
