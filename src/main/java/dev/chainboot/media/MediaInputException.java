package dev.chainboot.media;

/** Input that cannot go onto boot media (a URL, a script, a label, an architecture). */
public final class MediaInputException extends IllegalArgumentException {
  public MediaInputException(String message) {
    super(message);
  }
}
