package dev.chainboot.store;

/** A store operation failed for a reason the caller should show to the operator. */
public final class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
