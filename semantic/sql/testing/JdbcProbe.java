import java.sql.*;

/**
 * What Metabase and DBeaver do over pgjdbc (Debian's libpostgresql-jdbc-java) when they connect and
 * ask: the server's name, its tables and a table's columns from DatabaseMetaData, then a prepared
 * statement with bound values. Run by sql-api.test.ts (java JdbcProbe.java <port> <user> <password>);
 * prints one line of JSON.
 */
public class JdbcProbe {
  static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public static void main(String[] a) throws Exception {
    StringBuilder out = new StringBuilder("{");
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + a[0] + "/kho?sslmode=disable", a[1], a[2])) {
      DatabaseMetaData md = c.getMetaData();
      out.append("\"product\":").append(q(md.getDatabaseProductName())).append(",\"tables\":[");
      try (ResultSet rs = md.getTables(null, "public", "%", new String[] {"TABLE"})) {
        for (boolean first = true; rs.next(); first = false) out.append(first ? "" : ",").append(q(rs.getString("TABLE_NAME")));
      }
      out.append("],\"columns\":{");
      try (ResultSet rs = md.getColumns(null, "public", "truong_hoc", "%")) {
        for (boolean first = true; rs.next(); first = false) out.append(first ? "" : ",").append(q(rs.getString("COLUMN_NAME"))).append(':').append(q(rs.getString("TYPE_NAME")));
      }
      out.append("},\"rows\":[");
      try (PreparedStatement ps = c.prepareStatement("SELECT admin_units_name, MEASURE(count) AS n FROM truong_hoc WHERE loai_hinh = ? GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?")) {
        ps.setString(1, "cong_lap");
        ps.setInt(2, 3);
        // Six runs: pgjdbc names the statement on the server from the fifth on; the last one's rows are printed.
        for (int i = 0; i < 6; i++) {
          try (ResultSet rs = ps.executeQuery()) {
            for (boolean first = true; rs.next(); first = false) if (i == 5) out.append(first ? "" : ",").append("[").append(q(rs.getString(1))).append(",").append(rs.getLong(2)).append("]");
          }
        }
      }
      // A sum (numeric) by month (timestamp), six times too: pgjdbc asks the named statement's answer in binary.
      out.append("],\"months\":[");
      try (PreparedStatement ps = c.prepareStatement("SELECT date_trunc('month', ngay_xay_ra) AS thang, MEASURE(sum_thiet_hai_trieu_dong) FROM tai_nan_giao_thong WHERE ngay_xay_ra >= ? GROUP BY 1 ORDER BY 1")) {
        ps.setDate(1, java.sql.Date.valueOf("2026-01-01"));
        for (int i = 0; i < 6; i++) {
          try (ResultSet rs = ps.executeQuery()) {
            for (boolean first = true; rs.next(); first = false) if (i == 5) out.append(first ? "" : ",").append("[").append(q(rs.getTimestamp(1).toLocalDateTime().toString())).append(",").append(q(rs.getBigDecimal(2).toPlainString())).append("]");
          }
        }
      }
      out.append("]}");
    }
    System.out.println(out);
  }
}
