package dev.chainboot.ipxebuild;

/**
 * An iPXE build that could not be done. {@link Kind} tells the caller how to answer: a platform
 * nobody prepared (the message names the command that prepares it), a full build queue (try again
 * later), or a failed or timed-out {@code make} (the message ends with the last lines it printed).
 */
public final class BuildException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why there is no binary. */
  public enum Kind {
    /** No warm tree for the platform: {@code chainboot ipxe prepare} has not run. */
    NOT_PREPARED,
    /** Too many builds are waiting for the tree. */
    BUSY,
    /** {@code make} failed, timed out, or its output could not be read. */
    FAILED,
    /** Programs or headers the build needs are not installed (the message names the packages). */
    TOOLCHAIN,
    /** The inputs cannot be built (a certificate that is not PEM, a script too large). */
    BAD_INPUT
  }

  private final Kind kind;

  public BuildException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public BuildException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
