using System.Collections.Concurrent;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Renkei.Infrastructure;

/// <summary>One numbered schema script of a <see cref="SchemaComponent"/>, ready for one engine.</summary>
/// <param name="Name">the name the journal keeps: <c>0002-copy-actors.sql</c> (with the instance in front, <c>operation_log/0001-audit-log.sql</c>)</param>
/// <param name="Sql">the statements, variables substituted</param>
public sealed record SchemaScript(string Name, string Sql);

/// <summary>
/// A part of an institution's schema with its own version history: numbered SQL scripts embedded in an assembly, applied in
/// order by <see cref="Migrations"/> and journaled in the component's own table (<see cref="JournalTable"/>), so a database
/// that holds several components (a ward's tables and its operation log) records each one's versions separately.
/// <para>Scripts are embedded resources named <c>schema/NNNN-what.sql</c> (both engines) or <c>NNNN-what.sqlite.sql</c>
/// and <c>NNNN-what.postgres.sql</c> (one per engine, where the engines differ too much for a variable). The number orders
/// them; a script, once released, is never edited: a change is a new script.</para>
/// <para>Variables, written <c>$name$</c>, cover the small differences in column types: <c>$auto_id$</c> (a primary key
/// that numbers itself), <c>$bytes$</c> (BLOB or BYTEA), <c>$rowid$</c> (INTEGER on SQLite, where an INTEGER PRIMARY KEY is
/// the rowid itself; BIGINT on PostgreSQL), <c>$without_rowid$</c> (SQLite's WITHOUT ROWID, nothing on PostgreSQL), plus
/// the component's own (<see cref="Variables"/>).</para>
/// </summary>
public sealed partial class SchemaComponent
{
    private readonly Assembly _assembly;
    private readonly string _resourcePrefix;
    private readonly ConcurrentDictionary<DatabaseProvider, IReadOnlyList<SchemaScript>> _scripts = new();

    /// <param name="name">lower-case letters, digits and '-': names the journal table (<c>schema_journal_&lt;name&gt;</c>, '-' as '_')</param>
    /// <param name="assembly">the assembly whose embedded resources hold the scripts</param>
    /// <param name="resourcePrefix">the scripts' resource names start with this (the csproj's LogicalName)</param>
    public SchemaComponent(string name, Assembly assembly, string resourcePrefix = "schema/")
    {
        if (!ComponentName().IsMatch(name))
            throw new ArgumentException("a schema component's name is lower-case letters, digits and '-', starting with a letter", nameof(name));
        Name = name;
        _assembly = assembly;
        _resourcePrefix = resourcePrefix;
    }

    public string Name { get; }

    /// <summary>The table that records which of the component's scripts the database has.</summary>
    public string JournalTable => "schema_journal_" + Name.Replace('-', '_');

    /// <summary>
    /// For a component held several times in one database (one audit log per table): the instance's name, written before
    /// each script's name in the journal (<c>operation_log/0001-audit-log.sql</c>).
    /// </summary>
    public string? Instance { get; init; }

    /// <summary>The component's own variables (beyond the engine's), e.g. the audit log's table name.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Brings a database made before the component was journaled, by a release older than the one script 0001 describes, to
    /// what 0001 expects (e.g. columns a later release of the old code added with ALTER). Runs only while 0001 is not journaled.
    /// </summary>
    public Action<Database>? Adopt { get; init; }

    /// <summary>The name and instance as people read them: <c>municipality</c>, <c>audit-log operation_log</c>.</summary>
    public override string ToString() => Instance is null ? Name : $"{Name} {Instance}";

    /// <summary>The scripts for the engine, in order, variables substituted.</summary>
    public IReadOnlyList<SchemaScript> Scripts(DatabaseProvider provider) => _scripts.GetOrAdd(provider, Load);

    private IReadOnlyList<SchemaScript> Load(DatabaseProvider provider)
    {
        var dialect = provider == DatabaseProvider.Sqlite ? "sqlite" : "postgres";
        var chosen = new SortedDictionary<int, (string File, string Resource)>();
        foreach (var resource in _assembly.GetManifestResourceNames().Where(r => r.StartsWith(_resourcePrefix, StringComparison.Ordinal)))
        {
            var file = resource[_resourcePrefix.Length..];
            var match = ScriptFileName().Match(file);
            if (!match.Success)
                throw new InvalidOperationException($"schema component {Name}: {file} is not named NNNN-what.sql or NNNN-what.sqlite.sql / .postgres.sql");
            var engine = match.Groups["engine"].Value;
            if (engine.Length > 0 && engine != dialect) continue;
            var number = int.Parse(match.Groups["number"].Value, System.Globalization.CultureInfo.InvariantCulture);
            var journalName = match.Groups["number"].Value + "-" + match.Groups["what"].Value + ".sql";
            if (!chosen.TryAdd(number, (journalName, resource)))
                throw new InvalidOperationException($"schema component {Name}: two scripts numbered {number:D4} for {dialect}");
        }
        var expected = 1;
        foreach (var number in chosen.Keys)
            if (number != expected++)
                throw new InvalidOperationException($"schema component {Name}: script {expected - 1:D4} is missing for {dialect}");

        var variables = EngineVariables(provider);
        foreach (var (key, value) in Variables) variables[key] = value;
        return chosen.Values.Select(script =>
        {
            using var stream = _assembly.GetManifestResourceStream(script.Resource)!;
            using var reader = new StreamReader(stream);
            var sql = Variable().Replace(reader.ReadToEnd(), match => variables.TryGetValue(match.Groups[1].Value, out var value)
                ? value
                : throw new InvalidOperationException($"schema component {Name}, script {script.File}: no value for ${match.Groups[1].Value}$"));
            return new SchemaScript(Instance is null ? script.File : Instance + "/" + script.File, sql);
        }).ToList();
    }

    private static Dictionary<string, string> EngineVariables(DatabaseProvider provider)
    {
        var sqlite = provider == DatabaseProvider.Sqlite;
        var database = new Database(provider, "");
        return new Dictionary<string, string>
        {
            ["auto_id"] = database.AutoIdPrimaryKey,
            ["bytes"] = database.BytesType,
            ["rowid"] = sqlite ? "INTEGER" : "BIGINT",
            ["without_rowid"] = sqlite ? " WITHOUT ROWID" : "",
        };
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{0,40}$")]
    private static partial Regex ComponentName();

    [GeneratedRegex(@"^(?<number>\d{4})-(?<what>[a-z0-9-]+)(\.(?<engine>sqlite|postgres))?\.sql$")]
    private static partial Regex ScriptFileName();

    [GeneratedRegex(@"\$([a-z_]+)\$")]
    private static partial Regex Variable();
}
