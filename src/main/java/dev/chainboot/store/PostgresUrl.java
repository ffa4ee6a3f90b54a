package dev.chainboot.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL database as {@code --db} names it: {@code
 * postgresql://USER@HOST[:PORT][,HOST[:PORT]...]/DB[?PARAM=VALUE&...]}. Several hosts are tried in
 * order (with {@code target_session_attrs=read-write}, the one that accepts writes). The password
 * is never part of the URL: it comes from {@code --db-password-file} or {@code
 * CHAINBOOT_DB_PASSWORD}. Only these parameters are accepted, so a URL cannot switch on driver
 * features chainboot does not expect:
 *
 * <ul>
 *   <li>{@code sslmode}: disable, allow, prefer (the driver's default), require, verify-ca,
 *       verify-full;
 *   <li>{@code sslrootcert}, {@code sslcert}, {@code sslkey}: files (PEM; the key PKCS-8 DER or
 *       PEM);
 *   <li>{@code connect_timeout}: seconds;
 *   <li>{@code target_session_attrs}: any or read-write;
 *   <li>{@code application_name};
 *   <li>{@code synchronous_commit}: how chainboot's transactions commit: {@code off} (the default),
 *       {@code local}, {@code remote_write}, {@code on}, {@code remote_apply}, PostgreSQL's setting
 *       of that name. With {@code off} a write is committed when chainboot goes on (other instances
 *       see it; {@code kill -9} of any chainboot process or a restart of PostgreSQL loses nothing)
 *       but not yet flushed to disk: a crash of the database <em>host</em> can lose its last
 *       fraction of a second (at most three times {@code wal_writer_delay}), the guarantee of
 *       SQLite's {@code synchronous=NORMAL}, which chainboot uses on SQLite. {@code on} waits for
 *       the disk (and {@code remote_apply} for synchronous standbys) at every boot's event.
 * </ul>
 */
public record PostgresUrl(
    String user, List<String> hosts, String database, Map<String, String> params) {

  private static final Pattern URL =
      Pattern.compile("(?:postgresql|postgres)://([^@/?#]+)@([^/?#]+)/([^?#]+)(?:\\?([^#]*))?");
  private static final Pattern HOST =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9._-]+)(?::(\\d{1,5}))?");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.$-]{1,63}");
  private static final List<String> SSLMODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
  private static final List<String> SYNCHRONOUS_COMMIT =
      List.of("off", "local", "remote_write", "on", "remote_apply");

  /** Whether {@code db} names a PostgreSQL database (rather than a data directory's SQLite). */
  public static boolean isPostgres(String db) {
    return db != null && (db.startsWith("postgresql://") || db.startsWith("postgres://"));
  }

  /**
   * @throws IllegalArgumentException saying what is wrong and how it should look
   */
  public static PostgresUrl parse(String url) {
    Matcher m = URL.matcher(url == null ? "" : url);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "--db: not a PostgreSQL URL: expected postgresql://USER@HOST:PORT/DATABASE"
              + " (e.g. postgresql://chainboot@db.example:5432/chainboot)");
    }
    String user = decode(m.group(1));
    if (user.contains(":")) {
      throw new IllegalArgumentException(
          "--db: no password in the URL, please: put it in a file named by --db-password-file"
              + " or in the environment variable CHAINBOOT_DB_PASSWORD");
    }
    if (!NAME.matcher(user).matches()) {
      throw new IllegalArgumentException("--db: invalid user name '" + user + "'");
    }
    List<String> hosts = new ArrayList<>();
    for (String h : m.group(2).split(",", -1)) {
      Matcher hm = HOST.matcher(h);
      if (!hm.matches()) {
        throw new IllegalArgumentException("--db: invalid host '" + h + "' (HOST or HOST:PORT)");
      }
      int port = hm.group(2) == null ? 5432 : Integer.parseInt(hm.group(2));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("--db: invalid port in '" + h + "'");
      }
      hosts.add(hm.group(1) + ":" + port);
    }
    String database = decode(m.group(3));
    if (!NAME.matcher(database).matches()) {
      throw new IllegalArgumentException("--db: invalid database name '" + database + "'");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (m.group(4) != null && !m.group(4).isEmpty()) {
      for (String kv : m.group(4).split("&")) {
        int eq = kv.indexOf('=');
        String k = decode(eq < 0 ? kv : kv.substring(0, eq));
        String v = eq < 0 ? "" : decode(kv.substring(eq + 1));
        check(k, v);
        params.put(k, v);
      }
    }
    return new PostgresUrl(user, List.copyOf(hosts), database, Map.copyOf(params));
  }

  private static void check(String k, String v) {
    switch (k) {
      case "sslmode" -> {
        if (!SSLMODES.contains(v)) {
          throw new IllegalArgumentException("--db: sslmode must be one of " + SSLMODES);
        }
      }
      case "sslrootcert", "sslcert", "sslkey" -> {
        if (v.isEmpty()) {
          throw new IllegalArgumentException("--db: " + k + " needs a file name");
        }
      }
      case "connect_timeout" -> {
        if (!v.matches("\\d{1,4}")) {
          throw new IllegalArgumentException("--db: connect_timeout is a number of seconds");
        }
      }
      case "target_session_attrs" -> {
        if (!v.equals("any") && !v.equals("read-write")) {
          throw new IllegalArgumentException(
              "--db: target_session_attrs must be any or read-write");
        }
      }
      case "application_name" -> {
        if (!v.matches("[A-Za-z0-9 ._-]{0,63}")) {
          throw new IllegalArgumentException("--db: invalid application_name");
        }
      }
      case "synchronous_commit" -> {
        if (!SYNCHRONOUS_COMMIT.contains(v)) {
          throw new IllegalArgumentException(
              "--db: synchronous_commit must be one of " + SYNCHRONOUS_COMMIT);
        }
      }
      default ->
          throw new IllegalArgumentException(
              "--db: unknown parameter '"
                  + k
                  + "' (known: sslmode, sslrootcert, sslcert, sslkey, connect_timeout,"
                  + " target_session_attrs, application_name, synchronous_commit)");
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The JDBC URL (hosts and database only; everything else goes in {@link #properties}). */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + String.join(",", hosts) + "/" + database;
  }

  /** How chainboot's transactions commit (PostgreSQL's {@code synchronous_commit}). */
  public String synchronousCommit() {
    return params.getOrDefault("synchronous_commit", "off");
  }

  /** The driver properties: the user, the password if any, and the URL's parameters. */
  public Properties properties(String password) {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("ApplicationName", params.getOrDefault("application_name", "chainboot"));
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("options", "-c synchronous_commit=" + synchronousCommit());
    params.forEach(
        (k, v) -> {
          switch (k) {
            case "connect_timeout" -> p.setProperty("connectTimeout", v);
            case "target_session_attrs" ->
                p.setProperty("targetServerType", v.equals("read-write") ? "primary" : "any");
            case "application_name", "synchronous_commit" -> {}
            default -> p.setProperty(k, v);
          }
        });
    return p;
  }

  /** The URL as given, for messages (it never holds a password). */
  @Override
  public String toString() {
    StringBuilder s =
        new StringBuilder("postgresql://")
            .append(user)
            .append('@')
            .append(String.join(",", hosts))
            .append('/')
            .append(database);
    if (!params.isEmpty()) {
      s.append('?');
      List<String> kv = new ArrayList<>();
      params.forEach((k, v) -> kv.add(k + "=" + v));
      s.append(String.join("&", kv));
    }
    return s.toString();
  }
}
