package dev.chainboot.testing;

import dev.chainboot.ipxebuild.IpxeBuilds;
import dev.chainboot.ipxebuild.IpxePlatform;
import dev.chainboot.ipxebuild.IpxeSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * Real iPXE builds for the tests that boot them in QEMU. They run only where {@code
 * CHAINBOOT_IPXE_SOURCE} names an iPXE source tree (an upstream release or `apt-get source ipxe`,
 * never inside this repository), and are skipped with a visible message otherwise, as the issue
 * allows: compiling a platform takes minutes. The warm trees are kept between runs in {@code
 * CHAINBOOT_IPXE_CACHE} (default {@code ~/.cache/chainboot/ipxe-it}, a data directory whose {@code
 * ipxe/} the tests' servers link to), prepared again only when the source changes.
 */
public final class RealIpxe {

  private RealIpxe() {}

  /** The source tree, or the test is skipped with a message that says how to run it. */
  public static Path source() {
    String s = System.getenv("CHAINBOOT_IPXE_SOURCE");
    if (s == null || s.isBlank()) {
      String msg =
          "SKIPPED: set CHAINBOOT_IPXE_SOURCE to an iPXE source tree (e.g. an upstream v2.0.0"
              + " checkout outside the repository) to build and boot real iPXE binaries";
      System.err.println(msg);
      Assumptions.abort(msg);
    }
    Path p = Path.of(s);
    if (!Files.isDirectory(p)) {
      throw new AssertionError("CHAINBOOT_IPXE_SOURCE=" + s + " is not a directory");
    }
    return p;
  }

  /** The data directory holding the warm trees. */
  public static Path cache() {
    String c = System.getenv("CHAINBOOT_IPXE_CACHE");
    return c == null || c.isBlank()
        ? Path.of(System.getProperty("user.home"), ".cache", "chainboot", "ipxe-it")
        : Path.of(c);
  }

  /**
   * Warm trees for {@code platforms} from {@link #source()} (prepared now when missing or from
   * another source; that takes minutes per platform), linked into {@code dataDir} as {@code
   * dataDir/ipxe}.
   */
  public static void linkPrepared(Path dataDir, Set<IpxePlatform> platforms) throws Exception {
    Path src = source();
    IpxeBuilds cached = IpxeBuilds.at(cache());
    String id = IpxeSource.open(src).id();
    Set<IpxePlatform> todo = EnumSet.noneOf(IpxePlatform.class);
    for (IpxePlatform p : platforms) {
      if (cached.prepared(p).map(x -> !x.sourceId().equals(id) || !x.current()).orElse(true)) {
        todo.add(p);
      }
    }
    if (!todo.isEmpty()) {
      System.err.println("preparing real iPXE trees for " + todo + " in " + cache());
      cached.prepare(src, todo, line -> {});
    }
    Files.createDirectories(dataDir);
    Files.createSymbolicLink(IpxeBuilds.root(dataDir), IpxeBuilds.root(cache()).toAbsolutePath());
  }
}
