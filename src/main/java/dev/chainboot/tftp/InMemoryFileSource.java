package dev.chainboot.tftp;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Files held in memory under fixed names (the boot binaries, {@code chain.ipxe}), found in any
 * case. A leading {@code /} is ignored. A supplier answering empty means the file is not available.
 */
public final class InMemoryFileSource implements TftpFileSource {

  private final Map<String, Supplier<Optional<byte[]>>> files;

  public InMemoryFileSource(Map<String, Supplier<Optional<byte[]>>> files) {
    this.files = Map.copyOf(files);
  }

  @Override
  public Lookup open(String name) {
    String key = name;
    while (key.startsWith("/")) {
      key = key.substring(1);
    }
    Supplier<Optional<byte[]>> s = files.get(key);
    if (s == null) {
      // Some firmware changes the case of the boot file name.
      for (Map.Entry<String, Supplier<Optional<byte[]>>> e : files.entrySet()) {
        if (e.getKey().equalsIgnoreCase(key)) {
          s = e.getValue();
          break;
        }
      }
    }
    if (s == null) {
      return new NotFound();
    }
    return s.get().<Lookup>map(b -> new Found(TftpFile.ofBytes(b))).orElseGet(NotFound::new);
  }
}
