using Microsoft.Data.Sqlite;
using Npgsql;
using Renkei.Infrastructure;

namespace Renkei.Cli.Bench;

/// <summary>
/// Throw-away databases for a benchmark, one per institution: SQLite files under the benchmark's work directory, or on
/// PostgreSQL one new schema per institution (named <c>bench_&lt;run&gt;_&lt;institution&gt;</c>, the connection's search path
/// set to it) so institutions never share a table. Dropped on dispose unless kept.
/// </summary>
public sealed class BenchDatabases : IDisposable
{
    private readonly string? _postgres;
    private readonly string _run = Guid.NewGuid().ToString("N")[..12];
    private readonly List<string> _schemas = [];

    /// <param name="workDirectory">where SQLite files go</param>
    /// <param name="postgres">a PostgreSQL connection string whose user may create schemas; null: SQLite</param>
    public BenchDatabases(string workDirectory, string? postgres)
    {
        WorkDirectory = workDirectory;
        _postgres = postgres;
    }

    /// <summary>Parses <c>--database</c>: <c>sqlite</c> (or nothing) or <c>postgres:&lt;connection string&gt;</c>.</summary>
    public static BenchDatabases FromSetting(string workDirectory, string? setting)
    {
        if (setting is null || setting.Equals("sqlite", StringComparison.OrdinalIgnoreCase)) return new BenchDatabases(workDirectory, null);
        if (setting.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase) && setting.Length > "postgres:".Length)
        {
            var connection = setting["postgres:".Length..];
            try { _ = new NpgsqlConnectionStringBuilder(connection); }
            catch (ArgumentException) { throw new UsageException("--database: the PostgreSQL connection string is not valid"); }
            return new BenchDatabases(workDirectory, connection);
        }
        throw new UsageException("--database is sqlite or postgres:<connection string>");
    }

    public string WorkDirectory { get; }

    public DatabaseProvider Provider => _postgres is null ? DatabaseProvider.Sqlite : DatabaseProvider.PostgreSql;

    /// <summary>Keep the databases when disposed (the SQLite files stay in <see cref="WorkDirectory"/>, the schemas in PostgreSQL).</summary>
    public bool Keep { get; set; }

    /// <summary>The schemas made so far (PostgreSQL).</summary>
    public IReadOnlyList<string> Schemas => _schemas;

    /// <summary>A new, empty database for <paramref name="institution"/> (letters, digits and '-').</summary>
    public Database Create(string institution)
    {
        var name = institution.Replace('-', '_').ToLowerInvariant();
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw new ArgumentException("an institution name of letters, digits and '-'", nameof(institution));
        if (_postgres is null) return Database.Sqlite(Path.Combine(WorkDirectory, name, name + ".db"));

        var schema = $"bench_{_run}_{name}";
        using (var connection = new NpgsqlConnection(_postgres))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            command.ExecuteNonQuery();
        }
        _schemas.Add(schema);
        return Database.PostgreSql(new NpgsqlConnectionStringBuilder(_postgres) { SearchPath = schema }.ToString());
    }

    public void Dispose()
    {
        if (Keep) return;
        if (_postgres is not null && _schemas.Count > 0)
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(_postgres);
            connection.Open();
            foreach (var schema in _schemas)
            {
                using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
                command.ExecuteNonQuery();
            }
        }
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(WorkDirectory))
        {
            try { Directory.Delete(WorkDirectory, recursive: true); }
            catch (IOException) { }
        }
    }
}
