package dev.chainboot.ipxebuild;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The iPXE build workspace under {@code DATA/ipxe/}:
 *
 * <pre>
 * trees/&lt;platform&gt;/src/        a warm copy of the operator's source, built once by {@link #prepare}
 * trees/&lt;platform&gt;/prepared.properties   source version and id, cross prefix, when
 * trees/&lt;platform&gt;.lock         one build per tree at a time, across processes
 * trees/&lt;platform&gt;/work/&lt;key&gt;/   the inputs of one build (script, certificates)
 * cache/&lt;key&gt;.&lt;ext&gt;            built binaries, by content hash, least recently used out
 * firmware/&lt;platform&gt;/&lt;target&gt;   the plain binaries of the last prepare (served by name)
 * </pre>
 *
 * One tree per platform avoids iPXE's shared-header trap (the first build of a new {@code bin-*}
 * directory touches headers every other platform depends on, making their next build a full one). A
 * build ({@link #build}) first looks in the cache; on a miss it waits for the tree (at most {@link
 * Settings#maxQueue} builds wait per tree, more are refused), runs {@code make} with {@code
 * EMBED=}/{@code TRUST=}/{@code CERT=} (a relink of seconds in a warm tree) within {@link
 * Settings#buildTimeout}, and stores the result. Identical concurrent requests share one build.
 */
public final class IpxeBuilds {

  private static final Logger log = LoggerFactory.getLogger(IpxeBuilds.class);

  /** Appended to the tree's {@code config/local/general.h}: HTTPS and NTP on every platform. */
  static final String LOCAL_CONFIG =
      "\n/* chainboot ipxe prepare: HTTPS and the ntp command on every platform, as Debian's"
          + " builds have HTTPS in BIOS builds too (upstream leaves both out of pcbios) */\n"
          + "#define DOWNLOAD_PROTO_HTTPS\n"
          + "#define NTP_CMD\n";

  /** Limits of the workspace. */
  public record Settings(
      Duration prepareTimeout, Duration buildTimeout, int maxQueue, long maxCacheBytes, int jobs) {
    public static final Settings DEFAULTS =
        new Settings(
            Duration.ofMinutes(60),
            Duration.ofMinutes(3),
            8,
            512L << 20,
            Math.max(1, Runtime.getRuntime().availableProcessors()));

    public Settings withBuildTimeout(Duration d) {
      return new Settings(prepareTimeout, d, maxQueue, maxCacheBytes, jobs);
    }

    public Settings withPrepareTimeout(Duration d) {
      return new Settings(d, buildTimeout, maxQueue, maxCacheBytes, jobs);
    }

    public Settings withMaxQueue(int n) {
      return new Settings(prepareTimeout, buildTimeout, n, maxCacheBytes, jobs);
    }

    public Settings withMaxCacheBytes(long n) {
      return new Settings(prepareTimeout, buildTimeout, maxQueue, n, jobs);
    }
  }

  /** What {@link #prepare} left for a platform. */
  public record Prepared(
      IpxePlatform platform,
      String version,
      String sourceId,
      String source,
      Optional<String> cross,
      Instant preparedAt,
      List<String> makeArgs) {

    /**
     * Whether the tree was prepared with the make arguments this version of chainboot builds the
     * platform with ({@link IpxePlatform#makeArgs()}); if not, {@code ipxe prepare} should run
     * again (arm32-efi trees prepared before the alignment fix make binaries that crash).
     */
    public boolean current() {
      return makeArgs.equals(platform.makeArgs());
    }
  }

  /**
   * A binary. Its bytes may be shared with the in-memory cache: {@link #bytes()} hands out a copy,
   * {@link #buffer()} a read-only view without copying.
   *
   * @param key the cache key (SHA-256 hex of the inputs), usable as an ETag
   * @param cached whether it came from the cache without running make
   */
  public record Built(byte[] bytes, String key, boolean cached, Duration took) {

    /** A copy of the binary. */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }

    /** The binary as a read-only buffer (no copy: what a server sends). */
    public ByteBuffer buffer() {
      return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** The binary's size in bytes. */
    public int size() {
      return bytes.length;
    }
  }

  /**
   * The in-memory part of the build cache holds at most this many bytes (or the disk cache's bound
   * if that is smaller): a cache hit from memory reads, hashes and writes no file.
   */
  static final long MEMORY_BYTES = 64L << 20;

  /**
   * A hit from memory refreshes the cached file's modification time (the disk cache's least
   * recently used order, shared with other processes) at most this often.
   */
  static final Duration TOUCH_EVERY = Duration.ofMinutes(5);

  private final Path root;
  private final Settings settings;
  private final Toolchain toolchain;
  private final String hostArch;

  /**
   * One lock per tree in this JVM (by lock file), beside the file lock that serialises processes: a
   * JVM cannot hold two file locks on one file, and two workspaces may share a tree.
   */
  private static final ConcurrentHashMap<Path, Semaphore> TREE_LOCKS = new ConcurrentHashMap<>();

  private final Map<IpxePlatform, AtomicInteger> waiting = new EnumMap<>(IpxePlatform.class);
  private final ConcurrentHashMap<String, CompletableFuture<Built>> inFlight =
      new ConcurrentHashMap<>();

  /** Script slots by platform, target and preparation (absent: not looked at yet). */
  private final Map<String, Optional<ScriptSlot>> slots = new ConcurrentHashMap<>();

  private final Map<IpxePlatform, Optional<Prepared>> preparedCache = new ConcurrentHashMap<>();
  private final Map<IpxePlatform, FileTime> preparedSeen = new ConcurrentHashMap<>();
  private final Memory memory;

  /**
   * @param root the workspace, {@code DATA/ipxe} ({@link #root(Path)})
   */
  public IpxeBuilds(Path root, Settings settings, Toolchain toolchain, String hostArch) {
    this.root = root.toAbsolutePath().normalize();
    this.settings = settings;
    this.toolchain = toolchain;
    this.hostArch = hostArch;
    this.memory = new Memory(Math.min(MEMORY_BYTES, settings.maxCacheBytes()));
    for (IpxePlatform p : IpxePlatform.values()) {
      waiting.put(p, new AtomicInteger());
    }
  }

  /** The workspace of the data directory {@code dataDir}, with default limits. */
  public static IpxeBuilds at(Path dataDir) {
    return new IpxeBuilds(
        root(dataDir), Settings.DEFAULTS, Toolchain.system(), System.getProperty("os.arch", ""));
  }

  /** {@code DATA/ipxe} */
  public static Path root(Path dataDir) {
    return dataDir.resolve("ipxe");
  }

  /** {@code DATA/ipxe/firmware}: the plain binaries of each prepared platform. */
  public Path firmwareDir() {
    return root.resolve("firmware");
  }

  /** The plain binary {@code target} of a prepared platform, if there is one. */
  public Optional<Path> firmware(IpxePlatform p, String target) {
    Path f = firmwareDir().resolve(p.id()).resolve(target);
    return Files.isRegularFile(f) ? Optional.of(f) : Optional.empty();
  }

  private Path tree(IpxePlatform p) {
    return root.resolve("trees").resolve(p.id());
  }

  private Path cacheDir() {
    return root.resolve("cache");
  }

  /** The command that prepares {@code platforms}, for messages. */
  public static String prepareCommand(Set<IpxePlatform> platforms) {
    StringBuilder b = new StringBuilder("chainboot ipxe prepare --source DIR");
    for (IpxePlatform p : platforms) {
      b.append(" --platform ").append(p.id());
    }
    return b.toString();
  }

  /** Why {@code p} cannot be built here, and what enables it. */
  public String notPreparedMessage(IpxePlatform p) {
    return "iPXE builds for "
        + p.id()
        + " are not prepared in "
        + root
        + ": run `"
        + prepareCommand(Set.of(p))
        + " --data "
        + root.getParent()
        + "` once with an iPXE source tree (an upstream release, or `apt-get source ipxe`);"
        + " see docs/ipxe-builds.md";
  }

  // ---------------------------------------------------------------- status

  /** What was prepared for {@code p}, if anything (re-read when the tree changes). */
  public Optional<Prepared> prepared(IpxePlatform p) {
    Path props = tree(p).resolve("prepared.properties");
    FileTime mtime;
    try {
      mtime = Files.getLastModifiedTime(props);
    } catch (IOException e) {
      preparedCache.remove(p);
      preparedSeen.remove(p);
      return Optional.empty();
    }
    if (mtime.equals(preparedSeen.get(p)) && preparedCache.containsKey(p)) {
      return preparedCache.get(p);
    }
    Optional<Prepared> read = readPrepared(p, props);
    preparedCache.put(p, read);
    preparedSeen.put(p, mtime);
    return read;
  }

  private static Optional<Prepared> readPrepared(IpxePlatform p, Path props) {
    Properties pr = new Properties();
    try (Reader r = Files.newBufferedReader(props, StandardCharsets.UTF_8)) {
      pr.load(r);
      String cross = pr.getProperty("cross", "");
      String args = pr.getProperty("makeArgs", "");
      return Optional.of(
          new Prepared(
              p,
              pr.getProperty("version", "unknown"),
              pr.getProperty("sourceId", ""),
              pr.getProperty("source", ""),
              cross.isEmpty() ? Optional.empty() : Optional.of(cross),
              Instant.parse(pr.getProperty("preparedAt", Instant.EPOCH.toString())),
              args.isEmpty() ? List.of() : List.of(args.split("\n"))));
    } catch (IOException | RuntimeException e) {
      log.warn("ipxe: cannot read {}: {}", props, e.toString());
      return Optional.empty();
    }
  }

  /** Every prepared platform. */
  public Map<IpxePlatform, Prepared> status() {
    Map<IpxePlatform, Prepared> m = new EnumMap<>(IpxePlatform.class);
    for (IpxePlatform p : IpxePlatform.values()) {
      prepared(p).ifPresent(x -> m.put(p, x));
    }
    return m;
  }

  /** One line for {@code --version} and the start-up log. */
  public String describe() {
    Map<IpxePlatform, Prepared> s = status();
    if (s.isEmpty()) {
      return "none prepared in " + root + " (`" + prepareCommand(Set.of()) + "` enables them)";
    }
    List<String> parts = new ArrayList<>();
    List<String> not = new ArrayList<>();
    for (IpxePlatform p : IpxePlatform.values()) {
      if (s.containsKey(p)) {
        parts.add(p.id() + " (iPXE " + s.get(p).version() + ")");
      } else {
        not.add(p.id());
      }
    }
    return "prepared "
        + String.join(", ", parts)
        + " in "
        + root
        + (not.isEmpty() ? "; not prepared: " + String.join(", ", not) : "");
  }

  // ---------------------------------------------------------------- prepare

  /**
   * Compiles a warm tree for each of {@code platforms} from the source at {@code sourceDir},
   * replacing an earlier one. Checks the toolchain first.
   *
   * @param progress receives make's output lines and progress messages
   * @throws BuildException TOOLCHAIN naming the missing Debian packages, BAD_INPUT when {@code
   *     sourceDir} is not an iPXE tree, FAILED when make fails or times out
   */
  public Map<IpxePlatform, Prepared> prepare(
      Path sourceDir, Set<IpxePlatform> platforms, Consumer<String> progress)
      throws BuildException, InterruptedException {
    List<Toolchain.Missing> missing = toolchain.missing(platforms, hostArch);
    if (!missing.isEmpty()) {
      throw new BuildException(BuildException.Kind.TOOLCHAIN, Toolchain.explain(missing));
    }
    IpxeSource source;
    try {
      source = IpxeSource.open(sourceDir);
    } catch (IOException e) {
      throw new BuildException(BuildException.Kind.BAD_INPUT, e.getMessage(), e);
    }
    progress.accept(
        "iPXE source " + source.src() + ": version " + source.version() + ", id " + source.id());
    Map<IpxePlatform, Prepared> done = new EnumMap<>(IpxePlatform.class);
    for (IpxePlatform p : IpxePlatform.values()) {
      if (platforms.contains(p)) {
        done.put(p, prepareOne(source, p, progress));
      }
    }
    return done;
  }

  private Prepared prepareOne(IpxeSource source, IpxePlatform p, Consumer<String> progress)
      throws BuildException, InterruptedException {
    Path fresh = root.resolve("trees").resolve("." + p.id() + ".new-" + System.nanoTime());
    try {
      progress.accept(p.id() + ": copying the source to " + tree(p));
      Files.createDirectories(fresh);
      source.copyTo(fresh.resolve("src"));
      Path local = fresh.resolve("src/config/local/general.h");
      Files.createDirectories(local.getParent());
      Files.writeString(local, LOCAL_CONFIG, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      Optional<String> cross = p.cross(hostArch);
      List<String> goals = new ArrayList<>();
      for (String t : p.targets()) {
        goals.add(p.binDir() + "/" + t);
      }
      List<String> cmd = makeCommand(p, cross, goals, List.of());
      progress.accept(
          p.id() + ": compiling (" + String.join(" ", cmd) + "); this takes minutes, once");
      Make.Result r =
          Make.run(cmd, fresh.resolve("src"), settings.prepareTimeout(), progress::accept);
      if (!r.ok()) {
        throw failed("preparing " + p.id(), r, settings.prepareTimeout());
      }
      Path fw = firmwareDir().resolve(p.id());
      Files.createDirectories(fw);
      for (String t : p.targets()) {
        replaceFile(fresh.resolve("src").resolve(p.binDir()).resolve(t), fw.resolve(t));
      }
      Instant now = Instant.now();
      Properties pr = new Properties();
      pr.setProperty("platform", p.id());
      pr.setProperty("version", source.version());
      pr.setProperty("sourceId", source.id());
      pr.setProperty("source", source.src().toString());
      pr.setProperty("cross", cross.orElse(""));
      pr.setProperty("makeArgs", String.join("\n", p.makeArgs()));
      pr.setProperty("preparedAt", now.toString());
      pr.setProperty("seconds", Long.toString(r.took().toSeconds()));
      try (Writer w =
          Files.newBufferedWriter(fresh.resolve("prepared.properties"), StandardCharsets.UTF_8)) {
        pr.store(w, "chainboot ipxe prepare");
      }
      Path old = root.resolve("trees").resolve("." + p.id() + ".old-" + System.nanoTime());
      withTree(
          p,
          () -> {
            if (Files.exists(tree(p))) {
              Files.move(tree(p), old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(fresh, tree(p), StandardCopyOption.ATOMIC_MOVE);
            return null;
          });
      deleteTree(old);
      Prepared done = prepared(p).orElseThrow();
      // The script slots of the plain targets now, so that no request waits for their relink.
      for (String t : p.targets()) {
        progress.accept(p.id() + ": script slot of " + t);
        withTree(p, () -> slot(new BuildSpec(p, t, Optional.empty(), List.of(), List.of()), done));
      }
      progress.accept(p.id() + ": prepared in " + r.took().toSeconds() + " s (" + tree(p) + ")");
      return done;
    } catch (IOException e) {
      throw new BuildException(
          BuildException.Kind.FAILED, "preparing " + p.id() + ": " + e.getMessage(), e);
    } finally {
      deleteTree(fresh);
    }
  }

  // ---------------------------------------------------------------- build

  /**
   * The cache key of {@code spec} with the tree as prepared now.
   *
   * @throws BuildException NOT_PREPARED
   */
  public String key(BuildSpec spec) throws BuildException {
    return spec.key(requirePrepared(spec.platform()).sourceId());
  }

  private Prepared requirePrepared(IpxePlatform p) throws BuildException {
    return prepared(p)
        .orElseThrow(
            () -> new BuildException(BuildException.Kind.NOT_PREPARED, notPreparedMessage(p)));
  }

  /** The binary for {@code spec} if it is in the cache (never builds). */
  public Optional<Built> cached(BuildSpec spec) throws BuildException {
    long t0 = System.nanoTime();
    String key = key(spec);
    return readCache(key, spec.extension())
        .map(b -> new Built(b, key, true, Duration.ofNanos(System.nanoTime() - t0)));
  }

  /**
   * The binary for {@code spec}: from the cache, else built in the platform's warm tree (waiting
   * for the tree; one build per tree at a time).
   *
   * @throws BuildException NOT_PREPARED, BUSY (too many builds waiting), BAD_INPUT, FAILED
   */
  public Built build(BuildSpec spec) throws BuildException, InterruptedException {
    return build(spec, key(spec));
  }

  /**
   * {@link #build(BuildSpec)} with {@code key} as {@link #key(BuildSpec)} just returned for {@code
   * spec}, so that a server that needs the key first (an ETag) hashes the inputs once per request.
   * A cache hit is answered from {@code key} alone (from memory when it was served recently); a
   * miss checks the inputs and computes the key again under the tree's lock before it builds.
   */
  public Built build(BuildSpec spec, String key) throws BuildException, InterruptedException {
    long t0 = System.nanoTime();
    Optional<byte[]> hit = readCache(key, spec.extension());
    if (hit.isPresent()) {
      return new Built(hit.get(), key, true, Duration.ofNanos(System.nanoTime() - t0));
    }
    if (spec.script().isPresent() && spec.script().get().length > BuildSpec.MAX_SCRIPT) {
      throw new BuildException(
          BuildException.Kind.BAD_INPUT,
          "embedded script larger than " + BuildSpec.MAX_SCRIPT + " bytes");
    }
    for (String pem : spec.trust()) {
      checkPem(pem);
    }
    for (String pem : spec.cert()) {
      checkPem(pem);
    }
    CompletableFuture<Built> mine = new CompletableFuture<>();
    CompletableFuture<Built> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      try {
        Built b = running.get();
        return new Built(b.bytes, b.key(), b.cached(), Duration.ofNanos(System.nanoTime() - t0));
      } catch (ExecutionException e) {
        if (e.getCause() instanceof BuildException be) {
          throw new BuildException(be.kind(), be.getMessage(), be);
        }
        throw new BuildException(BuildException.Kind.FAILED, String.valueOf(e.getCause()), e);
      }
    }
    try {
      Built b = buildInTree(spec, key, t0);
      mine.complete(b);
      return b;
    } catch (BuildException | RuntimeException | InterruptedException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  private Built buildInTree(BuildSpec spec, String key, long t0)
      throws BuildException, InterruptedException {
    IpxePlatform p = spec.platform();
    AtomicInteger w = waiting.get(p);
    if (w.incrementAndGet() > settings.maxQueue()) {
      w.decrementAndGet();
      throw new BuildException(
          BuildException.Kind.BUSY,
          "too many iPXE builds waiting for the "
              + p.id()
              + " tree ("
              + settings.maxQueue()
              + "); try again in a few seconds");
    }
    try {
      return withTree(
          p,
          () -> {
            // The tree may have been re-prepared, or another process built it, while we waited.
            String k = key(spec);
            Optional<byte[]> hit = readCache(k, spec.extension());
            if (hit.isPresent()) {
              return new Built(hit.get(), k, true, Duration.ofNanos(System.nanoTime() - t0));
            }
            byte[] out = produce(spec, k, requirePrepared(p));
            storeCache(k, spec.extension(), out);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            log.info("ipxe: built {} in {} ms ({})", spec, took.toMillis(), k.substring(0, 16));
            return new Built(out, k, false, took);
          });
    } finally {
      w.decrementAndGet();
    }
  }

  /** Written into the target's script slot when it can be, else relinked by make. */
  private byte[] produce(BuildSpec spec, String key, Prepared prep)
      throws BuildException, IOException, InterruptedException {
    requireOpensslFor(spec);
    if (ScriptSlot.fits(spec)) {
      Optional<ScriptSlot> slot = slot(spec, prep);
      if (slot.isPresent()) {
        Path work = tree(spec.platform()).resolve("work").resolve(key);
        deleteTree(work);
        Files.createDirectories(work);
        try {
          return slot.get().write(spec.script().get(), work, settings.buildTimeout());
        } catch (BuildException | IOException e) {
          log.warn("ipxe: writing {} into its script slot failed, relinking: {}", spec, e);
        } finally {
          deleteTree(work);
        }
      }
    }
    return make(spec, key, prep);
  }

  /**
   * The script slot of a target and set of certificates in the prepared tree: read from {@code
   * TREE/slot/TARGET-HASH/} when it was made for this preparation, else made now by one relink with
   * a placeholder script (called with the tree held). Empty, and remembered, when the template does
   * not come out as expected.
   */
  private Optional<ScriptSlot> slot(BuildSpec spec, Prepared prep) throws InterruptedException {
    IpxePlatform p = spec.platform();
    String target = spec.target();
    // One slot per target and set of certificates (TRUST=/CERT= are compiled in, not embedded).
    BuildSpec certs = new BuildSpec(p, target, Optional.empty(), spec.trust(), spec.cert());
    String name = target + "-" + certs.key(prep.sourceId()).substring(0, 16);
    String id = p.id() + "/" + name + "@" + prep.preparedAt();
    Optional<ScriptSlot> known = slots.get(id);
    if (known != null) {
      return known;
    }
    Optional<ScriptSlot> s;
    try {
      s = readSlot(p, name, prep);
      if (s.isEmpty()) {
        s = makeSlot(certs, name, prep);
      }
    } catch (IOException e) {
      log.info("ipxe: {} {}: no script slot ({}); relinking each script", p.id(), target, e);
      s = Optional.empty();
    }
    slots.put(id, s);
    return s;
  }

  private Path slotDir(IpxePlatform p, String name) {
    return tree(p).resolve("slot").resolve(name);
  }

  private Optional<ScriptSlot> readSlot(IpxePlatform p, String name, Prepared prep)
      throws IOException {
    Path dir = slotDir(p, name);
    Path stamp = dir.resolve("prepared-at");
    if (!Files.isRegularFile(stamp)
        || !Files.readString(stamp).equals(prep.preparedAt().toString())) {
      return Optional.empty();
    }
    return slotIn(p, dir, Files.readAllBytes(dir.resolve("chainboot.ipxe")));
  }

  /** The slot of {@code dir}'s template ({@code image}, and {@code zinfo} for an .lkrn). */
  private Optional<ScriptSlot> slotIn(IpxePlatform p, Path dir, byte[] placeholder)
      throws IOException {
    boolean lkrn = Files.isRegularFile(dir.resolve("zinfo"));
    return ScriptSlot.find(
        Files.readAllBytes(dir.resolve("image")),
        placeholder,
        lkrn ? Optional.of(dir.resolve("zinfo")) : Optional.empty(),
        lkrn ? Optional.of(tree(p).resolve("src/util/zbin32")) : Optional.empty());
  }

  private Optional<ScriptSlot> makeSlot(BuildSpec certs, String name, Prepared prep)
      throws IOException, InterruptedException {
    IpxePlatform p = certs.platform();
    String target = certs.target();
    Path src = tree(p).resolve("src");
    Path dir = slotDir(p, name);
    deleteTree(dir);
    Files.createDirectories(dir);
    byte[] placeholder = ScriptSlot.placeholder();
    Files.write(dir.resolve("chainboot.ipxe"), placeholder);
    // A .lkrn is compressed: its slot is in make's uncompressed image (kept as a goal), compressed
    // by the tree's own zbin32 per script. Without that tool there is no slot.
    boolean lkrn = target.endsWith(".lkrn");
    if (lkrn && !Files.isExecutable(src.resolve("util/zbin32"))) {
      log.info("ipxe: {} {}: no util/zbin32 in the tree; relinking each script", p.id(), target);
      return Optional.empty();
    }
    String out = p.binDir() + "/" + target;
    List<String> cmd =
        makeCommand(
            p,
            prep.cross(),
            lkrn ? List.of(out, out + ".bin", out + ".zinfo") : List.of(out),
            List.of(
                "EMBED=../slot/" + name + "/chainboot.ipxe",
                "TRUST=" + writePems(dir, "trust", certs.trust(), "../slot/" + name),
                "CERT=" + writePems(dir, "cert", certs.cert(), "../slot/" + name)));
    Make.Result r =
        Make.run(cmd, src, settings.buildTimeout(), line -> log.debug("ipxe make: {}", line));
    if (!r.ok()) {
      log.info(
          "ipxe: {} {}: no script slot (make {}); relinking each script",
          p.id(),
          target,
          r.timedOut() ? "timed out" : "exit " + r.exit());
      return Optional.empty();
    }
    byte[] made = Files.readAllBytes(src.resolve(out));
    if (lkrn) {
      Files.copy(src.resolve(out + ".bin"), dir.resolve("image"));
      Files.copy(src.resolve(out + ".zinfo"), dir.resolve("zinfo"));
    } else {
      Files.write(dir.resolve("image"), made);
    }
    Optional<ScriptSlot> s = slotIn(p, dir, placeholder);
    if (s.isPresent()) {
      // The slot with its own placeholder must give back exactly what make made.
      Path work = dir.resolve("check");
      Files.createDirectories(work);
      byte[] again;
      try {
        again = s.get().write(placeholder, work, settings.buildTimeout());
      } catch (BuildException e) {
        again = new byte[0];
      } finally {
        deleteTree(work);
      }
      if (!java.util.Arrays.equals(again, made)) {
        s = Optional.empty();
      }
    }
    if (s.isEmpty()) {
      log.info(
          "ipxe: {} {}: the placeholder script did not come out as expected; relinking each"
              + " script",
          p.id(),
          target);
      return s;
    }
    Files.writeString(dir.resolve("prepared-at"), prep.preparedAt().toString());
    log.info("ipxe: {} {}: script slot ready; scripts are written into it", p.id(), target);
    return s;
  }

  private void requireOpensslFor(BuildSpec spec) throws BuildException {
    if ((!spec.trust().isEmpty() || !spec.cert().isEmpty())
        && toolchain.which("openssl").isEmpty()) {
      // Without openssl, iPXE's make silently builds with no TRUST= fingerprints: iPXE's own root.
      throw new BuildException(
          BuildException.Kind.TOOLCHAIN,
          Toolchain.explain(List.of(new Toolchain.Missing("openssl", "openssl")))
              + " (iPXE's make needs it for TRUST= and CERT=)");
    }
  }

  /** A relink with the script (called by {@link #produce}, which checked the toolchain). */
  private byte[] make(BuildSpec spec, String key, Prepared prep)
      throws BuildException, IOException, InterruptedException {
    IpxePlatform p = spec.platform();
    Path src = tree(p).resolve("src");
    Path work = tree(p).resolve("work").resolve(key);
    deleteTree(work);
    Files.createDirectories(work);
    try {
      // Relative paths: make splits these lists on commas and spaces, which DATA may contain.
      String embed = "";
      if (spec.script().isPresent()) {
        Files.write(work.resolve("chainboot.ipxe"), spec.script().get());
        embed = "../work/" + key + "/chainboot.ipxe";
      }
      List<String> cmd =
          makeCommand(
              p,
              prep.cross(),
              List.of(p.binDir() + "/" + spec.target()),
              List.of(
                  "EMBED=" + embed,
                  "TRUST=" + writePems(work, "trust", spec.trust(), "../work/" + key),
                  "CERT=" + writePems(work, "cert", spec.cert(), "../work/" + key)));
      Make.Result r =
          Make.run(cmd, src, settings.buildTimeout(), line -> log.debug("ipxe make: {}", line));
      if (!r.ok()) {
        throw failed("building " + spec, r, settings.buildTimeout());
      }
      Path out = src.resolve(p.binDir()).resolve(spec.target());
      byte[] bytes = Files.readAllBytes(out);
      if (bytes.length == 0) {
        throw new BuildException(BuildException.Kind.FAILED, "make left an empty " + out);
      }
      return bytes;
    } finally {
      deleteTree(work);
    }
  }

  /**
   * iPXE's make as chainboot runs it in a tree: {@code goals}, then {@code vars} ({@code EMBED=}
   * ...), then what every build of the platform gets ({@code NO_WERROR}, {@link
   * IpxePlatform#makeArgs()}, {@code CROSS=}), the same for prepare, slots and relinks.
   */
  private List<String> makeCommand(
      IpxePlatform p, Optional<String> cross, List<String> goals, List<String> vars) {
    List<String> cmd = new ArrayList<>(List.of("make", "-j" + settings.jobs()));
    cmd.addAll(goals);
    cmd.addAll(vars);
    cmd.add("NO_WERROR=1");
    cmd.addAll(p.makeArgs());
    cross.ifPresent(c -> cmd.add("CROSS=" + c));
    return cmd;
  }

  /**
   * Writes {@code pems} into {@code dir} and returns them as make's list, relative to the tree's
   * {@code src/}: {@code relDir} is {@code dir} from there.
   */
  private static String writePems(Path dir, String name, List<String> pems, String relDir)
      throws IOException {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < pems.size(); i++) {
      String f = name + "-" + i + ".pem";
      Files.writeString(dir.resolve(f), pems.get(i), StandardCharsets.US_ASCII);
      names.add(relDir + "/" + f);
    }
    return String.join(",", names);
  }

  private static void checkPem(String pem) throws BuildException {
    if (!pem.contains("-----BEGIN CERTIFICATE-----")
        || !pem.contains("-----END CERTIFICATE-----")
        || !StandardCharsets.US_ASCII.newEncoder().canEncode(pem)) {
      throw new BuildException(
          BuildException.Kind.BAD_INPUT, "a trusted or embedded certificate is not PEM text");
    }
    try {
      BuildSpec.certificates(pem);
    } catch (IllegalArgumentException e) {
      throw new BuildException(
          BuildException.Kind.BAD_INPUT,
          "a trusted or embedded certificate cannot be read: " + e.getMessage(),
          e);
    }
  }

  private static BuildException failed(String what, Make.Result r, Duration limit) {
    return new BuildException(
        BuildException.Kind.FAILED,
        r.timedOut()
            ? what
                + ": make did not finish within "
                + limit.toSeconds()
                + " s and was stopped"
                + (r.tail().isEmpty() ? "" : "; its last lines:\n" + r.tailText())
            : what + ": make failed (exit " + r.exit() + "); its last lines:\n" + r.tailText());
  }

  /**
   * Work under {@code p}'s tree lock: in this process (fair) and across processes (a file lock).
   */
  private <T> T withTree(IpxePlatform p, TreeWork<T> work)
      throws BuildException, InterruptedException {
    Path lockFile = root.resolve("trees").resolve(p.id() + ".lock");
    Semaphore s = TREE_LOCKS.computeIfAbsent(lockFile, f -> new Semaphore(1, true));
    s.acquire();
    try {
      Files.createDirectories(lockFile.getParent());
      try (FileChannel ch =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        return work.run();
      }
    } catch (IOException e) {
      throw new BuildException(
          BuildException.Kind.FAILED, "iPXE " + p.id() + " tree: " + e.getMessage(), e);
    } finally {
      s.release();
    }
  }

  @FunctionalInterface
  private interface TreeWork<T> {
    T run() throws BuildException, IOException, InterruptedException;
  }

  // ---------------------------------------------------------------- cache

  /**
   * The cached binary {@code key.ext}: from memory (touching the file at most every {@link
   * #TOUCH_EVERY}), else from the file, which is then kept in memory too.
   */
  private Optional<byte[]> readCache(String key, String ext) {
    String name = key + "." + ext;
    Path f = cacheDir().resolve(name);
    Optional<byte[]> hot = memory.get(name, System.nanoTime(), TOUCH_EVERY.toNanos(), f);
    if (hot.isPresent()) {
      return hot;
    }
    try {
      byte[] b = Files.readAllBytes(f);
      touch(f);
      memory.put(name, b, System.nanoTime());
      return Optional.of(b);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      log.warn("ipxe: cannot read cached {}: {}", f, e.toString());
      return Optional.empty();
    }
  }

  private static void touch(Path f) {
    try {
      Files.setLastModifiedTime(f, FileTime.from(Instant.now()));
    } catch (IOException e) {
      // only the eviction order suffers
    }
  }

  private void storeCache(String key, String ext, byte[] bytes) throws IOException {
    Path dir = cacheDir();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + key, ".part");
    try {
      Files.write(tmp, bytes);
      moveOver(tmp, dir.resolve(key + "." + ext));
    } finally {
      Files.deleteIfExists(tmp);
    }
    memory.put(key + "." + ext, bytes, System.nanoTime());
    evict();
  }

  /** Deletes the least recently used cached binaries until the cache fits its bound. */
  void evict() {
    record Entry(Path path, long size, FileTime used) {}
    List<Entry> all = new ArrayList<>();
    long total = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(cacheDir())) {
      for (Path f : ds) {
        if (f.getFileName().toString().startsWith(".")) {
          continue;
        }
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        if (a.isRegularFile()) {
          all.add(new Entry(f, a.size(), a.lastModifiedTime()));
          total += a.size();
        }
      }
    } catch (IOException | UncheckedIOException e) {
      log.warn("ipxe: cannot list the build cache: {}", e.toString());
      return;
    }
    if (total <= settings.maxCacheBytes()) {
      return;
    }
    all.sort((a, b) -> a.used().compareTo(b.used()));
    for (Entry e : all) {
      if (total <= settings.maxCacheBytes()) {
        break;
      }
      try {
        Files.deleteIfExists(e.path());
        memory.remove(e.path().getFileName().toString());
        total -= e.size();
      } catch (IOException ex) {
        log.warn("ipxe: cannot evict {}: {}", e.path(), ex.toString());
      }
    }
  }

  /** The cached binaries' total size in bytes. */
  public long cacheBytes() {
    long total = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(cacheDir())) {
      for (Path f : ds) {
        if (Files.isRegularFile(f) && !f.getFileName().toString().startsWith(".")) {
          total += Files.size(f);
        }
      }
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return total;
  }

  /**
   * Recently served binaries by cache file name, least recently used out beyond {@code max} bytes.
   * Entries are immutable content (the name is a hash of the inputs), so a copy here is never
   * stale; a binary evicted from the disk cache leaves memory as well.
   */
  private static final class Memory {
    private record Entry(byte[] bytes, long touched) {}

    private final long max;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long total;

    Memory(long max) {
      this.max = max;
    }

    /**
     * The bytes of {@code name}; touches {@code file} when its last touch is older than {@code
     * every}.
     */
    Optional<byte[]> get(String name, long now, long every, Path file) {
      Entry e;
      boolean touch = false;
      synchronized (this) {
        e = entries.get(name);
        if (e == null) {
          return Optional.empty();
        }
        if (now - e.touched() > every) {
          entries.put(name, new Entry(e.bytes(), now));
          touch = true;
        }
      }
      if (touch) {
        IpxeBuilds.touch(file);
      }
      return Optional.of(e.bytes());
    }

    synchronized void put(String name, byte[] bytes, long now) {
      if (bytes.length > max) {
        return;
      }
      Entry old = entries.put(name, new Entry(bytes, now));
      total += bytes.length - (old == null ? 0 : old.bytes().length);
      var it = entries.values().iterator();
      while (total > max && it.hasNext()) {
        Entry e = it.next();
        total -= e.bytes().length;
        it.remove();
      }
    }

    synchronized void remove(String name) {
      Entry e = entries.remove(name);
      if (e != null) {
        total -= e.bytes().length;
      }
    }
  }

  // ---------------------------------------------------------------- files

  private static void replaceFile(Path from, Path to) throws IOException {
    Path tmp = Files.createTempFile(to.getParent(), "." + to.getFileName(), ".part");
    try {
      Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
      moveOver(tmp, to);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void moveOver(Path tmp, Path to) throws IOException {
    try {
      Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
              Files.delete(f);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("ipxe: cannot delete {}: {}", dir, e.toString());
    }
  }

  /** Parses {@code --platform} values (repeatable, comma-separated); empty means all. */
  public static Set<IpxePlatform> parsePlatforms(List<String> values) {
    Set<IpxePlatform> out = new LinkedHashSet<>();
    for (String v : values) {
      for (String one : v.split(",")) {
        if (one.isBlank()) {
          continue;
        }
        out.add(
            IpxePlatform.byId(one)
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "unknown iPXE platform '"
                                + dev.chainboot.text.Printable.of(one.strip(), 40)
                                + "' (one of "
                                + IpxePlatform.ids()
                                + ")")));
      }
    }
    return out;
  }
}
