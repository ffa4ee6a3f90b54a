package dev.chainboot.server;

/** The server cannot start for a reason the operator can fix; the message says how. */
public final class StartupException extends Exception {
  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
