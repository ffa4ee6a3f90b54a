package dev.chainboot.media;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Built images by content key (the SHA-256 of everything that determines them), least recently used
 * first out, bounded by total bytes. Images are immutable once built; callers must not modify the
 * arrays they get.
 */
public final class MediaCache {

  private final long maxBytes;
  private long bytes;
  private final LinkedHashMap<String, byte[]> map = new LinkedHashMap<>(16, 0.75f, true);
  private long hits;
  private long misses;

  public MediaCache(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** The cached image for {@code key}, building (outside the lock) and storing it when absent. */
  public byte[] get(String key, Supplier<byte[]> build) {
    synchronized (this) {
      byte[] b = map.get(key);
      if (b != null) {
        hits++;
        return b;
      }
      misses++;
    }
    byte[] built = build.get();
    synchronized (this) {
      byte[] raced = map.get(key);
      if (raced != null) {
        return raced;
      }
      if (built.length <= maxBytes) {
        map.put(key, built);
        bytes += built.length;
        var it = map.entrySet().iterator();
        while (bytes > maxBytes && it.hasNext()) {
          Map.Entry<String, byte[]> e = it.next();
          bytes -= e.getValue().length;
          it.remove();
        }
      }
      return built;
    }
  }

  /** The image cached under {@code key}, if it still is. */
  public synchronized java.util.Optional<byte[]> find(String key) {
    return java.util.Optional.ofNullable(map.get(key));
  }

  public synchronized int size() {
    return map.size();
  }

  public synchronized long hits() {
    return hits;
  }

  public synchronized long misses() {
    return misses;
  }
}
