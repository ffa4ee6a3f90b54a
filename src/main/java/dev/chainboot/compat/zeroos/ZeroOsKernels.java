package dev.chainboot.compat.zeroos;

import dev.chainboot.fs.SafePath;
import dev.chainboot.text.Printable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Zero-OS bootstrap's kernel directory, managed: the kernels are files in {@code DATA/kernels}
 * (named as the seed names them, {@code zero-os-BRANCH-ARCH.efi}, or any other plain file name),
 * and each runmode's default is {@code DATA/kernels/net/<runmode>.efi}, a symbolic link to the
 * current version ({@link ZeroOsBoot#kernelFile} follows it). Uploads are streamed to a temporary
 * file in the same directory (its name starts with a dot, so no URL can name it) and renamed into
 * place when complete; a switch creates a new link beside the old one and renames it over it, so a
 * machine booting meanwhile gets the old kernel or the new one, never none. Failures are {@link
 * ZeroOsRequest.Invalid} with their HTTP status (400 bad name, 404 unknown, 409 exists or in use,
 * 413 too large).
 */
public final class ZeroOsKernels {

  /** Largest kernel accepted by default (a Zero-OS kernel with its initramfs is 30-100 MB). */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A kernel file.
   *
   * @param name its file name in the kernels directory
   * @param size bytes
   * @param modified last modification
   * @param runmodes the runmodes whose default it is now
   */
  public record Kernel(String name, long size, Instant modified, List<String> runmodes) {
    public Kernel {
      runmodes = List.copyOf(runmodes);
    }
  }

  /** An uploaded kernel and its SHA-256 (hex). */
  public record Uploaded(Kernel kernel, String sha256) {}

  /**
   * A configured runmode and the kernel it boots by default.
   *
   * @param runmode its key
   * @param pretty its long name
   * @param kernel the kernel file its link leads to (relative to the kernels directory), if any
   * @param link whether {@code net/<runmode>.efi} is a symbolic link (false: a plain file, or none)
   */
  public record Runmode(String runmode, String pretty, Optional<String> kernel, boolean link) {}

  private final Path root;
  private final Supplier<Map<String, String>> runmodes;
  private final long maxBytes;

  /**
   * @param root DATA/kernels (created when a kernel is uploaded)
   * @param runmodes the configured runmodes (key -&gt; pretty name), read at each call
   * @param maxBytes the largest upload accepted
   */
  public ZeroOsKernels(Path root, Supplier<Map<String, String>> runmodes, long maxBytes) {
    this.root = root;
    this.runmodes = runmodes;
    this.maxBytes = maxBytes;
  }

  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Checks a kernel's name: a plain file name ({@link ZeroOsRequest#isPlainFileName}: no
   * directories, no leading dot, letters, digits, '.', '_', '+', '-'), as the kernel URLs take it.
   *
   * @throws ZeroOsRequest.Invalid 400 otherwise
   */
  public static String checkName(String name) {
    if (name == null
        || !ZeroOsRequest.isPlainFileName(name)
        || SafePath.problem(name).isPresent()) {
      throw new ZeroOsRequest.Invalid(
          400,
          "kernel name must be a plain file name such as zero-os-BRANCH-ARCH.efi (letters,"
              + " digits, '.', '_', '+', '-'; no '/', not starting with '.'), got '"
              + Printable.of(String.valueOf(name), 80)
              + "'");
    }
    return name;
  }

  /** The kernels in the directory (plain names, regular files), by name. */
  public List<Kernel> kernels() {
    Map<String, List<String>> used = usage();
    List<Kernel> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> files = Files.list(root)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (ZeroOsRequest.isPlainFileName(name)
            && SafePath.resolve(root, name).filter(Files::isRegularFile).isPresent()) {
          out.add(kernel(p, used.getOrDefault(name, List.of())));
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot list " + root, e);
    }
    return out;
  }

  /** One kernel. @throws ZeroOsRequest.Invalid 400 bad name, 404 none */
  public Kernel kernel(String name) {
    Path p = existing(name);
    return kernel(p, usage().getOrDefault(name, List.of()));
  }

  private Kernel kernel(Path p, List<String> used) {
    try {
      return new Kernel(
          p.getFileName().toString(),
          Files.size(p),
          Files.getLastModifiedTime(p).toInstant(),
          used);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private Path existing(String name) {
    checkName(name);
    Path p = root.resolve(name);
    if (!Files.isRegularFile(p)
        || SafePath.resolve(root, name).filter(Files::isRegularFile).isEmpty()) {
      throw new ZeroOsRequest.Invalid(
          404, "no kernel '" + name + "' in the kernels directory (see the kernel list)");
    }
    return p;
  }

  /** The configured runmodes, each with the kernel it boots now. */
  public List<Runmode> runmodes() {
    List<Runmode> out = new ArrayList<>();
    for (Map.Entry<String, String> e : runmodes.get().entrySet()) {
      out.add(runmode(e.getKey(), e.getValue()));
    }
    return out;
  }

  private Runmode runmode(String key, String pretty) {
    Path link = root.resolve("net").resolve(key + ".efi");
    boolean isLink = Files.isSymbolicLink(link);
    Optional<String> kernel = Optional.empty();
    Optional<Path> real =
        SafePath.resolve(root, "net/" + key + ".efi").filter(Files::isRegularFile);
    if (real.isPresent()) {
      try {
        kernel =
            Optional.of(root.toRealPath().relativize(real.get()).toString().replace('\\', '/'));
      } catch (IOException e) {
        kernel = Optional.empty();
      }
    }
    return new Runmode(key, pretty, kernel, isLink);
  }

  /** Kernel name -&gt; the runmodes booting it. */
  private Map<String, List<String>> usage() {
    Map<String, List<String>> used = new LinkedHashMap<>();
    for (Runmode r : runmodes()) {
      r.kernel().ifPresent(k -> used.computeIfAbsent(k, x -> new ArrayList<>()).add(r.runmode()));
    }
    return used;
  }

  /**
   * Stores a new kernel from {@code in}: into a temporary file beside the kernels, flushed to disk,
   * then renamed to {@code name}. Nothing of a failed upload stays.
   *
   * @param declared the length the client declared, or -1 (refused early when too large)
   * @throws ZeroOsRequest.Invalid 400 bad name or empty, 409 a kernel of that name exists (kernels
   *     are versions: upload a new name and switch), 413 larger than {@link #maxBytes()}
   */
  public Uploaded upload(String name, InputStream in, long declared) throws IOException {
    checkName(name);
    if (declared > maxBytes) {
      throw tooLarge();
    }
    Files.createDirectories(root);
    Path target = root.resolve(name);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw exists(name);
    }
    Path tmp = root.resolve(".upload-" + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
    MessageDigest sha = sha256();
    long total = 0;
    try {
      try (FileChannel ch =
              FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) > 0) {
          total += n;
          if (total > maxBytes) {
            throw tooLarge();
          }
          sha.update(buf, 0, n);
          out.write(buf, 0, n);
        }
        out.flush();
        ch.force(true);
      }
      if (total == 0) {
        throw new ZeroOsRequest.Invalid(400, "the kernel is empty: send the file as the body");
      }
      try {
        // A hard link fails when the name exists (no rename replaces a kernel uploaded meanwhile).
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        throw exists(name);
      } catch (UnsupportedOperationException | IOException e) {
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
          throw exists(name);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(tmp); // the target is only made on success
    }
    return new Uploaded(kernel(name), HexFormat.of().formatHex(sha.digest()));
  }

  /**
   * Removes a kernel no runmode boots.
   *
   * @throws ZeroOsRequest.Invalid 400 bad name, 404 none, 409 a runmode's default
   */
  public void delete(String name) throws IOException {
    Path p = existing(name);
    List<String> used = usage().getOrDefault(name, List.of());
    if (!used.isEmpty()) {
      throw new ZeroOsRequest.Invalid(
          409,
          "kernel '"
              + name
              + "' is the default of runmode "
              + String.join(", ", used)
              + ": switch the runmode to another kernel first");
    }
    Files.delete(p);
  }

  /**
   * Makes {@code kernel} the default of {@code runmode}: a new link {@code net/<runmode>.efi} to
   * {@code ../<kernel>}, made beside the old one and renamed over it (atomic).
   *
   * @return the runmode's previous kernel, if it had one
   * @throws ZeroOsRequest.Invalid 404 unknown runmode or kernel, 400 bad kernel name
   */
  public Optional<String> switchTo(String runmode, String kernel) throws IOException {
    Map<String, String> known = runmodes.get();
    if (runmode == null || !known.containsKey(runmode)) {
      throw new ZeroOsRequest.Invalid(
          404,
          "unknown runmode '"
              + Printable.of(String.valueOf(runmode), 80)
              + "' (configured: "
              + String.join(", ", known.keySet())
              + ")");
    }
    existing(kernel);
    Optional<String> before = runmode(runmode, known.get(runmode)).kernel();
    Path net = root.resolve("net");
    Files.createDirectories(net);
    Path link = net.resolve(runmode + ".efi");
    Path tmp = net.resolve("." + runmode + ".efi." + Long.toUnsignedString(RANDOM.nextLong(), 36));
    Files.createSymbolicLink(tmp, Path.of("..", kernel));
    try {
      Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return before;
  }

  private ZeroOsRequest.Invalid tooLarge() {
    return new ZeroOsRequest.Invalid(413, "kernel larger than " + maxBytes + " bytes");
  }

  private static ZeroOsRequest.Invalid exists(String name) {
    return new ZeroOsRequest.Invalid(
        409,
        "a kernel named '"
            + name
            + "' exists: kernels are versions, upload this one under a new name and switch the"
            + " runmode to it");
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
