package dev.chainboot.tftp;

import dev.chainboot.fs.SafePath;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Asks each source in order; the first that finds or denies the name decides. Unsafe names ({@code
 * ..}, backslash, control characters) are denied before any source sees them, and an absolute name
 * that no source has is denied as lying outside the root.
 */
public final class CompositeFileSource implements TftpFileSource {

  private final List<TftpFileSource> sources;

  public CompositeFileSource(List<TftpFileSource> sources) {
    this.sources = List.copyOf(sources);
  }

  @Override
  public Lookup open(String name) throws IOException {
    Optional<String> problem = SafePath.problem(name);
    if (problem.isPresent()) {
      return new Denied(problem.get());
    }
    for (TftpFileSource s : sources) {
      Lookup l = s.open(name);
      if (!(l instanceof NotFound)) {
        return l;
      }
    }
    if (name.startsWith("/")) {
      return new Denied("absolute path outside the TFTP root");
    }
    return new NotFound();
  }
}
