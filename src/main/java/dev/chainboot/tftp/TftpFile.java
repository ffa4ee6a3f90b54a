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

  /** Opens a file for positional reads; contents are not held in memory. */
  static TftpFile open(Path path) throws IOException {
    FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
    long size = ch.size();
    return new TftpFile() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public void read(long position, ByteBuffer dst) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
          int n = ch.read(dst, pos);
          if (n < 0) {
            return;
          }
          pos += n;
        }
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }
}
