package dev.chainboot.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Entity tags of the API's resources: a strong tag from the SHA-256 of the resource's JSON view, so
 * that any change of what a client sees changes it, whichever process made the change.
 */
public final class Etags {

  private Etags() {}

  /** {@code "<first 20 hex digits of the SHA-256 of the JSON>"}. */
  public static String of(Object jsonView) {
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(Json.write(jsonView).getBytes(StandardCharsets.UTF_8));
      return "\"" + HexFormat.of().formatHex(d, 0, 10) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Checks an {@code If-Match} precondition: passes with none, with {@code *} on an existing
   * resource, or with a list naming the current tag; 412 otherwise.
   *
   * @param current the resource's current JSON view, empty if it does not exist
   */
  public static void check(Optional<String> ifMatch, Optional<Object> current, String what) {
    if (ifMatch.isEmpty()) {
      return;
    }
    if (current.isEmpty()) {
      throw ApiException.preconditionFailed(what + " does not exist (If-Match)");
    }
    String tag = of(current.get());
    for (String t : ifMatch.get().split(",")) {
      String s = t.strip();
      if (s.equals("*") || s.equals(tag)) {
        return;
      }
    }
    throw ApiException.preconditionFailed(
        what + " has changed: its ETag is now " + tag + " (read it again)");
  }
}
