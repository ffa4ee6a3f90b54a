package dev.chainboot.http;

import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** Reading an HTML form's fields ({@code application/x-www-form-urlencoded}), bounded. */
final class Forms {

  static final String URLENCODED = "application/x-www-form-urlencoded";

  /** At most this many fields and bytes: the admin listener's forms are small. */
  private static final int MAX_FIELDS = 64;

  private static final int MAX_BYTES = 64 * 1024;

  private Forms() {}

  /** The form's fields (parsed once per request and cached), or null if it cannot be read. */
  static Fields fields(Request req) {
    try {
      return FormFields.getFields(req, MAX_FIELDS, MAX_BYTES);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
