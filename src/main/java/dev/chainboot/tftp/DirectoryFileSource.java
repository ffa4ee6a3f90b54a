package dev.chainboot.tftp;

import dev.chainboot.fs.SafePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Regular files under a root directory (the operator's {@code DATA/tftp/}), read by position. A
 * leading {@code /} is relative to the root; a name that is the root's own absolute path plus a
 * file below it also works. Anything that could leave the root is denied.
 */
public final class DirectoryFileSource implements TftpFileSource {

  private final Path root;

  public DirectoryFileSource(Path root) {
    this.root = root;
  }

  @Override
  public Lookup open(String name) throws IOException {
    Optional<String> problem = SafePath.problem(name);
    if (problem.isPresent()) {
      return new Denied(problem.get());
    }
    if (!Files.isDirectory(root)) {
      return new NotFound();
    }
    String rel = name;
    String absRoot = root.toAbsolutePath().normalize() + "/";
    if (rel.startsWith(absRoot)) {
      rel = rel.substring(absRoot.length());
    }
    Optional<Path> p = SafePath.resolve(root, rel);
    if (p.isEmpty()) {
      return new Denied("resolves outside the TFTP root");
    }
    if (!Files.isRegularFile(p.get())) {
      return new NotFound();
    }
    return new Found(TftpFile.open(p.get()));
  }
}
