using Npgsql;
using Xunit;
using Renkei.Infrastructure;

namespace Renkei.TestSupport;

/// <summary>
/// A throw-away database for one test, on either engine. Storage tests run as theories over
/// <see cref="Providers"/> so the same assertions hold for SQLite and PostgreSQL.
/// PostgreSQL comes from RENKEI_TEST_POSTGRES (set by ./test, which installs and starts a server);
/// without it the PostgreSQL cases fail and say so, rather than silently passing.
/// </summary>
public sealed class TestDatabase : IDisposable
{
    public const string PostgresVariable = "RENKEI_TEST_POSTGRES";

    public static TheoryData<string> Providers => new() { "sqlite", "postgres" };

    private readonly string? _directory;
    private readonly string? _schema;
    private readonly string? _adminConnectionString;

    private TestDatabase(Database database, string? directory, string? schema, string? adminConnectionString)
    {
        Database = database;
        _directory = directory;
        _schema = schema;
        _adminConnectionString = adminConnectionString;
    }

    public Database Database { get; }

    /// <summary>The database as a module's <c>X:Database</c> setting (<see cref="Database.Parse"/>): <c>sqlite:&lt;path&gt;</c> or <c>postgres:&lt;connection string&gt;</c>.</summary>
    public string Setting => Database.Provider == DatabaseProvider.Sqlite
        ? "sqlite:" + new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(Database.ConnectionString).DataSource
        : "postgres:" + Database.ConnectionString;

    public static TestDatabase Create(string provider) => provider switch
    {
        "sqlite" => CreateSqlite(),
        "postgres" => CreatePostgres(),
        _ => throw new ArgumentException("provider is sqlite or postgres", nameof(provider)),
    };

    /// <summary>A SQLite database in <paramref name="directory"/> (e.g. a <see cref="TmpfsMount"/>, whose disposal removes it).</summary>
    public static TestDatabase CreateSqliteIn(string directory) =>
        new(Database.Sqlite(Path.Combine(directory, "test.db")), null, null, null);

    public static TestDatabase CreateSqlite()
    {
        var directory = Path.Combine(Path.GetTempPath(), "renkei-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return new TestDatabase(Database.Sqlite(Path.Combine(directory, "test.db")), directory, null, null);
    }

    public static TestDatabase CreatePostgres()
    {
        var admin = Environment.GetEnvironmentVariable(PostgresVariable);
        if (string.IsNullOrWhiteSpace(admin))
            throw new InvalidOperationException($"{PostgresVariable} is not set: run the tests with ./test, which starts PostgreSQL");
        return CreatePostgres(admin);
    }

    /// <summary>A schema of its own on the server <paramref name="admin"/> reaches (e.g. a <see cref="PrivatePostgres"/> cluster).</summary>
    public static TestDatabase CreatePostgres(string admin)
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            command.ExecuteNonQuery();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { SearchPath = schema };
        return new TestDatabase(Database.PostgreSql(builder.ToString()), null, schema, admin);
    }

    /// <summary>A second, independent database on the same engine (for another institution in the same test).</summary>
    public TestDatabase Sibling() => Database.Provider == DatabaseProvider.Sqlite ? CreateSqlite() : CreatePostgres();

    public void Dispose()
    {
        if (_schema is not null)
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(_adminConnectionString);
            connection.Open();
            using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
            command.ExecuteNonQuery();
        }
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        }
    }
}
