package dev.chainboot.cli;

import dev.chainboot.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Where an option not given on the command line takes its value from: {@code CHAINBOOT_<KEY>} in
 * the environment, else the configuration file's {@code key:}, else the option's own default (flag
 * &gt; environment &gt; file &gt; default). It is generic: every option of {@code serve} is a key
 * (its long name without dashes: {@code --firmware-dir} is {@code firmware-dir} and {@code
 * CHAINBOOT_FIRMWARE_DIR}), so an option added to {@code serve} is settable both ways with no code
 * of its own; an option of another command with the same name as one of serve's ({@code --data},
 * {@code --db}, ...) takes the same setting.
 *
 * <p>The file is {@code --config FILE} (found in the arguments), else {@code $CHAINBOOT_CONFIG},
 * else {@code DATA/chainboot.yaml} if it exists (DATA from {@code --data}, {@code CHAINBOOT_DATA}
 * or {@code chainboot-data}). It is read when a setting is first needed; a file that cannot be used
 * stops the command with its line and key.
 */
class ConfigDefaults implements CommandLine.IDefaultValueProvider {

  static final String CONFIG_ENV = "CHAINBOOT_CONFIG";
  static final String ENV_PREFIX = "CHAINBOOT_";

  /** Options that are not settings: they name the file or ask for help. */
  private static final Set<String> NOT_SETTINGS = Set.of("config", "help", "version");

  private final Map<String, String> env;
  private final Set<String> keys;
  private final Optional<Path> file;
  private final boolean named;
  private ConfigFile loaded;
  private IllegalArgumentException error;

  /**
   * @param file the configuration file, if any
   * @param named whether it was named (flag or environment) and so must exist
   */
  ConfigDefaults(Map<String, String> env, Set<String> keys, Optional<Path> file, boolean named) {
    this.env = env;
    this.keys = keys;
    this.file = file;
    this.named = named;
  }

  /** The file {@code args} and {@code env} name, as described above. */
  static ConfigDefaults forArgs(List<String> args, Map<String, String> env, Set<String> keys) {
    Optional<String> flag = argValue(args, "--config");
    if (flag.isPresent()) {
      return new ConfigDefaults(env, keys, Optional.of(Path.of(flag.get())), true);
    }
    String fromEnv = env.get(CONFIG_ENV);
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return new ConfigDefaults(env, keys, Optional.of(Path.of(fromEnv)), true);
    }
    String data =
        argValue(args, "--data")
            .orElse(Optional.ofNullable(env.get(ENV_PREFIX + "DATA")).orElse("chainboot-data"));
    Path f = Path.of(data).resolve("chainboot.yaml");
    return new ConfigDefaults(
        env, keys, Files.exists(f) ? Optional.of(f) : Optional.empty(), false);
  }

  private static Optional<String> argValue(List<String> args, String name) {
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--")) {
        break;
      }
      if (a.equals(name) && i + 1 < args.size()) {
        return Optional.of(args.get(i + 1));
      }
      if (a.startsWith(name + "=")) {
        return Optional.of(a.substring(name.length() + 1));
      }
    }
    return Optional.empty();
  }

  /** The setting keys: serve's options' long names without dashes. */
  static Set<String> keysOf(CommandLine.Model.CommandSpec serve) {
    Set<String> keys = new LinkedHashSet<>();
    for (OptionSpec o : serve.options()) {
      String k = key(o);
      if (!NOT_SETTINGS.contains(k)) {
        keys.add(k);
      }
    }
    return keys;
  }

  static String key(OptionSpec o) {
    return o.longestName().replaceFirst("^-+", "");
  }

  static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('-', '_');
  }

  Optional<Path> file() {
    return file;
  }

  Map<String, String> env() {
    return env;
  }

  /** The file's settings (empty without a file); a file that cannot be used throws. */
  Map<String, ConfigFile.Setting> settings() {
    if (file.isEmpty()) {
      return Map.of();
    }
    if (loaded == null && error == null) {
      try {
        if (!Files.exists(file.get())) {
          if (named) {
            throw new IllegalArgumentException("configuration file " + file.get() + " not found");
          }
          loaded = ConfigFile.defaultConfig();
        } else {
          loaded = ConfigFile.load(file.get());
          for (ConfigFile.Setting s : loaded.settings().values()) {
            if (!keys.contains(s.key())) {
              throw new IllegalArgumentException(unknownKey(file.get(), s, keys));
            }
          }
        }
      } catch (IllegalArgumentException e) {
        error = e;
      }
    }
    if (error != null) {
      throw error;
    }
    return loaded.settings();
  }

  /** "FILE:LINE: unknown key 'x' (did you mean 'y'?)". */
  static String unknownKey(Path file, ConfigFile.Setting s, Set<String> keys) {
    String near =
        keys.stream()
            .filter(
                k -> distance(k, s.key()) <= 2 || k.startsWith(s.key()) || s.key().startsWith(k))
            .min(java.util.Comparator.comparingInt(k -> distance(k, s.key())))
            .map(k -> " (did you mean '" + k + "'?)")
            .orElse("");
    return file
        + ":"
        + s.line()
        + ": unknown key '"
        + s.key()
        + "'"
        + near
        + "; the keys are serve's options without dashes ("
        + String.join(", ", keys)
        + ") and the sections "
        + ConfigFile.SECTIONS;
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec o) || !keys.contains(key(o))) {
      return null;
    }
    String key = key(o);
    String fromEnv = env.get(envName(key));
    if (fromEnv != null) {
      return value(o, List.of(fromEnv), "environment variable " + envName(key));
    }
    ConfigFile.Setting s;
    try {
      s = settings().get(key);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(o.command().commandLine(), e.getMessage());
    }
    return s == null ? null : value(o, s.values(), file.get() + ":" + s.line());
  }

  /** Where {@code o}'s value comes from when it is not on the command line. */
  String source(OptionSpec o) {
    String key = key(o);
    if (env.containsKey(envName(key))) {
      return "environment " + envName(key);
    }
    ConfigFile.Setting s = settings().get(key);
    if (s != null) {
      return file.get() + " line " + s.line();
    }
    return "default";
  }

  /** A setting's values as the option's default string. */
  private static String value(OptionSpec o, List<String> values, String where) {
    if (o.typeInfo().isBoolean()) {
      if (values.size() != 1) {
        throw new CommandLine.ParameterException(
            o.command().commandLine(), where + ": '" + key(o) + "' is true or false");
      }
      return switch (values.get(0).toLowerCase(Locale.ROOT)) {
        case "true", "yes", "on", "1" -> "true";
        case "false", "no", "off", "0", "" -> "false";
        default ->
            throw new CommandLine.ParameterException(
                o.command().commandLine(),
                where + ": '" + key(o) + "' is true or false, not '" + values.get(0) + "'");
      };
    }
    if (values.isEmpty()) {
      return null;
    }
    if (values.size() == 1) {
      return values.get(0);
    }
    String split = o.splitRegex();
    if (o.isMultiValue() && split != null && !split.isEmpty()) {
      String sep = split.replace("\\", "");
      return String.join(sep, values);
    }
    throw new CommandLine.ParameterException(
        o.command().commandLine(), where + ": '" + key(o) + "' takes one value, not a list");
  }
}
