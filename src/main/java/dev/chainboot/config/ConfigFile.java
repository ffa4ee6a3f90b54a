package dev.chainboot.config;

import dev.chainboot.ipxe.IpxeSafe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 *   <li>sections ({@link #SECTIONS}): the Zero-OS settings and the certificates built iPXE binaries
 *       trust:
 *       <pre>
 * zeroos:
 *   runmodes:
 *     prod: Production                     # key: pretty name
 *     test:                                # or key: {name, cmdline}
 *       name: Testing
 *       cmdline: nomodeset version=v3 runmode={runmode} panic=600
 *   cmdline: nomodeset version=v3 runmode={runmode} panic=7200   # the default, as the seed's
 *   unsecure-hosts: false                  # the seed's rule: a Host with 'unsecure' gets http
 *   ntp: pool.ntp.org                      # clock sync before an https kernel download
 * ipxe:
 *   trust: [/etc/chainboot/ca.pem]         # roots built iPXE binaries trust (TRUST=)
 *   cert: [/etc/chainboot/ca.pem]          # certificates embedded in them (CERT=)
 *   public-roots: [/etc/ssl/certs/ISRG_Root_X1.pem]  # added for /krn-generic, /uefi-generic
 * </pre>
 * </ul>
 *
 * @param zeroOsRunmodes runmode key -&gt; pretty name, in file order
 * @param zeroOs the other Zero-OS settings
 * @param ipxe the certificates of built iPXE binaries
 * @param settings the top-level scalar (and list) keys, in file order, with their lines
 */
public record ConfigFile(
    Map<String, String> zeroOsRunmodes,
    ZeroOs zeroOs,
    IpxeTrust ipxe,
    Map<String, Setting> settings) {

  /**
   * Top-level keys that are sections of their own rather than option settings. A feature that reads
   * a section of this file adds its name here (and its parsing to {@link #load}).
   */
  public static final Set<String> SECTIONS = Set.of("zeroos", "ipxe");

  /**
   * One top-level setting as written in the file.
   *
   * @param values one value for a scalar, several for a list
   * @param line the line its key is on (1-based)
   */
  public record Setting(String key, List<String> values, int line) {}

  /** Zero-OS bootstrap's four networks, used when the file does not name any. */
  public static final Map<String, String> DEFAULT_RUNMODES = defaults();

  /** The seed's fixed kernel arguments; {@code {runmode}} stands for the runmode. */
  public static final String DEFAULT_ZEROOS_CMDLINE =
      "nomodeset version=v3 runmode={runmode} panic=7200";

  /** The files that may hold public roots for the generic images, used when present. */
  public static final List<Path> DEFAULT_PUBLIC_ROOTS =
      List.of(
          Path.of("/etc/ssl/certs/ISRG_Root_X1.pem"), Path.of("/etc/ssl/certs/ISRG_Root_X2.pem"));

  /**
   * Zero-OS settings.
   *
   * @param configured whether the file has a {@code zeroos} section (Zero-OS is also on when {@code
   *     DATA/kernels/net/} exists)
   * @param cmdline the default kernel command line template ({@code {runmode}} replaced)
   * @param runmodeCmdlines per-runmode templates overriding {@code cmdline}
   * @param unsecureHosts the seed's convention: a request whose Host contains {@code unsecure} gets
   *     http kernel URLs even where https is served
   * @param ntp the NTP server the script syncs the clock with before an https download
   */
  public record ZeroOs(
      boolean configured,
      String cmdline,
      Map<String, String> runmodeCmdlines,
      boolean unsecureHosts,
      String ntp) {
    public static final ZeroOs DEFAULTS =
        new ZeroOs(false, DEFAULT_ZEROOS_CMDLINE, Map.of(), false, "pool.ntp.org");

    public ZeroOs {
      runmodeCmdlines = Collections.unmodifiableMap(new LinkedHashMap<>(runmodeCmdlines));
    }

    /** The command line template of {@code runmode}. */
    public String cmdlineFor(String runmode) {
      return runmodeCmdlines.getOrDefault(runmode, cmdline);
    }
  }

  /**
   * Certificates for built iPXE binaries, as PEM text read at start-up.
   *
   * @param trust roots ({@code TRUST=}; empty: iPXE's default root)
   * @param cert certificates embedded ({@code CERT=})
   * @param publicRoots roots added to {@code trust} for the generic images
   */
  public record IpxeTrust(List<String> trust, List<String> cert, List<String> publicRoots) {
    public static final IpxeTrust NONE = new IpxeTrust(List.of(), List.of(), List.of());

    public IpxeTrust {
      trust = List.copyOf(trust);
      cert = List.copyOf(cert);
      publicRoots = List.copyOf(publicRoots);
    }
  }

  public ConfigFile {
    zeroOsRunmodes = Collections.unmodifiableMap(new LinkedHashMap<>(zeroOsRunmodes));
    settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings));
  }

  /** Runmodes with every other setting at its default. */
  public ConfigFile(Map<String, String> zeroOsRunmodes) {
    this(zeroOsRunmodes, ZeroOs.DEFAULTS, defaultTrust(), Map.of());
  }

  /** Runmodes and option settings, the Zero-OS and iPXE sections at their defaults. */
  public ConfigFile(Map<String, String> zeroOsRunmodes, Map<String, Setting> settings) {
    this(zeroOsRunmodes, ZeroOs.DEFAULTS, defaultTrust(), settings);
  }

  /** Runmodes and sections, without option settings. */
  public ConfigFile(Map<String, String> zeroOsRunmodes, ZeroOs zeroOs, IpxeTrust ipxe) {
    this(zeroOsRunmodes, zeroOs, ipxe, Map.of());
  }

  public static ConfigFile defaultConfig() {
    return new ConfigFile(DEFAULT_RUNMODES);
  }

  private static IpxeTrust defaultTrust() {
    List<String> roots = new ArrayList<>();
    for (Path p : DEFAULT_PUBLIC_ROOTS) {
      try {
        if (Files.isRegularFile(p)) {
          roots.add(pem(p, p, "ipxe.public-roots"));
        }
      } catch (IllegalArgumentException e) {
        // a broken system file is left out of the default
      }
    }
    return new IpxeTrust(List.of(), List.of(), roots);
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
    Map<String, String> cmdlines = new LinkedHashMap<>();
    JsonNode zos = root == null ? null : root.path("zeroos");
    JsonNode rm = zos == null ? null : zos.path("runmodes");
    if (rm != null && !rm.isMissingNode() && !rm.isNull()) {
      if (!rm.isObject()) {
        throw new IllegalArgumentException(
            file + ": zeroos.runmodes must be a map of key: pretty name");
      }
      runmodes = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : rm.properties()) {
        String key = e.getKey();
        JsonNode v = e.getValue();
        String pretty;
        if (v.isObject()) {
          pretty = v.path("name").isValueNode() ? v.path("name").asString() : "";
          if (v.has("cmdline")) {
            cmdlines.put(
                key, cmdline(file, "zeroos.runmodes." + key + ".cmdline", v.get("cmdline")));
          }
        } else {
          pretty = v.isValueNode() ? v.asString() : "";
        }
        checkRunmode(file, key, pretty);
        runmodes.put(key, pretty);
      }
    }
    ZeroOs z = ZeroOs.DEFAULTS;
    if (zos != null && !zos.isMissingNode() && !zos.isNull()) {
      String cmd =
          zos.has("cmdline")
              ? cmdline(file, "zeroos.cmdline", zos.get("cmdline"))
              : DEFAULT_ZEROOS_CMDLINE;
      boolean unsecure = zos.path("unsecure-hosts").asBoolean(false);
      String ntp = z.ntp();
      if (zos.has("ntp")) {
        try {
          ntp = IpxeSafe.hostName(zos.get("ntp").asString());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ": zeroos.ntp: " + e.getMessage());
        }
      }
      z = new ZeroOs(true, cmd, cmdlines, unsecure, ntp);
    }
    IpxeTrust trust = defaultTrust();
    JsonNode ipxe = root == null ? null : root.path("ipxe");
    if (ipxe != null && ipxe.isObject()) {
      trust =
          new IpxeTrust(
              pems(file, ipxe, "trust"),
              pems(file, ipxe, "cert"),
              ipxe.has("public-roots") ? pems(file, ipxe, "public-roots") : trust.publicRoots());
    }
    return new ConfigFile(runmodes, z, trust, settings);
  }

  private static String cmdline(Path file, String where, JsonNode v) {
    if (!v.isValueNode()) {
      throw new IllegalArgumentException(file + ": " + where + " must be text");
    }
    String t = v.asString().strip();
    try {
      String checked = IpxeSafe.cmdline(t.replace("{runmode}", "runmode"));
      if (checked.isEmpty()) {
        throw new IpxeSafe.UnsafeValueException("empty");
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          file + ": " + where + " is not a usable kernel command line: " + e.getMessage());
    }
    return t.replaceAll("\\s+", " ");
  }

  private static List<String> pems(Path file, JsonNode section, String key) {
    JsonNode v = section.path(key);
    if (v.isMissingNode() || v.isNull()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    List<JsonNode> items = new ArrayList<>();
    if (v.isArray()) {
      v.forEach(items::add);
    } else {
      items.add(v);
    }
    for (JsonNode n : items) {
      if (!n.isValueNode()) {
        throw new IllegalArgumentException(file + ": ipxe." + key + " must list PEM file names");
      }
      Path p = Path.of(n.asString());
      if (!p.isAbsolute() && file.getParent() != null) {
        p = file.getParent().resolve(p);
      }
      out.add(pem(file, p, "ipxe." + key));
    }
    return out;
  }

  private static String pem(Path file, Path p, String where) {
    String text;
    try {
      text = Files.readString(p, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(file + ": " + where + ": cannot read " + p + ": " + e);
    }
    if (!text.contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(
          file + ": " + where + ": " + p + " holds no PEM certificate");
    }
    return text;
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
