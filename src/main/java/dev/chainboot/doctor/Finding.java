package dev.chainboot.doctor;

/**
 * One step of one client's boot as the doctor played it: what the machine would get and, when
 * something is wrong, what and the likely fix.
 *
 * @param client the client type ({@code bios}, {@code uefi-x64}, ...)
 * @param step the step ({@code dhcp}, {@code tftp}, {@code http}, {@code script}, {@code https})
 * @param status OK, WARN (works, but look at it), or FAIL (the machine would not boot; the client's
 *     later steps are not played)
 * @param got what came back, in a few words
 * @param problem what is wrong ("" when OK)
 * @param fix the likely fix ("" when none)
 */
public record Finding(
    String client, String step, Status status, String got, String problem, String fix) {

  public enum Status {
    OK,
    WARN,
    FAIL
  }

  static Finding ok(String client, String step, String got) {
    return new Finding(client, step, Status.OK, got, "", "");
  }

  static Finding warn(String client, String step, String got, String problem, String fix) {
    return new Finding(client, step, Status.WARN, got, problem, fix);
  }

  static Finding fail(String client, String step, String got, String problem, String fix) {
    return new Finding(client, step, Status.FAIL, got, problem, fix);
  }

  /** One line: client, step, status, what it got, and for problems what is wrong and the fix. */
  public String line() {
    StringBuilder b = new StringBuilder();
    b.append(String.format("%-10s %-9s %-4s %s", client, step, status, got));
    if (!problem.isEmpty()) {
      b.append(" -- ").append(problem);
    }
    if (!fix.isEmpty()) {
      b.append(" (fix: ").append(fix).append(')');
    }
    return b.toString();
  }
}
