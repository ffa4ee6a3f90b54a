package dev.chainboot.cli;

import dev.chainboot.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code chainboot config check FILE} and {@code chainboot config show}: the configuration file a
 * package manager owns ({@code /etc/chainboot/chainboot.yaml}), checked before it is used, and what
 * {@code serve} would run with (flag &gt; {@code CHAINBOOT_*} environment &gt; file &gt; default).
 */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Check a configuration file, or show the configuration serve would run with.",
    subcommands = {ConfigCommand.Check.class, ConfigCommand.Show.class})
public final class ConfigCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** serve's settings: its options' names without dashes. */
  static Set<String> keys() {
    return ConfigDefaults.keysOf(new CommandLine(new ServeCommand()).getCommandSpec());
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Check a configuration file: YAML, known keys, values serve accepts. Prints every problem"
              + " with its line; exit 0 when there is none, 1 otherwise.")
  static final class Check implements Callable<Integer> {

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() {
      List<String> problems = new ArrayList<>();
      Set<String> keys = keys();
      Map<String, ConfigFile.Setting> top;
      try {
        top = ConfigFile.topLevel(file.toString(), Files.readString(file));
      } catch (java.io.IOException e) {
        System.err.println("chainboot config check: cannot read " + file + ": " + e.getMessage());
        return 1;
      } catch (IllegalArgumentException e) {
        System.err.println(e.getMessage());
        return 1;
      }
      for (ConfigFile.Setting s : top.values()) {
        if (ConfigFile.SECTIONS.contains(s.key())) {
          continue;
        }
        if (!keys.contains(s.key())) {
          problems.add(ConfigDefaults.unknownKey(file, s, keys));
          continue;
        }
        if (s.values() == null) {
          problems.add(file + ":" + s.line() + ": '" + s.key() + "' must be a value, not a map");
          continue;
        }
        checkValue(s).ifPresent(problems::add);
      }
      try {
        ConfigFile.load(file); // the sections
      } catch (IllegalArgumentException e) {
        if (problems.isEmpty()) {
          problems.add(e.getMessage());
        }
      }
      if (problems.isEmpty()) {
        System.out.println(file + ": ok (" + top.size() + " keys)");
        return 0;
      }
      problems.forEach(System.err::println);
      return 1;
    }

    /** What serve says about this one setting, with its line; empty if it takes it. */
    private Optional<String> checkValue(ConfigFile.Setting s) {
      ServeCommand serve = new ServeCommand();
      CommandLine cl = new CommandLine(serve);
      ConfigFile only = new ConfigFile(Map.of(), Map.of(s.key(), s));
      cl.setDefaultValueProvider(
          new ConfigDefaults(Map.of(), keys(), Optional.of(file), true) {
            @Override
            Map<String, ConfigFile.Setting> settings() {
              return only.settings();
            }
          });
      try {
        cl.parseArgs();
        serve.config();
        return Optional.empty();
      } catch (CommandLine.ParameterException | IllegalArgumentException e) {
        String msg = e.getMessage();
        return Optional.of(
            msg.startsWith(file.toString())
                ? msg
                : file + ":" + s.line() + ": " + s.key() + ": " + msg);
      }
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Print the configuration serve would run with, as a configuration file: each setting"
              + " with where it comes from (flag > CHAINBOOT_* environment > file > default)."
              + " Serve options after -- count as given on the command line.")
  static final class Show implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Configuration file (default: as serve finds it).")
    Path config;

    @Parameters(paramLabel = "SERVE-OPTION", arity = "0..*", description = "serve's options.")
    List<String> serveArgs = new ArrayList<>();

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(serveArgs);
      if (config != null) {
        args.add(0, config.toString());
        args.add(0, "--config");
      }
      Set<String> keys = keys();
      Map<String, String> env =
          spec.root().defaultValueProvider() instanceof ConfigDefaults d
              ? d.env()
              : System.getenv();
      ConfigDefaults defaults = ConfigDefaults.forArgs(args, env, keys);
      ServeCommand serve = new ServeCommand();
      CommandLine cl = new CommandLine(serve);
      cl.setDefaultValueProvider(defaults);
      CommandLine.ParseResult parsed;
      try {
        parsed = cl.parseArgs(args.toArray(String[]::new));
        serve.config();
      } catch (CommandLine.ParameterException | IllegalArgumentException e) {
        System.err.println("chainboot config show: " + e.getMessage());
        return 2;
      }
      System.out.println(
          "# chainboot serve's configuration (flag > CHAINBOOT_* environment > file > default)");
      System.out.println(
          "# file: "
              + defaults
                  .file()
                  .map(Path::toString)
                  .orElse(
                      "none (no --config, "
                          + ConfigDefaults.CONFIG_ENV
                          + " or DATA/chainboot.yaml)"));
      Map<String, String[]> lines = new LinkedHashMap<>();
      for (OptionSpec o : cl.getCommandSpec().options()) {
        String key = ConfigDefaults.key(o);
        if (!keys.contains(key)) {
          continue;
        }
        String source = parsed.hasMatchedOption(o) ? "flag" : defaults.source(o);
        Object v = o.getValue();
        String text;
        if (v == null || (v instanceof List<?> l && l.isEmpty())) {
          text = null;
        } else if (secret(key)) {
          text = "\"(set; not shown)\"";
        } else {
          text = yaml(v);
        }
        lines.put(key, new String[] {text, source});
      }
      int width = 0;
      for (Map.Entry<String, String[]> e : lines.entrySet()) {
        if (e.getValue()[0] != null) {
          width = Math.max(width, e.getKey().length() + 2 + e.getValue()[0].length());
        }
      }
      for (Map.Entry<String, String[]> e : lines.entrySet()) {
        String[] v = e.getValue();
        if (v[0] == null) {
          System.out.println("# " + e.getKey() + ": not set (" + v[1] + ")");
        } else {
          String kv = e.getKey() + ": " + v[0];
          System.out.println(kv + " ".repeat(width - kv.length() + 2) + "# " + v[1]);
        }
      }
      return 0;
    }

    private static boolean secret(String key) {
      return key.contains("password") || key.contains("secret") || key.contains("token");
    }

    /** A value as YAML: booleans and numbers plain, everything else double-quoted. */
    private static String yaml(Object v) {
      if (v instanceof Boolean || v instanceof Number) {
        return v.toString();
      }
      if (v instanceof List<?> l) {
        List<String> items = new ArrayList<>();
        l.forEach(i -> items.add(yaml(i)));
        return "[" + String.join(", ", items) + "]";
      }
      String s = v.toString();
      StringBuilder b = new StringBuilder("\"");
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> b.append("\\\"");
          case '\\' -> b.append("\\\\");
          case '\n' -> b.append("\\n");
          default -> {
            if (c < 0x20) {
              b.append(String.format("\\x%02x", (int) c));
            } else {
              b.append(c);
            }
          }
        }
      }
      return b.append('"').toString();
    }
  }
}
