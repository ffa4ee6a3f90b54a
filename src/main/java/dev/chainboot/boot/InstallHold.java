package dev.chainboot.boot;

import java.time.Instant;
import java.util.Locale;

/**
 * A once-assignment held until its installer calls back ({@code boot once --until-done}), and how
 * it went: the machine boots {@code profile} again on every boot while {@link State#HOLDING}, up to
 * {@code maxBoots} times; the installer's call to its per-boot URL makes it {@link State#DONE}; one
 * more boot without the call makes it an {@link State#LOOP install loop}, and the machine falls to
 * its static profile, group or default.
 *
 * @param boots how many times the install was booted
 * @param updated when the state or count last changed
 */
public record InstallHold(
    MacAddress mac, String profile, State state, int boots, int maxBoots, Instant updated) {

  /** Where an install held until done is. */
  public enum State {
    HOLDING,
    DONE,
    LOOP;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Boots allowed without the callback unless the operator says otherwise. */
  public static final int DEFAULT_MAX_BOOTS = 3;

  /** The most boots an operator may allow. */
  public static final int MAX_MAX_BOOTS = 100;

  public InstallHold {
    if (maxBoots < 1 || maxBoots > MAX_MAX_BOOTS) {
      throw new IllegalArgumentException(
          "max boots must be between 1 and " + MAX_MAX_BOOTS + ": " + maxBoots);
    }
  }

  /** In words, e.g. "installing debian (boot 2 of 3)", "install loop: debian booted 3 times". */
  public String describe() {
    return switch (state) {
      case HOLDING ->
          "installing " + profile + " until done (boot " + boots + " of " + maxBoots + ")";
      case DONE ->
          "install of " + profile + " done after " + boots + " boot" + (boots == 1 ? "" : "s");
      case LOOP ->
          "install loop: "
              + profile
              + " booted "
              + boots
              + " time"
              + (boots == 1 ? "" : "s")
              + " without its callback";
    };
  }
}
