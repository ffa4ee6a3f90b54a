package dev.chainboot.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * podman for the package tests, with its settings in project files (packaging/test/containers.conf
 * and a copy of packaging/test/storage.conf naming a private storage directory), passed through
 * CONTAINERS_CONF and CONTAINERS_STORAGE_CONF: nothing global is read or changed, and {@link
 * #close()} deletes every image and container with the directory.
 *
 * <p>The base image is Debian 13 (trixie) made by mmdebstrap from Debian's mirror, cached as a
 * tarball in {@code ~/.cache/chainboot/} under a name made of its inputs (rebuilt after 30 days),
 * so only the first run pays for it (about 1 to 4 minutes here).
 */
public final class Podman implements AutoCloseable {

  /** What the base holds: systemd to boot it, the JRE the .deb depends on, curl to probe. */
  public static final List<String> BASE_PACKAGES =
      List.of(
          "systemd",
          "systemd-sysv",
          "dbus",
          "curl",
          "ca-certificates",
          "openjdk-21-jre-headless",
          "procps");

  public static final String BASE_IMAGE = "localhost/chainboot-test-trixie";

  private final Path dir;
  private final Map<String, String> env;

  private Podman(Path dir, Map<String, String> env) {
    this.dir = dir;
    this.env = env;
  }

  /** The tools exist (as root, scripts/test installs them); otherwise the test is skipped. */
  public static void assumeAvailable() {
    for (String tool : List.of("/usr/bin/podman", "/usr/bin/mmdebstrap", "/usr/sbin/runc")) {
      Assumptions.assumeTrue(
          Files.isExecutable(Path.of(tool)),
          tool
              + " is missing: the package tests need podman, runc and mmdebstrap"
              + " (apt-get install podman runc mmdebstrap; scripts/test does it as root)");
    }
  }

  public static Podman start(Path dir) throws IOException {
    Path root = Path.of(System.getProperty("chainboot.root", "."));
    Path storage = dir.resolve("storage.conf");
    Files.writeString(
        storage,
        Files.readString(root.resolve("packaging/test/storage.conf"))
            .replace("@DIR@", dir.toAbsolutePath().toString()));
    return new Podman(
        dir,
        Map.of(
            "CONTAINERS_CONF",
            root.resolve("packaging/test/containers.conf").toAbsolutePath().toString(),
            "CONTAINERS_STORAGE_CONF",
            storage.toString()));
  }

  /** The environment podman (and scripts/package oci) run with. */
  public Map<String, String> env() {
    return env;
  }

  /** Runs podman with {@code args}; fails on a non-zero exit unless {@code check} is false. */
  public Processes.Output run(Duration timeout, boolean check, String... args)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("podman"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Processes.Output o = Processes.run(pb, timeout);
    if (check && o.exit() != 0) {
      throw new AssertionError("podman " + String.join(" ", args) + " failed: " + o.all());
    }
    return o;
  }

  public String podman(String... args) throws IOException, InterruptedException {
    return run(Duration.ofMinutes(5), true, args).stdout().strip();
  }

  /** Runs {@code script} with bash in a running container; returns its output (stdout+stderr). */
  public Processes.Output exec(String container, String script)
      throws IOException, InterruptedException {
    return run(Duration.ofMinutes(3), false, "exec", container, "bash", "-c", script + " 2>&1");
  }

  /** Imports the cached trixie base as {@link #BASE_IMAGE}, making the base first if needed. */
  public void importBase() throws Exception {
    Path tar = base();
    podman("import", "--change", "CMD [\"/bin/bash\"]", tar.toString(), BASE_IMAGE);
  }

  /** The base tarball: cached, or made now by mmdebstrap. */
  static Path base() throws Exception {
    // --format: mmdebstrap otherwise guesses it from the output's name, and the ".part" name it
    // is written under made a directory (found on a machine with no cached tarball yet)
    List<String> args = new ArrayList<>(List.of("mmdebstrap", "--variant=minbase", "--format=tar"));
    args.add("--include=" + String.join(",", BASE_PACKAGES));
    args.add("trixie");
    String version =
        Processes.run(Duration.ofSeconds(30), "mmdebstrap", "--version").stdout().strip();
    String key =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(
                        (version + "\n" + String.join(" ", args)).getBytes(StandardCharsets.UTF_8)))
            .substring(0, 16);
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "chainboot");
    Files.createDirectories(cache);
    Path tar = cache.resolve("trixie-base-" + key + ".tar");
    try (FileChannel lockFile =
            FileChannel.open(
                cache.resolve("trixie-base.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = lockFile.lock()) {
      if (Files.isDirectory(tar)) { // left by the mis-named output above: not a tarball
        try (var all = Files.walk(tar)) {
          all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      boolean fresh =
          Files.isRegularFile(tar)
              && Files.getLastModifiedTime(tar)
                  .toInstant()
                  .isAfter(Instant.now().minus(Duration.ofDays(30)));
      if (!fresh) {
        Path part = cache.resolve("trixie-base-" + key + ".part.tar");
        args.add(part.toString());
        long t0 = System.nanoTime();
        Processes.Output o =
            Processes.run(
                new ProcessBuilder(args).redirectErrorStream(true), Duration.ofMinutes(15));
        if (o.exit() != 0) {
          Files.deleteIfExists(part);
          throw new AssertionError("mmdebstrap failed: " + o.all());
        }
        Files.move(part, tar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(tar, FileTime.from(Instant.now()));
        System.out.printf(
            "Podman: made %s in %d s%n", tar, (System.nanoTime() - t0) / 1_000_000_000L);
      }
    }
    return tar;
  }

  /** Deletes every container and image, then the storage directory. */
  @Override
  public void close() {
    try {
      run(Duration.ofMinutes(3), false, "rm", "-a", "-f");
      run(Duration.ofMinutes(3), false, "system", "reset", "-f");
    } catch (IOException | InterruptedException | AssertionError e) {
      System.err.println("Podman: cleaning up failed: " + e);
    }
    try (var all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("Podman: cannot delete " + dir + ": " + e);
    }
  }
}
