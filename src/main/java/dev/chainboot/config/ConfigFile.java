package dev.chainboot.config;

import dev.chainboot.ipxe.IpxeSafe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The configuration file: {@code serve --config FILE}, {@code CHAINBOOT_CONFIG} (the packages'
 * {@code /etc/chainboot/chainboot.yaml}), else {@code DATA/chainboot.yaml} if it exists. Two kinds
 * of top-level keys:
 *
 * <ul>
 *   <li>settings: the name of a {@code serve} option without its dashes, with a scalar value (or a
 *       list, for options given several times), e.g. {@code http: 0.0.0.0:8080}; {@code proxy-dhcp:
 *       true} ({@link #settings()}, applied by the CLI's default provider);
 *   <li>sections ({@link #SECTIONS}), today the Zero-OS runmodes:
 *       <pre>
 * zeroos:
 *   runmodes:
 *     prod: Production
 *     test: Testing
 * </pre>
 * </ul>
 *
 * @param zeroOsRunmodes runmode key -&gt; pretty name, in file order
 * @param settings the top-level scalar (and list) keys, in file order, with their lines
 */
public record ConfigFile(Map<String, String> zeroOsRunmodes, Map<String, Setting> settings) {

  /**
   * Top-level keys that are sections of their own rather than option settings. A feature that reads
   * a section of this file adds its name here (and its parsing to {@link #load}).
   */
  public static final Set<String> SECTIONS = Set.of("zeroos");

  /**
   * One top-level setting as written in the file.
   *
   * @param values one value for a scalar, several for a list
   * @param line the line its key is on (1-based)
   */
  public record Setting(String key, List<String> values, int line) {}

  /** Zero-OS bootstrap's four networks, used when the file does not name any. */
  public static final Map<String, String> DEFAULT_RUNMODES = defaults();

  public ConfigFile {
    zeroOsRunmodes = Collections.unmodifiableMap(new LinkedHashMap<>(zeroOsRunmodes));
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
  }

  public ConfigFile(Map<String, String> zeroOsRunmodes) {
    this(zeroOsRunmodes, Map.of());
  }

  public static ConfigFile defaultConfig() {
    return new ConfigFile(DEFAULT_RUNMODES);
  }

  /**
   * The top-level keys of a YAML text with their lines: scalars and lists of scalars as settings,
   * anything else (a section) with no values.
   *
   * @throws IllegalArgumentException naming the line, for YAML that cannot be read, a top level
   *     that is not a map, a repeated key, or a list holding maps or lists
   */
  public static Map<String, Setting> topLevel(String where, String yaml) {
    Map<String, Setting> out = new LinkedHashMap<>();
    try (JsonParser p = YAMLMapper.builder().build().createParser(yaml)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return out; // empty file
      }
      if (t != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException(
            where + ":" + line(p) + ": expected 'key: value' lines at the top level");
      }
      while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
        String key = p.currentName();
        int line = line(p);
        if (out.containsKey(key)) {
          throw new IllegalArgumentException(
              where
                  + ":"
                  + line
                  + ": key '"
                  + key
                  + "' appears twice (first on line "
                  + out.get(key).line()
                  + ")");
        }
        t = p.nextToken();
        List<String> values = new ArrayList<>();
        if (t == JsonToken.START_ARRAY) {
          while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (!t.isScalarValue()) {
              throw new IllegalArgumentException(
                  where + ":" + line(p) + ": '" + key + "' must be a list of plain values");
            }
            values.add(p.getString());
          }
        } else if (t == JsonToken.START_OBJECT) {
          p.skipChildren();
          values = null; // a section
        } else if (t == JsonToken.VALUE_NULL) {
          values = List.of();
        } else {
          values.add(p.getString());
        }
        out.put(key, new Setting(key, values == null ? null : List.copyOf(values), line));
      }
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new IllegalArgumentException(
          where + ":" + line + ": not valid YAML: " + e.getOriginalMessage());
    }
    return out;
  }

  private static int line(JsonParser p) {
    return p.currentTokenLocation().getLineNr();
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
    Map<String, Setting> top;
    try {
      String text = Files.readString(file);
      top = topLevel(file.toString(), text);
      root = YAMLMapper.builder().build().readTree(text);
    } catch (IOException | JacksonException e) {
      throw new IllegalArgumentException("cannot read config file " + file + ": " + e.getMessage());
    }
    Map<String, Setting> settings = new LinkedHashMap<>();
    for (Setting st : top.values()) {
      if (SECTIONS.contains(st.key())) {
        continue;
      }
      if (st.values() == null) {
        throw new IllegalArgumentException(
            file + ":" + st.line() + ": '" + st.key() + "' must be a value, not a map");
      }
      settings.put(st.key(), st);
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
    return new ConfigFile(runmodes, settings);
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
