package dev.chainboot.tftp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Contents a transfer reads by position: a file on disk (streamed) or bytes in memory. */
public interface TftpFile extends AutoCloseable {

  long size();

  /**
   * Reads up to {@code dst.remaining()} bytes from {@code position} into {@code dst}, stopping
   * early only at the end of the contents.
   */
  void read(long position, ByteBuffer dst) throws IOException;

  /** All the contents, for conversions that need them (netascii); refuses anything too big. */
  default byte[] readAll(int limit) throws IOException {
    if (size() > limit) {
      throw new IOException("file too large (" + size() + " bytes) for netascii");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size());
    read(0, b);
    return b.array();
  }

  @Override
  default void close() throws IOException {}

  static TftpFile ofBytes(byte[] bytes) {
    return new TftpFile() {
      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public void read(long position, ByteBuffer dst) {
        if (position >= bytes.length) {
          return;
        }
        int n = (int) Math.min(dst.remaining(), bytes.length - position);
        dst.put(bytes, (int) position, n);
      }
    };
  }

  /** Bytes a file-backed {@link TftpFile} reads from disk at once, then serves blocks from. */
  int READ_AHEAD = 32 << 10;

  /**
   * Opens a file for positional reads; contents are not held in memory. Reads go through a
   * read-ahead buffer of {@link #READ_AHEAD} bytes, so consecutive blocks cost one system call per
   * buffer, not one per block. For one reader at a time (a transfer).
   */
  static TftpFile open(Path path) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    long size = ch.size();
    return new TftpFile() {
      private ByteBuffer ahead; // allocated on the first read
      private long aheadPos;

      @Override
      public long size() {
        return size;
      }

      @Override
      public void read(long position, ByteBuffer dst) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
          if (ahead == null) {
            ahead = ByteBuffer.allocateDirect((int) Math.max(1, Math.min(READ_AHEAD, size)));
            ahead.limit(0);
          }
          long off = pos - aheadPos;
          if (off < 0 || off >= ahead.limit()) {
            if (!fill(pos)) {
              return; // end of the file
            }
            off = 0;
          }
          int n = (int) Math.min(dst.remaining(), ahead.limit() - off);
          dst.put(dst.position(), ahead, (int) off, n);
          dst.position(dst.position() + n);
          pos += n;
        }
      }

      /** Reads the buffer's worth at {@code pos}; false at the end of the file. */
      private boolean fill(long pos) throws IOException {
        ahead.clear();
        aheadPos = pos;
        long p = pos;
        while (ahead.hasRemaining()) {
          int n = ch.read(ahead, p);
          if (n < 0) {
            break;
          }
          p += n;
        }
        ahead.flip();
        return ahead.hasRemaining();
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }
}
