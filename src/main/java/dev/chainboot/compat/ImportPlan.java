package dev.chainboot.compat;

import dev.chainboot.boot.Assignment;
import dev.chainboot.boot.MacAddress;
import dev.chainboot.boot.Machine;
import dev.chainboot.boot.Profile;
import dev.chainboot.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * How an import writes into the boot core's store, shared by the pxe_srv, pixie and Zero-OS
 * imports: profiles (created or replaced), machines (registered, never overwritten), assignments
 * and the default, each step reported as one line. With {@code dryRun} nothing is written and the
 * report says what would be. Re-running an import is harmless: it writes the same profiles and
 * assignments again.
 */
public final class ImportPlan {

  private final Store store;
  private final boolean dryRun;
  private final List<String> done = new ArrayList<>();
  private final List<String> skipped = new ArrayList<>();

  public ImportPlan(Store store, boolean dryRun) {
    this.store = store;
    this.dryRun = dryRun;
  }

  public List<String> done() {
    return List.copyOf(done);
  }

  public List<String> skipped() {
    return List.copyOf(skipped);
  }

  public void skip(String why) {
    skipped.add(why);
  }

  /** The lines to print: what was (or would be) done, then what was skipped and why. */
  public List<String> report() {
    return result().lines();
  }

  /** What this plan did (or would do) so far. */
  public ImportReport result() {
    return new ImportReport(dryRun, done, skipped);
  }

  /**
   * A profile name from a prefix and a file path: {@code pxesrv-centos-7-default}. Characters a
   * profile name cannot hold become '-'; long names are cut and end in a short hash.
   */
  public static String profileName(String prefix, String path) {
    String n = (prefix + "-" + path).replaceAll("[^A-Za-z0-9._-]", "-");
    if (n.length() <= 64) {
      return n;
    }
    return n.substring(0, 55) + "-" + sha(path).substring(0, 8);
  }

  private static String sha(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Saves a script profile; false (and skipped) when the script cannot be a chainboot profile
   * as it is ({@code {{} would be read as a template variable).
   */
  public boolean scriptProfile(String name, String script, String source) {
    if (script.contains("{{")) {
      skip(
          source
              + ": contains '{{', which chainboot reads as a template variable; add it by hand"
              + " with 'chainboot profile add'");
      return false;
    }
    return profile(Profile.script(name, script), source);
  }

  /** Saves {@code p} (replacing a profile of that name whose content differs). */
  public boolean profile(Profile p, String source) {
    Optional<Profile> old = store.profile(p.name());
    if (old.isPresent() && old.get().equals(p)) {
      return true;
    }
    if (!dryRun) {
      store.putProfile(p);
    }
    done.add(
        (old.isPresent() ? "replace" : "add") + " profile " + p.name() + " (from " + source + ")");
    return true;
  }

  /** Registers a machine known only by its MAC, unless the store knows it already. */
  public void machine(MacAddress mac) {
    if (store.machine(mac).isPresent()) {
      return;
    }
    if (!dryRun) {
      store.registerMachine(Machine.of(mac));
    }
    done.add("add machine " + mac);
  }

  /** A machine (registered if new) that always boots {@code profile}: a static assignment. */
  public void machineBooting(MacAddress mac, String profile) {
    machine(mac);
    assign(mac, Assignment.Kind.STATIC, profile);
  }

  public void assign(MacAddress mac, Assignment.Kind kind, String profile) {
    if (store.assignment(mac, kind).filter(profile::equals).isPresent()) {
      return;
    }
    if (!dryRun) {
      store.assign(new Assignment(mac, kind, profile));
    }
    done.add(
        "assign " + mac + " " + kind.name().toLowerCase(java.util.Locale.ROOT) + " -> " + profile);
  }

  public void defaultProfile(String profile) {
    Optional<String> old = store.defaultProfile();
    if (old.filter(profile::equals).isPresent()) {
      return;
    }
    if (!dryRun) {
      store.setDefaultProfile(Optional.of(profile));
    }
    done.add("set default -> " + profile + old.map(o -> " (was " + o + ")").orElse(""));
  }

  public Store store() {
    return store;
  }
}
