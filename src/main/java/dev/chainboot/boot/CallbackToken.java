package dev.chainboot.boot;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The per-boot callback tokens of installs held until done: 256 random bits, URL-safe; only their
 * SHA-256 is stored, so the database does not hold a usable URL.
 */
public final class CallbackToken {

  /** Where an installer calls back: {@code POST <base_url>/done/<token>}. */
  public static final String PATH = "/done/";

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{43}");

  private CallbackToken() {}

  /** A new token (43 characters of base64url). */
  public static String create() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** Whether {@code token} looks like one {@link #create()} makes (checked before hashing). */
  public static boolean wellFormed(String token) {
    return token != null && FORM.matcher(token).matches();
  }

  /** The hex SHA-256 of a token, as stored. */
  public static String hash(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(token.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
