package dev.chainboot.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Copies everything one store holds into another, empty one, row for row and column for column
 * (creation and last-seen times, event ids and all), in one transaction on the target that commits
 * only when every table's row count and checksum match the source's. SQLite to PostgreSQL moves a
 * single-node install to a shared database; PostgreSQL to SQLite goes back. The version counters
 * are not copied: the target's own triggers count its changes.
 */
public final class StoreCopy {

  /**
   * The tables copied, parents first, with the order their checksum reads them in (primary keys;
   * both engines compare these keys byte by byte).
   */
  static final List<String[]> TABLES =
      List.of(
          new String[] {"profiles", "name"},
          new String[] {"machines", "mac"},
          new String[] {"assignments", "mac, kind"},
          new String[] {"default_profile", "id"},
          new String[] {"machine_groups", "name"},
          new String[] {"boot_events", "id"});

  /** One table's rows and checksum on each side. */
  public record Table(String name, long fromRows, long toRows, String fromSum, String toSum) {
    public boolean same() {
      return fromRows == toRows && fromSum.equals(toSum);
    }
  }

  private StoreCopy() {}

  /**
   * Copies {@code from} into {@code to}.
   *
   * @return each table's counts and checksums (all equal: otherwise nothing was committed)
   * @throws StoreException when the target is not empty, a table differs after the copy, or the
   *     database fails (the target is then left as it was)
   */
  public static List<Table> copy(Store from, Store to) {
    JdbcStore src = jdbc(from);
    JdbcStore dst = jdbc(to);
    try (Connection in = src.pool.getConnection();
        Connection out = dst.pool.getConnection()) {
      in.setAutoCommit(false); // one snapshot of the source
      out.setAutoCommit(false);
      try {
        for (String[] t : TABLES) {
          long n = count(out, t[0]);
          if (n > 0) {
            throw new StoreException(
                dst.where() + " is not empty (" + t[0] + ": " + n + " rows); copy into a new one");
          }
        }
        for (String[] t : TABLES) {
          copyTable(in, out, t[0], t[1]);
        }
        if (dst instanceof PostgresStore) {
          try (Statement st = out.createStatement()) {
            st.execute(
                "SELECT setval(pg_get_serial_sequence('boot_events', 'id'),"
                    + " COALESCE((SELECT MAX(id) FROM boot_events), 0) + 1, false)");
          }
        }
        List<Table> result = new ArrayList<>();
        for (String[] t : TABLES) {
          String[] a = checksum(in, t[0], t[1]);
          String[] b = checksum(out, t[0], t[1]);
          result.add(new Table(t[0], Long.parseLong(a[0]), Long.parseLong(b[0]), a[1], b[1]));
        }
        for (Table t : result) {
          if (!t.same()) {
            throw new StoreException(
                "after copying, "
                    + t.name()
                    + " differs ("
                    + t.fromRows()
                    + " rows, sha256 "
                    + t.fromSum()
                    + " here; "
                    + t.toRows()
                    + " rows, sha256 "
                    + t.toSum()
                    + " there); nothing was committed");
          }
        }
        out.commit();
        in.rollback();
        return result;
      } catch (SQLException | RuntimeException e) {
        out.rollback();
        in.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("copying " + src.where() + " to " + dst.where() + ": " + e, e);
    }
  }

  /** Count and sha256 of every row of {@code table}, one canonical line per row, in key order. */
  public static List<String[]> checksums(Store store) {
    JdbcStore s = jdbc(store);
    try (Connection c = s.pool.getConnection()) {
      List<String[]> out = new ArrayList<>();
      for (String[] t : TABLES) {
        String[] sum = checksum(c, t[0], t[1]);
        out.add(new String[] {t[0], sum[0], sum[1]});
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("reading " + s.where() + ": " + e.getMessage(), e);
    }
  }

  private static JdbcStore jdbc(Store s) {
    if (s instanceof JdbcStore j) {
      return j;
    }
    throw new IllegalArgumentException("cannot copy " + s.getClass().getSimpleName());
  }

  private static long count(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void copyTable(Connection in, Connection out, String table, String order)
      throws SQLException {
    int[] targetTypes;
    List<String> columns = new ArrayList<>();
    try (Statement st = out.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
      ResultSetMetaData md = rs.getMetaData();
      targetTypes = new int[md.getColumnCount()];
      for (int i = 1; i <= md.getColumnCount(); i++) {
        columns.add(md.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
        targetTypes[i - 1] = md.getColumnType(i);
      }
    }
    String insert =
        "INSERT INTO "
            + table
            + " ("
            + String.join(", ", columns)
            + ") VALUES ("
            + String.join(", ", columns.stream().map(c -> "?").toList())
            + ")";
    try (Statement st = in.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT " + String.join(", ", columns) + " FROM " + table + " ORDER BY " + order);
        PreparedStatement ps = out.prepareStatement(insert)) {
      int pending = 0;
      while (rs.next()) {
        for (int i = 1; i <= columns.size(); i++) {
          Object v = rs.getObject(i);
          if (v == null) {
            ps.setNull(i, targetTypes[i - 1]);
          } else if (targetTypes[i - 1] == Types.BOOLEAN || targetTypes[i - 1] == Types.BIT) {
            ps.setBoolean(i, truth(v));
          } else if (v instanceof Number n) {
            ps.setLong(i, n.longValue());
          } else {
            ps.setString(i, v.toString());
          }
        }
        ps.addBatch();
        if (++pending == 1000) {
          ps.executeBatch();
          pending = 0;
        }
      }
      if (pending > 0) {
        ps.executeBatch();
      }
    }
  }

  private static boolean truth(Object v) {
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n) {
      return n.longValue() != 0;
    }
    String s = v.toString();
    return s.equals("1") || s.equalsIgnoreCase("t") || s.equalsIgnoreCase("true");
  }

  /** {row count, sha256 hex} of a table, each value written the same way on either engine. */
  private static String[] checksum(Connection c, String table, String order) throws SQLException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    long rows = 0;
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table + " ORDER BY " + order)) {
      ResultSetMetaData meta = rs.getMetaData();
      List<String> names = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        names.add(meta.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
      }
      List<Integer> sorted = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        sorted.add(i);
      }
      sorted.sort((a, b) -> names.get(a).compareTo(names.get(b))); // column order may differ
      while (rs.next()) {
        StringBuilder line = new StringBuilder();
        for (int i : sorted) {
          Object v = rs.getObject(i + 1);
          line.append(names.get(i)).append('=');
          if (v == null) {
            line.append("\u0000null");
          } else if (v instanceof Boolean b) {
            line.append(b ? '1' : '0');
          } else if (v instanceof Number n) {
            line.append(n.longValue());
          } else {
            line.append(v.toString().replace("\\", "\\\\").replace("\u001f", "\\u001f"));
          }
          line.append('\u001f');
        }
        md.update(line.append('\n').toString().getBytes(StandardCharsets.UTF_8));
        rows++;
      }
    }
    return new String[] {String.valueOf(rows), HexFormat.of().formatHex(md.digest())};
  }
}
