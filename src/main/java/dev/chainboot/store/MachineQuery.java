package dev.chainboot.store;

import dev.chainboot.boot.Machine;
import java.util.Locale;
import java.util.Map;

/**
 * A page of the machine list: machines whose MAC (either spelling), IP address, host name or a
 * label {@code name=value} contains {@link #search} (ignoring case; empty: all), by MAC, {@link
 * #limit} of them from {@link #offset}. {@link #matches} is the rule; the SQL stores say the same
 * in SQL.
 *
 * @param search what to look for, as typed
 * @param offset machines of the result skipped
 * @param limit at most this many machines
 */
public record MachineQuery(String search, int offset, int limit) {

  public MachineQuery {
    search = search == null ? "" : search.strip();
    if (offset < 0 || limit < 0) {
      throw new IllegalArgumentException("offset and limit must not be negative");
    }
  }

  /** Every machine. */
  public static final MachineQuery ALL = new MachineQuery("", 0, Integer.MAX_VALUE);

  /** The search, lower-cased. */
  public String needle() {
    return search.toLowerCase(Locale.ROOT);
  }

  /** Whether {@code m} is in the result (before paging). */
  public boolean matches(Machine m) {
    String needle = needle();
    if (needle.isEmpty()
        || m.mac().colon().contains(needle)
        || m.mac().hexhyp().contains(needle)
        || m.ip().map(x -> x.toLowerCase(Locale.ROOT).contains(needle)).orElse(false)
        || m.hostname().map(x -> x.toLowerCase(Locale.ROOT).contains(needle)).orElse(false)) {
      return true;
    }
    for (Map.Entry<String, String> e : m.labels().entrySet()) {
      if ((e.getKey() + "=" + e.getValue()).toLowerCase(Locale.ROOT).contains(needle)) {
        return true;
      }
    }
    return false;
  }

  /** The search as a {@code LIKE} pattern escaped with '!' ({@code %needle%}). */
  String likePattern() {
    StringBuilder b = new StringBuilder("%");
    for (char c : needle().toCharArray()) {
      if (c == '%' || c == '_' || c == '!') {
        b.append('!');
      }
      b.append(c);
    }
    return b.append('%').toString();
  }
}
