package dev.chainboot.store;

import java.io.IOException;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Tells, without a query, whether any process has committed to a SQLite database in WAL mode since
 * an earlier look: it reads the WAL-index header at the start of the {@code -shm} file (documented
 * in SQLite's "WAL-mode file format"), which every commit rewrites (its change counter, frame
 * count, salts and checksum). SQLite writes the header's second copy first and its first copy last,
 * so the two copies agree only when no commit is half-published; a {@link Mark} is taken only then.
 *
 * <p>Valid only while the caller keeps a connection to the database open (so SQLite cannot delete
 * and recreate the {@code -shm} file under the mapping): {@link SqliteStore} holds one.
 */
final class WalCommitWatch implements AutoCloseable {

  private static final int HEADER = 48;

  /** The WAL-index header as of one look; equal marks mean no commit in between. */
  record Mark(long h0, long h1, long h2, long h3, long h4, long h5) {}

  private final FileChannel channel;
  private final MappedByteBuffer shm;

  private WalCommitWatch(FileChannel channel, MappedByteBuffer shm) {
    this.channel = channel;
    this.shm = shm;
  }

  /** Watches {@code db}'s {@code -shm} file; empty if it cannot be mapped. */
  static Optional<WalCommitWatch> open(Path db) {
    Path file = db.resolveSibling(db.getFileName() + "-shm");
    try {
      FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
      try {
        if (ch.size() < 2 * HEADER) {
          ch.close();
          return Optional.empty();
        }
        MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, 2 * HEADER);
        buf.order(ByteOrder.nativeOrder());
        return Optional.of(new WalCommitWatch(ch, buf));
      } catch (IOException | RuntimeException e) {
        ch.close();
        return Optional.empty();
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The header now, or null while a commit is being published or before initialization. */
  Mark mark() {
    Mark first = read(0);
    VarHandle.acquireFence();
    Mark second = read(HEADER);
    // isInit (byte 12 of the header) must be set for the header to mean anything
    if (!first.equals(second) || shm.get(12) == 0) {
      return null;
    }
    return first;
  }

  private Mark read(int at) {
    return new Mark(
        shm.getLong(at),
        shm.getLong(at + 8),
        shm.getLong(at + 16),
        shm.getLong(at + 24),
        shm.getLong(at + 32),
        shm.getLong(at + 40));
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing to do
    }
  }
}
