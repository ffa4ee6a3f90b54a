package dev.chainboot.tftp;

/**
 * A datagram that is not a well-formed TFTP packet; {@link #code()} is the error to answer with.
 */
public final class TftpParseException extends Exception {

  private final TftpErrorCode code;

  public TftpParseException(TftpErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public TftpErrorCode code() {
    return code;
  }
}
