package dev.chainboot.tftp;

import java.io.IOException;

/** Where the TFTP server finds what a read request names. */
@FunctionalInterface
public interface TftpFileSource {

  /** Looks up {@code name} exactly as the client sent it. */
  Lookup open(String name) throws IOException;

  /** The outcome of a lookup. */
  sealed interface Lookup {}

  record Found(TftpFile file) implements Lookup {}

  record NotFound() implements Lookup {}

  /** The name is refused (answered with ERROR 2); {@code reason} goes to the log. */
  record Denied(String reason) implements Lookup {}
}
