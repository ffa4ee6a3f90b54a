package dev.chainboot.config;

import dev.chainboot.ipxe.IpxeSafe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The optional configuration file {@code DATA/chainboot.yaml} (or {@code serve --config FILE}).
 * Sections other features do not know are ignored. Today it holds the Zero-OS runmodes:
 *
 * <pre>
 * zeroos:
 *   runmodes:
 *     prod: Production
 *     test: Testing
 * </pre>
 *
 * @param zeroOsRunmodes runmode key -&gt; pretty name, in file order
 */
public record ConfigFile(Map<String, String> zeroOsRunmodes) {

  /** Zero-OS bootstrap's four networks, used when the file does not name any. */
  public static final Map<String, String> DEFAULT_RUNMODES = defaults();

  public ConfigFile {
    zeroOsRunmodes = Collections.unmodifiableMap(new LinkedHashMap<>(zeroOsRunmodes));
  }

  public static ConfigFile defaultConfig() {
    return new ConfigFile(DEFAULT_RUNMODES);
  }

  /**
   * Reads {@code file}; a missing file gives the embedded defaults.
   *
   * @throws IllegalArgumentException naming the file and the problem when it cannot be used
   */
  public static ConfigFile load(Path file) {
    if (!Files.exists(file)) {
      return defaultConfig();
    }
    JsonNode root;
    try {
      root = YAMLMapper.builder().build().readTree(Files.readString(file));
    } catch (IOException | JacksonException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, String> runmodes = DEFAULT_RUNMODES;
    JsonNode rm = root == null ? null : root.path("zeroos").path("runmodes");
    if (rm != null && !rm.isMissingNode() && !rm.isNull()) {
      if (!rm.isObject()) {
        throw new IllegalArgumentException(
            file + ": zeroos.runmodes must be a map of key: pretty name");
      }
      runmodes = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : rm.properties()) {
        String key = e.getKey();
        String pretty = e.getValue().isValueNode() ? e.getValue().asString() : "";
        checkRunmode(file, key, pretty);
        runmodes.put(key, pretty);
      }
    }
    return new ConfigFile(runmodes);
  }

  private static void checkRunmode(Path file, String key, String pretty) {
    if (!key.matches("[a-z0-9][a-z0-9_-]{0,31}")) {
      throw new IllegalArgumentException(
          file
              + ": zeroos runmode '"
              + key
              + "' must be 1-32 lowercase letters, digits, '_' or '-'");
    }
    if (pretty.isBlank() || !IpxeSafe.text(pretty).equals(pretty.strip())) {
      throw new IllegalArgumentException(
          file
              + ": pretty name of zeroos runmode '"
              + key
              + "' must be non-empty text of letters, digits, spaces and .,:/()_=+-@[]%");
    }
  }

  private static Map<String, String> defaults() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("prod", "Production");
    m.put("test", "Testing");
    m.put("dev", "Development");
    m.put("qa", "QA");
    return Collections.unmodifiableMap(m);
  }
}
