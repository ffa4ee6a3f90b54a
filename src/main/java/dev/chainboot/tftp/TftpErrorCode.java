package dev.chainboot.tftp;

/** TFTP error codes (RFC 1350, 8 from RFC 2347). */
public enum TftpErrorCode {
  NOT_DEFINED(0),
  FILE_NOT_FOUND(1),
  ACCESS_VIOLATION(2),
  DISK_FULL(3),
  ILLEGAL_OPERATION(4),
  UNKNOWN_TRANSFER_ID(5),
  FILE_EXISTS(6),
  NO_SUCH_USER(7),
  OPTION_NEGOTIATION_FAILED(8);

  private final int code;

  TftpErrorCode(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }
}
