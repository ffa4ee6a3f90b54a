package dev.chainboot.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Resolves a client-supplied relative path inside a root directory, refusing anything that could
 * leave it: {@code ..} segments, absolute paths, backslashes, NUL and other control characters, and
 * symbolic links whose target lies outside the root. Used by every transport that serves files
 * (TFTP, HTTP assets, compat document roots).
 */
public final class SafePath {

  private SafePath() {}

  /** Why {@code requested} is unsafe, or empty when it is a plain relative path. */
  public static Optional<String> problem(String requested) {
    if (requested == null || requested.isEmpty()) {
      return Optional.of("empty path");
    }
    for (int i = 0; i < requested.length(); i++) {
      char c = requested.charAt(i);
      if (c == 0) {
        return Optional.of("NUL byte in path");
      }
      if (c < 0x20 || c == 0x7f) {
        return Optional.of("control character in path");
      }
      if (c == '\\') {
        return Optional.of("backslash in path");
      }
    }
    String p = requested;
    while (p.startsWith("/")) {
      p = p.substring(1);
    }
    for (String seg : p.split("/", -1)) {
      if (seg.equals("..")) {
        return Optional.of("'..' in path");
      }
    }
    return Optional.empty();
  }

  /**
   * The file {@code requested} names under {@code root}, or empty when the path is unsafe or
   * resolves (after following links) outside the root. Leading slashes are taken as relative to the
   * root, as TFTP clients and URLs send them. The file need not exist.
   */
  public static Optional<Path> resolve(Path root, String requested) {
    if (problem(requested).isPresent()) {
      return Optional.empty();
    }
    String rel = requested;
    while (rel.startsWith("/")) {
      rel = rel.substring(1);
    }
    try {
      Path realRoot = root.toRealPath();
      Path candidate = realRoot.resolve(rel).normalize();
      if (!candidate.startsWith(realRoot)) {
        return Optional.empty();
      }
      if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
        Path real = candidate.toRealPath();
        if (!real.startsWith(realRoot)) {
          return Optional.empty();
        }
        return Optional.of(real);
      }
      return Optional.of(candidate);
    } catch (IOException | java.nio.file.InvalidPathException e) {
      return Optional.empty();
    }
  }
}
