package dev.chainboot.api;

import java.util.Optional;

/**
 * Why an operation of the control plane was refused, the same whether it ran in this process or on
 * a server: the HTTP status the API answers with, the request field at fault (for 400s, and for a
 * referenced profile that does not exist) and a message for people. The CLI exits 2 for 400 and 1
 * for everything else.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final Optional<String> field;

  public ApiException(int status, Optional<String> field, String message) {
    super(message);
    this.status = status;
    this.field = field;
  }

  /** 400: {@code field} is missing or wrong. */
  public static ApiException invalid(String field, String message) {
    return new ApiException(400, Optional.ofNullable(field), message);
  }

  /** 404: what the URL names does not exist. */
  public static ApiException notFound(String message) {
    return new ApiException(404, Optional.empty(), message);
  }

  /** 404: the profile (or other object) that {@code field} names does not exist. */
  public static ApiException unknown(String field, String message) {
    return new ApiException(404, Optional.of(field), message);
  }

  /** 409: the change conflicts with the current state (exists already, still in use, ...). */
  public static ApiException conflict(String message) {
    return new ApiException(409, Optional.empty(), message);
  }

  /** 412: {@code If-Match} named another version than the current one. */
  public static ApiException preconditionFailed(String message) {
    return new ApiException(412, Optional.empty(), message);
  }

  public int status() {
    return status;
  }

  public Optional<String> field() {
    return field;
  }

  /** The exit code of a CLI command that failed with this. */
  public int exitCode() {
    return status == 400 ? 2 : 1;
  }
}
