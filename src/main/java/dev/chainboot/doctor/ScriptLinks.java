package dev.chainboot.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an iPXE script would fetch: the URLs of its {@code chain}, {@code kernel}, {@code initrd},
 * {@code imgfetch} and {@code module} commands, with the settings iPXE would expand in them. Pure:
 * a script is only read, never run.
 */
public final class ScriptLinks {

  /** Largest script read (chainboot's are a few KiB). */
  public static final int MAX_SCRIPT = 256 * 1024;

  private ScriptLinks() {}

  /**
   * One fetch of a script.
   *
   * @param command {@code chain}, {@code kernel}, {@code initrd}, ...
   * @param url the URL with settings expanded
   * @param unknown settings it used that the doctor cannot know (expanded to "")
   */
  public record Link(String command, String url, List<String> unknown) {
    /** {@code chain}: a script (or binary) that replaces this one. */
    public boolean chain() {
      return command.equals("chain") || command.equals("imgexec");
    }
  }

  /** What a script does besides fetching: boots a disk or just exits. */
  public record Parsed(List<Link> links, boolean sanboot, List<String> echoes) {}

  private static final Pattern COMMAND =
      Pattern.compile("^(chain|kernel|initrd|imgfetch|module|imgexec|imgload)\\b");
  private static final Pattern SETTING = Pattern.compile("\\$\\{([^}]*)}");

  /** Whether {@code text} is an iPXE script (the {@code #!ipxe} magic line). */
  public static boolean isScript(String text) {
    return text.startsWith("#!ipxe");
  }

  /**
   * @param script the script's text
   * @param settings iPXE settings by name (with their {@code :type}, e.g. {@code mac:hexhyp}) and
   *     without
   */
  public static Parsed parse(String script, Map<String, String> settings) {
    List<Link> links = new ArrayList<>();
    List<String> echoes = new ArrayList<>();
    boolean sanboot = false;
    for (String raw : script.split("\n")) {
      // a line may chain commands with && and ||: each part on its own
      for (String part : raw.split("\\|\\||&&")) {
        String line = part.strip();
        if (line.isEmpty() || line.startsWith("#") || line.startsWith(":")) {
          continue;
        }
        if (line.startsWith("echo ")) {
          echoes.add(line.substring(5));
          continue;
        }
        if (line.startsWith("sanboot")) {
          sanboot = true;
          continue;
        }
        Matcher m = COMMAND.matcher(line);
        if (!m.find()) {
          continue;
        }
        for (String token : line.split("\\s+")) {
          if (token.contains("://")) {
            List<String> unknown = new ArrayList<>();
            links.add(new Link(m.group(1), expand(token, settings, unknown), List.copyOf(unknown)));
            break;
          }
        }
      }
    }
    return new Parsed(List.copyOf(links), sanboot, List.copyOf(echoes));
  }

  /** {@code ${name}} and {@code ${name:type}} replaced by {@code settings}; others by "". */
  static String expand(String text, Map<String, String> settings, List<String> unknown) {
    Matcher m = SETTING.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String v = settings.get(name);
      if (v == null) {
        v = settings.get(name.replaceFirst(":.*", ""));
      }
      if (v == null) {
        unknown.add(name);
        v = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }
}
