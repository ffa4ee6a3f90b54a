package dev.chainboot.ipxebuild;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A binary of a warm tree built once with a placeholder script of {@link #CAPACITY} bytes, into
 * which later scripts are written in place of a relink: the placeholder is the embedded image's
 * whole content, found by a random marker, and a script replaces it followed by newlines (empty
 * script lines) up to the same size, so the embedded image keeps its length and everything around
 * it stays as make left it. A relink costs about 6 s on two cores (make reads its rules twice, the
 * 1000-object library is archived again, linked, compressed); writing into the slot costs
 * milliseconds, plus iPXE's own compressor ({@code util/zbin32}, about 0.5 s) for an {@code .lkrn},
 * whose placeholder sits in the uncompressed image make kept for this.
 *
 * <p>A target has one slot per set of certificates (TRUST=/CERT= are compiled in). Scripts starting
 * with {@code #!ipxe} of at most {@link #CAPACITY} bytes go through a slot; anything else, and a
 * tree whose template did not come out as expected (the marker not exactly once, or the template
 * not given back byte for byte), is relinked by make as before.
 */
final class ScriptSlot {

  /** Room for a script; Zero-OS and chainboot scripts are about 1 KiB. */
  static final int CAPACITY = 16 * 1024;

  private static final byte[] SHEBANG = "#!ipxe".getBytes(StandardCharsets.US_ASCII);

  private final byte[] image; // the template binary (uncompressed for .lkrn)
  private final int offset; // where the placeholder starts in it
  private final Optional<Path> zinfo; // .lkrn: the compression info for util/zbin32
  private final Optional<Path> zbin;

  private ScriptSlot(byte[] image, int offset, Optional<Path> zinfo, Optional<Path> zbin) {
    this.image = image;
    this.offset = offset;
    this.zinfo = zinfo;
    this.zbin = zbin;
  }

  /** A new placeholder: a script line and a random marker comment, padded with newlines. */
  static byte[] placeholder() {
    byte[] rnd = new byte[16];
    new SecureRandom().nextBytes(rnd);
    String head = "#!ipxe\n#chainboot-script-slot-" + HexFormat.of().formatHex(rnd) + "\n";
    byte[] p = new byte[CAPACITY];
    Arrays.fill(p, (byte) '\n');
    byte[] h = head.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(h, 0, p, 0, h.length);
    return p;
  }

  /** Whether {@code script} can be written into a slot (else: a relink). */
  static boolean fits(BuildSpec spec) {
    if (spec.script().isEmpty()) {
      return false;
    }
    byte[] s = spec.script().get();
    return s.length <= CAPACITY
        && s.length >= SHEBANG.length
        && Arrays.equals(s, 0, SHEBANG.length, SHEBANG, 0, SHEBANG.length);
  }

  /**
   * The slot in {@code image}, if {@code placeholder} occurs there exactly once.
   *
   * @param zinfo for an {@code .lkrn}: the compression info beside the uncompressed image
   * @param zbin for an {@code .lkrn}: iPXE's compressor of the tree
   */
  static Optional<ScriptSlot> find(
      byte[] image, byte[] placeholder, Optional<Path> zinfo, Optional<Path> zbin) {
    int at = indexOf(image, placeholder, 0);
    if (at < 0 || indexOf(image, placeholder, at + 1) >= 0) {
      return Optional.empty();
    }
    return Optional.of(new ScriptSlot(image, at, zinfo, zbin));
  }

  /**
   * The binary with {@code script} in the slot.
   *
   * @param work a directory for the compressor's files ({@code .lkrn} only)
   */
  byte[] write(byte[] script, Path work, java.time.Duration timeout)
      throws IOException, InterruptedException, BuildException {
    if (script.length > CAPACITY) {
      throw new IllegalArgumentException("script larger than the slot");
    }
    byte[] out = image.clone();
    Arrays.fill(out, offset, offset + CAPACITY, (byte) '\n');
    System.arraycopy(script, 0, out, offset, script.length);
    if (zinfo.isEmpty()) {
      return out;
    }
    Path bin = work.resolve("slot.bin");
    Path z = work.resolve("slot.zbin");
    Files.write(bin, out);
    Process pr =
        new ProcessBuilder(zbin.get().toString(), bin.toString(), zinfo.get().toString())
            .redirectOutput(z.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!pr.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      pr.destroyForcibly();
      throw new BuildException(
          BuildException.Kind.FAILED, "iPXE's zbin did not finish in " + timeout);
    }
    if (pr.exitValue() != 0) {
      throw new BuildException(
          BuildException.Kind.FAILED, "iPXE's zbin failed (exit " + pr.exitValue() + ")");
    }
    byte[] lkrn = Files.readAllBytes(z);
    if (lkrn.length == 0) {
      throw new BuildException(BuildException.Kind.FAILED, "iPXE's zbin wrote nothing");
    }
    return lkrn;
  }

  static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
