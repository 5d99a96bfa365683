using System.Globalization;
using System.Text;
using Renkei.Infrastructure;

namespace Renkei.TestSupport;

/// <summary>Every row of every table of a database as text, to show that a refused request stored nothing.</summary>
public sealed class DatabaseSnapshot
{
    private readonly SortedDictionary<string, string> _tables;

    private DatabaseSnapshot(SortedDictionary<string, string> tables) => _tables = tables;

    /// <summary>The rows of all tables but <paramref name="except"/>, each table's rows in a stable order.</summary>
    public static DatabaseSnapshot Take(Database database, params string[] except)
    {
        ArgumentNullException.ThrowIfNull(database);
        var tables = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var connection = database.Open();
        var names = new List<string>();
        using (var list = connection.Command(database.Provider == DatabaseProvider.Sqlite
                   ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                   : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"))
        using (var reader = list.ExecuteReader())
            while (reader.Read()) names.Add(reader.GetString(0));
        foreach (var table in names.Where(t => !except.Contains(t, StringComparer.OrdinalIgnoreCase)))
        {
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
            tables[table] = string.Join('\n', rows);
        }
        return new DatabaseSnapshot(tables);
    }

    /// <summary>Everything stored, as one text (for searching; never print it: it may hold numbers).</summary>
    public string Text => string.Join('\n', _tables.Select(t => "[" + t.Key + "]\n" + t.Value));

    /// <summary>The names of the tables whose rows differ from <paramref name="other"/>'s (safe to print).</summary>
    public IReadOnlyList<string> ChangedTables(DatabaseSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _tables.Keys.Union(other._tables.Keys)
            .Where(t => !_tables.TryGetValue(t, out var mine) || !other._tables.TryGetValue(t, out var theirs) || mine != theirs)
            .ToList();
    }
}
