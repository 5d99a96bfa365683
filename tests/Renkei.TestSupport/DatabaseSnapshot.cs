using System.Globalization;
using System.Text;
using Renkei.Infrastructure;

namespace Renkei.TestSupport;

/// <summary>Every row of every table of a database as text, to show that a refused request stored nothing.</summary>
public static class DatabaseSnapshot
{
    /// <summary>The rows of all tables but <paramref name="except"/>, table by table in a stable order.</summary>
    public static string Rows(Database database, params string[] except)
    {
        ArgumentNullException.ThrowIfNull(database);
        var text = new StringBuilder();
        using var connection = database.Open();
        var tables = new List<string>();
        using (var list = connection.Command(database.Provider == DatabaseProvider.Sqlite
                   ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                   : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"))
        using (var reader = list.ExecuteReader())
            while (reader.Read()) tables.Add(reader.GetString(0));
        foreach (var table in tables.Where(t => !except.Contains(t, StringComparer.OrdinalIgnoreCase)))
        {
            text.Append('[').Append(table).Append(']');
            var rows = new List<string>();
            using var select = connection.Command($"SELECT * FROM {table}");
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                    row.Append(reader.IsDBNull(i) ? "" : reader.GetValue(i) is byte[] bytes ? Convert.ToHexString(bytes) : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append('|');
                rows.Add(row.ToString());
            }
            rows.Sort(StringComparer.Ordinal); // PostgreSQL returns rows in no fixed order
            foreach (var row in rows) text.Append(row).Append('\n');
        }
        return text.ToString();
    }
}
