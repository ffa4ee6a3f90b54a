package dev.chainboot.firmware;

/** A boot binary was asked for that neither the firmware directory nor the jar holds. */
public final class MissingFirmwareException extends RuntimeException {
  public MissingFirmwareException(String message) {
    super(message);
  }
}
