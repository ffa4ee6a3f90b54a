package dev.chainboot.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an iPXE script the way iPXE's parser splits it: lines, then commands separated by {@code
 * &&} / {@code ||} words. Tests use it to assert which commands a script can run.
 */
public final class ParsedScript {

  /** A command as iPXE would run it: its words. */
  public record Command(List<String> words) {
    public String name() {
      return words.get(0);
    }
  }

  public final List<Command> commands = new ArrayList<>();
  public final List<String> labels = new ArrayList<>();

  public ParsedScript(String text) {
    String[] lines = text.split("\n", -1);
    if (!lines[0].equals("#!ipxe")) {
      throw new AssertionError("script does not start with #!ipxe: " + text);
    }
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith(":")) {
        labels.add(line.substring(1));
        continue;
      }
      List<String> words = new ArrayList<>();
      for (String w : line.split("[ \t]+")) {
        if (w.equals("&&") || w.equals("||")) {
          if (!words.isEmpty()) {
            commands.add(new Command(words));
          }
          words = new ArrayList<>();
        } else {
          words.add(w);
        }
      }
      if (!words.isEmpty()) {
        commands.add(new Command(words));
      }
    }
  }

  public Set<String> commandNames() {
    Set<String> s = new LinkedHashSet<>();
    commands.forEach(c -> s.add(c.name()));
    return s;
  }

  public List<Command> named(String name) {
    return commands.stream().filter(c -> c.name().equals(name)).toList();
  }

  /** Every ${...} expansion in the script. */
  public static List<String> expansions(String text) {
    List<String> out = new ArrayList<>();
    var m = java.util.regex.Pattern.compile("\\$\\{[^}]*\\}").matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }
}
