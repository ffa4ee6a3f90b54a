package dev.chainboot.compat.zeroos;

import dev.chainboot.boot.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Zero-OS bootstrap's provisioning database, read-only (for {@code chainboot import zeroos}): the
 * table {@code provision(client primary key, branch, zerotier, kargs)} maps a client MAC to the
 * runmode ({@code branch}; some versions call the column {@code release}), the farmer id ({@code
 * zerotier}) and extra kernel arguments ({@code kargs}) its {@code /provision/<mac>} script booted
 * with. Each usable row is checked with the same grammar as {@code
 * /ipxe/<runmode>/<farmer>/<extra>} ({@link ZeroOsRequest}); rows that fail are listed in {@link
 * #skipped()}.
 *
 * @param rows usable rows, in client order
 * @param skipped rows left out, with why
 */
public record ZeroOsProvisionDb(List<Row> rows, List<String> skipped) {

  /**
   * One machine's provisioning.
   *
   * @param mac the client
   * @param request its boot parameters, validated
   */
  public record Row(MacAddress mac, ZeroOsRequest request) {}

  /**
   * One row of the provision table as it is, not checked yet: what {@code chainboot import zeroos}
   * sends a remote server, which checks it against its own runmodes.
   *
   * @param client the {@code client} column (a MAC, if the row is usable)
   * @param branch the runmode ({@code branch} or {@code release})
   * @param zerotier the farmer id, or empty
   * @param kargs extra kernel arguments, or empty
   */
  public record Client(String client, String branch, String zerotier, String kargs) {}

  /**
   * @param runmodes the configured runmode keys a row's branch must be one of
   * @throws SQLException when the file is not a SQLite database with a provision table
   */
  public static ZeroOsProvisionDb read(Path file, Set<String> runmodes) throws SQLException {
    return of(readClients(file), runmodes);
  }

  /** Checks rows read elsewhere against {@code runmodes}. */
  public static ZeroOsProvisionDb of(List<Client> clients, Set<String> runmodes) {
    List<Row> rows = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (Client c : clients) {
      Optional<MacAddress> mac = MacAddress.parse(c.client());
      if (mac.isEmpty()) {
        skipped.add("client '" + c.client() + "': not a MAC address");
        continue;
      }
      try {
        rows.add(
            new Row(
                mac.get(),
                ZeroOsRequest.of(
                    nullToEmpty(c.branch()).strip(),
                    nullToEmpty(c.zerotier()).strip(),
                    nullToEmpty(c.kargs()).strip(),
                    null,
                    runmodes)));
      } catch (ZeroOsRequest.Invalid e) {
        skipped.add("client " + mac.get() + ": " + e.getMessage());
      }
    }
    return new ZeroOsProvisionDb(List.copyOf(rows), List.copyOf(skipped));
  }

  /**
   * The provision table's rows, in client order, unchecked.
   *
   * @throws SQLException when the file is not a SQLite database with a provision table
   */
  public static List<Client> readClients(Path file) throws SQLException {
    if (!Files.isRegularFile(file)) {
      throw new SQLException("no such file: " + file);
    }
    String url = "jdbc:sqlite:file:" + file.toAbsolutePath() + "?mode=ro";
    List<Client> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      Set<String> columns = new HashSet<>();
      try (ResultSet rs = st.executeQuery("PRAGMA table_info(provision)")) {
        while (rs.next()) {
          columns.add(rs.getString("name").toLowerCase(Locale.ROOT));
        }
      }
      if (columns.isEmpty()) {
        throw new SQLException(file + " has no table 'provision'");
      }
      String branch =
          columns.contains("branch") ? "branch" : columns.contains("release") ? "release" : null;
      if (branch == null || !columns.contains("client")) {
        throw new SQLException(
            file
                + ": table provision needs columns client and branch (or release),"
                + " has "
                + columns);
      }
      String zerotier = columns.contains("zerotier") ? "zerotier" : "NULL";
      String kargs = columns.contains("kargs") ? "kargs" : "NULL";
      try (ResultSet rs =
          st.executeQuery(
              "SELECT client, "
                  + branch
                  + ", "
                  + zerotier
                  + ", "
                  + kargs
                  + " FROM provision ORDER BY client")) {
        while (rs.next()) {
          out.add(
              new Client(
                  nullToEmpty(rs.getString(1)),
                  nullToEmpty(rs.getString(2)),
                  nullToEmpty(rs.getString(3)),
                  nullToEmpty(rs.getString(4))));
        }
      }
    }
    return List.copyOf(out);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
