package dev.chainboot.boot;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.MustacheException;
import com.samskivert.mustache.Template;
import dev.chainboot.ipxe.IpxeSafe;
import dev.chainboot.ipxe.IpxeScript;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Turns a {@link Profile} into an iPXE script for one machine. Every profile field is a strict
 * Mustache template (a missing variable is an error); the variables are the machine's fields, its
 * labels ({@code labels.NAME}), {@code base_url}, {@code profile} and {@code done_url} (the
 * per-boot callback URL of an install held until done, else empty; see {@link CallbackToken}), each
 * made safe by {@link IpxeSafe#value}. The rendered URLs and command line are then validated by
 * {@link IpxeSafe}. Kernel, initrd and chain downloads are retried three times.
 */
public final class ScriptRenderer {

  /** Attempts per download before the script gives up and exits to the next boot device. */
  static final int TRIES = 3;

  private final Mustache.Compiler mustache =
      Mustache.compiler().escapeHTML(false).strictSections(true);

  /** Compiled templates by source text (profiles are few; cleared if it ever grows large). */
  private final Map<String, Template> templates = new ConcurrentHashMap<>();

  /** Thrown when a profile cannot be rendered for a machine (missing variable, unsafe value). */
  public static final class RenderException extends RuntimeException {
    public RenderException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * @param profile what to render
   * @param machine the machine it is for, or null when the request carried no identity
   * @param baseUrl this server's base URL, already validated
   * @param why a short reason shown on the console
   * @param lookup finds the entries of a menu profile
   */
  public String render(
      Profile profile,
      Machine machine,
      String baseUrl,
      String why,
      Function<String, Optional<Profile>> lookup) {
    return render(profile, machine, baseUrl, why, lookup, "", FirmwareSettings.NONE);
  }

  /**
   * Like {@link #render(Profile, Machine, String, String, Function)}, with the machine's firmware
   * settings (how UEFI and BIOS leave for the local disk).
   */
  public String render(
      Profile profile,
      Machine machine,
      String baseUrl,
      String why,
      Function<String, Optional<Profile>> lookup,
      FirmwareSettings firmware) {
    return render(profile, machine, baseUrl, why, lookup, "", firmware);
  }

  /**
   * As {@link #render(Profile, Machine, String, String, Function, FirmwareSettings)}, with {@code
   * {{done_url}}}: the per-boot callback URL of an install held until done (empty for every other
   * boot).
   */
  public String render(
      Profile profile,
      Machine machine,
      String baseUrl,
      String why,
      Function<String, Optional<Profile>> lookup,
      String doneUrl,
      FirmwareSettings firmware) {
    Map<String, Object> vars = variables(machine, baseUrl, profile.name(), doneUrl);
    try {
      if (profile.kind() == Profile.Kind.SCRIPT) {
        String body = template(profile.script().orElseThrow(), vars);
        return body.startsWith("#!ipxe") ? body : "#!ipxe\n" + body;
      }
      IpxeScript s =
          new IpxeScript()
              .line(
                  "echo chainboot: "
                      + IpxeSafe.text(who(machine))
                      + " boots profile "
                      + profile.name()
                      + " ("
                      + IpxeSafe.text(why)
                      + ")");
      if (profile.kind() == Profile.Kind.MENU) {
        menu(s, profile, vars, lookup, firmware);
      } else {
        body(s, profile, vars, "cb", firmware);
      }
      return exitFailed(s, "could not boot profile " + profile.name()).text();
    } catch (MustacheException | IpxeSafe.UnsafeValueException e) {
      throw new RenderException("profile " + profile.name() + ": " + e.getMessage(), e);
    }
  }

  /** The script for a machine nothing is configured for: says so and exits. */
  public static String nothing(String who) {
    return nothing(who, FirmwareSettings.NONE);
  }

  /**
   * The script for a machine nothing is configured for: says so and leaves for the next boot device
   * (UEFI with a failure status unless the machine's {@code efi-exit} says success).
   */
  public static String nothing(String who, FirmwareSettings firmware) {
    IpxeScript s =
        new IpxeScript()
            .line(
                "echo chainboot: nothing to boot for "
                    + IpxeSafe.text(who)
                    + " (no once, static, group or default assignment)")
            .line("echo chainboot: exiting to the next boot device")
            .line("sleep 3");
    return leaveForNextDevice(s, firmware).text();
  }

  /**
   * Leaves for the firmware's next boot device: on UEFI with the status the machine's {@code
   * efi-exit} says (a failure by default: an EFI application that exits with success drops some
   * firmware into its setup screen), on BIOS with 0.
   */
  private static IpxeScript leaveForNextDevice(IpxeScript s, FirmwareSettings firmware) {
    return s.leaveIf("iseq ${platform} efi", firmware.efiExitOrDefault().status()).leave(0);
  }

  /** A script that reports an error on the console and exits to the next boot device. */
  public static String error(String message) {
    return new IpxeScript()
        .line("echo chainboot: error: " + IpxeSafe.text(message))
        .line("echo chainboot: exiting to the next boot device")
        .line("sleep 5")
        .leave(1)
        .text();
  }

  private static String who(Machine m) {
    return m == null ? "this machine" : m.mac().colon();
  }

  private void body(
      IpxeScript s, Profile p, Map<String, Object> vars, String tag, FirmwareSettings firmware) {
    switch (p.kind()) {
      case KERNEL -> {
        String kernel = IpxeSafe.url(template(p.kernel().orElseThrow(), vars));
        String args = IpxeSafe.cmdline(template(p.cmdline().orElse(""), vars));
        List<String> initrds =
            p.initrds().stream().map(u -> IpxeSafe.url(template(u, vars))).toList();
        s.counter("cb-try");
        fetch(
            s,
            tag + "_kernel",
            tag + "_initrd0",
            "kernel " + kernel + (args.isEmpty() ? "" : " " + args),
            "kernel");
        for (int i = 0; i < initrds.size(); i++) {
          s.label(tag + "_initrd" + i).counter("cb-try");
          fetch(
              s,
              tag + "_initrd" + i + "_get",
              tag + "_initrd" + (i + 1),
              "initrd " + initrds.get(i),
              "initrd " + (i + 1));
        }
        s.label(tag + "_initrd" + initrds.size()).line("boot || goto chainboot_failed");
      }
      case CHAIN -> {
        String url = IpxeSafe.url(template(p.chainUrl().orElseThrow(), vars));
        s.counter("cb-try");
        fetch(s, tag + "_chain", tag + "_chained", "chain --autofree " + url, "chain");
        s.label(tag + "_chained").line("exit 0");
      }
      case LOCAL_DISK -> {
        // UEFI: leave so that the firmware boots its next device, the disk (with a failure status
        // by default, see efi-exit); BIOS: boot the first disk, or (bios-local=exit) return
        s.line("echo chainboot: booting from the local disk")
            .leaveIf("iseq ${platform} efi", firmware.efiExitOrDefault().status());
        if (firmware.biosLocalOrDefault() == FirmwareSettings.BiosLocal.SANBOOT) {
          s.line("sanboot --no-describe --drive 0x80 ||");
        }
        s.leave(0);
      }
      case SCRIPT -> {
        String text = template(p.script().orElseThrow(), vars);
        s.raw(text.startsWith("#!ipxe") ? text.substring(text.indexOf('\n') + 1) : text);
        s.raw(text.endsWith("\n") ? "" : "\n").line("goto chainboot_failed");
      }
      case MENU ->
          s.line("echo chainboot: menu " + p.name() + " cannot be nested in a menu")
              .line("goto chainboot_failed");
    }
  }

  private void menu(
      IpxeScript s,
      Profile p,
      Map<String, Object> vars,
      Function<String, Optional<Profile>> lookup,
      FirmwareSettings firmware) {
    s.line("menu chainboot: " + p.name());
    for (String entry : p.menu()) {
      s.line("item cbm-" + entry + " " + entry);
    }
    s.line(
        "choose --default cbm-"
            + p.menu().get(0)
            + " --timeout 30000 cb-choice && goto ${cb-choice} || goto chainboot_failed");
    int i = 0;
    for (String entry : p.menu()) {
      s.label("cbm-" + entry);
      Optional<Profile> sub = lookup.apply(entry);
      if (sub.isEmpty()) {
        s.line("echo chainboot: menu entry " + entry + " is not a profile")
            .line("goto chainboot_failed");
      } else {
        Map<String, Object> subVars = new HashMap<>(vars);
        subVars.put("profile", entry);
        body(s, sub.get(), subVars, "cbm" + i, firmware);
      }
      i++;
    }
  }

  /** A download with bounded retries: on success go to {@code next}; after TRIES fail. */
  private static void fetch(IpxeScript s, String label, String next, String command, String what) {
    s.retry(
        label,
        command,
        next,
        "cb-try",
        TRIES,
        "chainboot_failed",
        "chainboot: " + what + " download failed, retrying (${cb-try}/" + TRIES + ")",
        2);
  }

  private static IpxeScript exitFailed(IpxeScript s, String message) {
    return s.label("chainboot_failed")
        .line("echo chainboot: " + IpxeSafe.text(message) + ", exiting to the next boot device")
        .line("sleep 5")
        .leave(1);
  }

  /** {@code text} rendered as a strict Mustache template (cached by source text). */
  String template(String text, Map<String, Object> vars) {
    if (!text.contains("{{")) {
      return text;
    }
    Template t = templates.get(text);
    if (t == null) {
      if (templates.size() > 1000) {
        templates.clear();
      }
      t = mustache.compile(text);
      templates.put(text, t);
    }
    return t.execute(vars);
  }

  /**
   * The paths on this server ({@code baseUrl}) that the script of a kernel profile fetches: its
   * kernel and initrds, as rendered for the machine, without query; empty for other kinds and for
   * files fetched from elsewhere. The timeline expects the machine to fetch them.
   */
  public List<String> fetchesFrom(Profile p, Machine machine, String baseUrl, String doneUrl) {
    if (p.kind() != Profile.Kind.KERNEL) {
      return List.of();
    }
    Map<String, Object> vars = variables(machine, baseUrl, p.name(), doneUrl);
    List<String> out = new java.util.ArrayList<>();
    String prefix = baseUrl + "/";
    try {
      List<String> urls = new java.util.ArrayList<>();
      urls.add(template(p.kernel().orElseThrow(), vars));
      for (String i : p.initrds()) {
        urls.add(template(i, vars));
      }
      for (String u : urls) {
        if (u.startsWith(prefix)) {
          String path = u.substring(baseUrl.length());
          int q = path.indexOf('?');
          path = q < 0 ? path : path.substring(0, q);
          int f = path.indexOf('#');
          path = f < 0 ? path : path.substring(0, f);
          if (!path.isEmpty() && !path.contains(" ")) {
            out.add(path);
          }
        }
      }
    } catch (MustacheException e) {
      return List.of(); // render() says so
    }
    return out;
  }

  /** Template variables; absent fields are left out so that using them is an error. */
  static Map<String, Object> variables(Machine m, String baseUrl, String profile) {
    return variables(m, baseUrl, profile, "");
  }

  static Map<String, Object> variables(Machine m, String baseUrl, String profile, String doneUrl) {
    Map<String, Object> v = new HashMap<>();
    v.put("base_url", baseUrl);
    v.put("profile", profile);
    v.put("done_url", doneUrl);
    if (m == null) {
      return v;
    }
    v.put("mac", m.mac().colon());
    v.put("mac_hexhyp", m.mac().hexhyp());
    v.put("mac_hexraw", m.mac().hexraw());
    m.ip().ifPresent(x -> v.put("ip", IpxeSafe.value(x)));
    m.uuid().ifPresent(x -> v.put("uuid", IpxeSafe.value(x)));
    m.serial().ifPresent(x -> v.put("serial", IpxeSafe.value(x)));
    m.hostname().ifPresent(x -> v.put("hostname", IpxeSafe.value(x)));
    m.arch().ifPresent(x -> v.put("arch", x.ipxeName()));
    m.platform().ifPresent(x -> v.put("platform", x.ipxeName()));
    Map<String, String> labels = new HashMap<>();
    m.labels().forEach((k, x) -> labels.put(k, IpxeSafe.value(x)));
    v.put("labels", labels);
    return v;
  }
}
