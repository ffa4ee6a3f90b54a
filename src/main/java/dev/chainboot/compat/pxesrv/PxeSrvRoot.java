package dev.chainboot.compat.pxesrv;

import dev.chainboot.fs.SafePath;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pxe_srv document root as it is on disk: the scripts {@code /redirect} may send a client, {@code
 * once/<ip>} (a symlink, consumed on use), {@code static/<ip>} and {@code default}, looked up one
 * by one ({@link PxeSrvSource} offers them to the boot core, which applies the precedence). Unlike
 * pxe_srv, consuming a once link is atomic (the link is first renamed to a unique name, so of
 * concurrent requests exactly one wins and the others fall through to the next rule), a link whose
 * target is missing is left in place, relative link targets resolve against the link's directory,
 * and nothing outside the root is ever read.
 */
public final class PxeSrvRoot {

  private static final Logger log = LoggerFactory.getLogger(PxeSrvRoot.class);

  /** Larger files are not boot scripts; they are skipped with a log line. */
  static final long MAX_SCRIPT_BYTES = 16L * 1024 * 1024;

  private final Path root;

  public PxeSrvRoot(Path root) {
    Path r = root.toAbsolutePath().normalize();
    try {
      r = r.toRealPath();
    } catch (IOException e) {
      // checked when serving; keep the normalized path
    }
    this.root = r;
  }

  public Path root() {
    return root;
  }

  /** A script file of the root: where it is and what it holds. */
  public record Script(Path file, byte[] content) {}

  /** pxe_srv's key for a client: its address as text ({@code 10.0.0.5}). */
  public static String key(InetAddress client) {
    if (client instanceof java.net.Inet6Address v6) {
      return compressed(v6.getAddress());
    }
    return client.getHostAddress();
  }

  /** RFC 5952 text of an IPv6 address ({@code ::1}, {@code fe80::1}), as Rack reports it. */
  static String compressed(byte[] a) {
    int[] g = new int[8];
    for (int i = 0; i < 8; i++) {
      g[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 1;
    for (int i = 0; i < 8; ) {
      if (g[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && g[j] == 0) {
        j++;
      }
      if (j - i > bestLen) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        b.append("::");
        i += bestLen - 1;
        continue;
      }
      if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
        b.append(':');
      }
      b.append(Integer.toHexString(g[i]));
    }
    return b.toString();
  }

  /** {@code once/<key>}: the script a pending once link names, taken when {@code consume}. */
  public Optional<Script> once(InetAddress client, boolean consume) {
    String key = key(client);
    return consume ? once(key) : peekOnce(key);
  }

  /** {@code static/<key>} */
  public Optional<Script> staticFor(InetAddress client) {
    return plain("static", "static/" + key(client));
  }

  /** {@code default} */
  public Optional<Script> defaultScript() {
    return plain("default", "default");
  }

  /** {@code file}'s path relative to the root, as pxe_srv's logs name it. */
  public String relative(Path file) {
    return root.relativize(file).toString();
  }

  private Optional<Script> plain(String rule, String relative) {
    Optional<Path> file = SafePath.resolve(root, relative).filter(Files::isRegularFile);
    if (file.isEmpty()) {
      if (Files.isSymbolicLink(root.resolve(relative))) {
        log.warn(
            "pxe_srv {}: {} is a link to a missing file or outside the root; skipped",
            rule,
            relative);
      }
      return Optional.empty();
    }
    return read(file.get()).map(bytes -> new Script(file.get(), bytes));
  }

  /** {@code once/<key>} when it is a symlink (pxe_srv ignores regular files in once/). */
  private Optional<Path> onceLink(String key) {
    Optional<Path> onceDir = SafePath.resolve(root, "once").filter(Files::isDirectory);
    if (onceDir.isEmpty() || SafePath.problem(key).isPresent()) {
      return Optional.empty();
    }
    return Optional.of(onceDir.get().resolve(key)).filter(Files::isSymbolicLink);
  }

  private Optional<Script> once(String key) {
    Optional<Path> found = onceLink(key);
    if (found.isEmpty() || linkTarget(found.get()).isEmpty()) {
      return Optional.empty();
    }
    Path link = found.get();
    Path claimed = link.resolveSibling("." + key + ".consumed-" + UUID.randomUUID());
    try {
      Files.move(link, claimed, StandardCopyOption.ATOMIC_MOVE);
    } catch (NoSuchFileException e) {
      return Optional.empty(); // a concurrent request consumed it first
    } catch (IOException e) {
      log.warn("pxe_srv once: cannot consume {}: {}", link, e.toString());
      return Optional.empty();
    }
    // This request owns the once link now; read the target it named.
    Optional<Path> claimedTarget = linkTarget(claimed);
    Optional<byte[]> bytes = claimedTarget.flatMap(PxeSrvRoot::read);
    if (bytes.isEmpty()) {
      restore(claimed, link);
      return Optional.empty();
    }
    try {
      Files.deleteIfExists(claimed);
    } catch (IOException e) {
      log.warn("pxe_srv once: consumed {} but cannot remove {}: {}", link, claimed, e.toString());
    }
    log.info("pxe_srv once: {} consumed ({})", link, claimedTarget.get());
    return Optional.of(new Script(claimedTarget.get(), bytes.get()));
  }

  private Optional<Script> peekOnce(String key) {
    return onceLink(key).flatMap(this::linkTarget).flatMap(t -> read(t).map(b -> new Script(t, b)));
  }

  /** Puts a claimed once link back when its target could not be read after all. */
  private static void restore(Path claimed, Path link) {
    try {
      Files.createSymbolicLink(link, Files.readSymbolicLink(claimed));
    } catch (FileAlreadyExistsException e) {
      // a new once link was made meanwhile; it wins
    } catch (IOException e) {
      log.warn("pxe_srv once: cannot restore {}: {}", link, e.toString());
    }
    try {
      Files.deleteIfExists(claimed);
    } catch (IOException e) {
      log.warn("pxe_srv once: cannot remove {}: {}", claimed, e.toString());
    }
  }

  /**
   * The real file a link leads to, its target resolved against the link's own directory; empty
   * (with a log line) when it is missing, not a regular file, or outside the root.
   */
  private Optional<Path> linkTarget(Path link) {
    try {
      Path target = link.getParent().resolve(Files.readSymbolicLink(link));
      if (!Files.exists(target)) {
        log.warn("pxe_srv once: {} -> {}: target missing; link kept, next rule used", link, target);
        return Optional.empty();
      }
      Path real = target.toRealPath();
      if (!real.startsWith(root.toRealPath())) {
        log.warn("pxe_srv once: {} -> {}: outside the document root; refused", link, real);
        return Optional.empty();
      }
      if (!Files.isRegularFile(real)) {
        log.warn("pxe_srv once: {} -> {}: not a regular file; refused", link, real);
        return Optional.empty();
      }
      return Optional.of(real);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("pxe_srv once: cannot read link {}: {}", link, e.toString());
      return Optional.empty();
    }
  }

  private static Optional<byte[]> read(Path file) {
    try {
      if (Files.size(file) > MAX_SCRIPT_BYTES) {
        log.warn(
            "pxe_srv: {} is larger than {} bytes, not a boot script; skipped",
            file,
            MAX_SCRIPT_BYTES);
        return Optional.empty();
      }
      return Optional.of(Files.readAllBytes(file));
    } catch (IOException e) {
      log.warn("pxe_srv: cannot read {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  /** Result of {@link #clearGrub}: the file meant, and whether it existed. */
  public record GrubCleared(String file, boolean deleted) {}

  /**
   * pxe_srv's {@code /grub/clear/<version>}: deletes {@code grub/<version>/grub.cfg-<HEXIP>},
   * GRUB's per-client file name (the IPv4 address as 8 uppercase hex digits).
   *
   * @throws IllegalArgumentException for a version that is not a plain name or a client without an
   *     IPv4 address
   */
  public GrubCleared clearGrub(String version, InetAddress client) throws IOException {
    if (!version.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "version must be a plain name (letters, digits, '.', '_', '-')");
    }
    if (!(client instanceof Inet4Address v4)) {
      throw new IllegalArgumentException(
          "GRUB names its files after an IPv4 address; client is " + client.getHostAddress());
    }
    byte[] a = v4.getAddress();
    String name = String.format("grub.cfg-%02X%02X%02X%02X", a[0], a[1], a[2], a[3]);
    String rel = "grub/" + version + "/" + name;
    Optional<Path> dir = SafePath.resolve(root, "grub/" + version).filter(Files::isDirectory);
    if (dir.isEmpty()) {
      return new GrubCleared(rel, false);
    }
    boolean deleted = Files.deleteIfExists(dir.get().resolve(name));
    if (deleted) {
      log.info("pxe_srv grub: {} deleted for {}", rel, client.getHostAddress());
    }
    return new GrubCleared(rel, deleted);
  }
}
