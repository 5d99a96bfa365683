using System.Collections.Concurrent;
using System.Data.Common;
using DbUp;
using DbUp.Engine;
using DbUp.Postgresql;
using Npgsql;

namespace Renkei.Infrastructure;

/// <summary>A schema script failed: names the component and the script; the journal records the scripts before it only.</summary>
public sealed class MigrationException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Versioned schema migrations with DbUp: applies a <see cref="SchemaComponent"/>'s scripts the database's journal does not
/// list yet, in order, each in its own transaction together with its journal entry, so a script that fails leaves the
/// database and the journal as they were before it (the scripts before it stay applied). Services apply their components at
/// start (stores call <see cref="Apply(Database, SchemaComponent)"/> when constructed: one journal read when nothing is
/// pending); <c>renkei db migrate --role …</c> applies a role's components and lists what is pending.
/// <para>Two migrators on one database wait for each other: an in-process lock per database, and on PostgreSQL a session
/// advisory lock per schema (several processes or service instances starting together).</para>
/// </summary>
public static class Migrations
{
    private static readonly ConcurrentDictionary<string, object> Gates = new();

    /// <summary>Applies each component's pending scripts; returns what was applied (journal names), in order.</summary>
    /// <exception cref="MigrationException">a script failed (named, with the engine's reason)</exception>
    public static IReadOnlyList<string> Apply(Database database, IEnumerable<SchemaComponent> components) =>
        components.SelectMany(component => Apply(database, component)).ToList();

    /// <summary>Applies the component's pending scripts; returns what was applied (journal names), in order.</summary>
    /// <exception cref="MigrationException">a script failed (named, with the engine's reason)</exception>
    public static IReadOnlyList<string> Apply(Database database, SchemaComponent component)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(component);
        var scripts = component.Scripts(database.Provider);
        if (PendingOf(scripts, Journal(database, component)).Count == 0) return [];

        lock (Gates.GetOrAdd(database.ConnectionString, _ => new object()))
        {
            using var session = database.Provider == DatabaseProvider.PostgreSql ? new NpgsqlConnection(database.ConnectionString) : null;
            string? schema = null;
            if (session is not null)
            {
                session.Open();
                using (var current = session.Command("SELECT current_schema()")) schema = (string)current.ExecuteScalar()!;
                using var wait = session.Command("SELECT pg_advisory_lock(hashtext('renkei-schema:' || current_schema()))");
                wait.ExecuteNonQuery();
            }
            try
            {
                var journaled = Journal(database, component);
                var pending = PendingOf(scripts, journaled);
                if (pending.Count == 0) return [];
                if (component.Adopt is { } adopt && !journaled.Contains(scripts[0].Name)) adopt(database);
                return Run(database, component, schema, pending);
            }
            finally
            {
                if (session is not null)
                {
                    using var release = session.Command("SELECT pg_advisory_unlock(hashtext('renkei-schema:' || current_schema()))");
                    release.ExecuteNonQuery();
                }
            }
        }
    }

    /// <summary>The component's scripts the database's journal does not list yet (journal names, in order).</summary>
    public static IReadOnlyList<string> Pending(Database database, SchemaComponent component) =>
        PendingOf(component.Scripts(database.Provider), Journal(database, component)).Select(s => s.Name).ToList();

    /// <summary>The component's scripts the database's journal lists, in order; empty without a journal.</summary>
    public static IReadOnlyList<string> Applied(Database database, SchemaComponent component)
    {
        var journaled = Journal(database, component);
        return component.Scripts(database.Provider).Select(s => s.Name).Where(journaled.Contains).ToList();
    }

    private static List<SchemaScript> PendingOf(IReadOnlyList<SchemaScript> scripts, IReadOnlySet<string> journaled) =>
        scripts.Where(s => !journaled.Contains(s.Name)).ToList();

    /// <summary>The script names in the component's journal table; empty when there is no such table yet.</summary>
    private static HashSet<string> Journal(Database database, SchemaComponent component)
    {
        using var connection = database.Open();
        var exists = database.Provider == DatabaseProvider.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @name"
            : "SELECT COUNT(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = @name AND n.nspname = current_schema()";
        using (var check = connection.Command(exists).With("@name", component.JournalTable))
            if (check.ScalarInt64() == 0) return [];
        using var select = connection.Command($"SELECT scriptname FROM {component.JournalTable}");
        using var reader = select.ExecuteReader();
        var names = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) names.Add(reader.GetString(0));
        return names;
    }

    private static List<string> Run(Database database, SchemaComponent component, string? schema, IReadOnlyList<SchemaScript> pending)
    {
        var builder = database.Provider == DatabaseProvider.Sqlite
            ? DeployChanges.To.SqliteDatabase(database.ConnectionString).JournalToSqliteTable(component.JournalTable)
            : DeployChanges.To.PostgresqlDatabase(database.ConnectionString).JournalToPostgresqlTable(schema!, component.JournalTable);
        var engine = builder
            .WithScripts(pending.Select(s => new SqlScript(s.Name, s.Sql)))
            .WithTransactionPerScript()
            .WithVariablesDisabled()
            .LogToNowhere()
            .Build();
        var result = engine.PerformUpgrade();
        if (!result.Successful)
        {
            var reason = result.Error is DbException or null ? result.Error?.Message : result.Error.GetType().Name + ": " + result.Error.Message;
            throw new MigrationException(
                $"schema migration of {component} stopped at script {result.ErrorScript?.Name ?? "(before any script)"}: {reason} "
                + "(the journal lists the scripts before it only)", result.Error);
        }
        return result.Scripts.Select(s => s.Name).ToList();
    }
}
