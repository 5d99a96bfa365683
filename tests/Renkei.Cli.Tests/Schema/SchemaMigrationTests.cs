using System.Text.RegularExpressions;
using Renkei.Holders;
using Renkei.Infrastructure;
using Renkei.Intermediate;
using Renkei.Jlis;
using Renkei.Municipality;
using Renkei.Network;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Schema;

/// <summary>
/// Versioned schema migrations (<see cref="Migrations"/>) on SQLite and PostgreSQL: every role's database as the previous
/// release made it (<see cref="PreviousRelease"/>), with data in it, is adopted in place and upgraded; the schema it ends
/// with is the one a fresh database gets; a second run applies nothing; scripts run in order; a failing script leaves
/// the journal and the database as they were before it.
/// </summary>
public sealed partial class SchemaMigrationTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    /// <summary>One role's database: how the previous release made it, what the migrations hold, and rows to keep.</summary>
    public sealed record Role(string Name, Action<Database> MakePrevious, IReadOnlyList<SchemaComponent> Components, string[] Rows);

    private static readonly Role[] Roles =
    [
        new("network", PreviousRelease.Network, NetworkSchema.Components,
        [
            "INSERT INTO net_settings (name, value) VALUES ('master-key-check', 'abc')",
            "INSERT INTO net_id_codes (id_code, first_issued_at) VALUES (42, 1)",
            "INSERT INTO net_provision_records (sequence, recorded_at, payload, prev_hash, hash) VALUES (1, 1, @b, @b, @b)",
        ]),
        new("jlis", PreviousRelease.Jlis, JlisSchema.Components,
        [
            "INSERT INTO jlis_settings (name, value) VALUES ('generation', '1')",
            "INSERT INTO card_events (card_number, application_id, event, at, operator, detail, request_id) VALUES ('C1', 'A1', 'issued', 't', 'op', NULL, 'r1')",
            "INSERT INTO jlis_token_requests (request_id, operation, fingerprint, response, received_at) VALUES ('r1', 'token', 'f', NULL, 't')",
        ]),
        new("intermediate", PreviousRelease.Intermediate, IntermediateSchema.Components,
        [
            "INSERT INTO intermediate_copies (holder_code, addressee_number, kind, as_of, version, body, updated_at) VALUES ('131091', 7, 'k', 'd', 1, '{}', 't')",
            "INSERT INTO intermediate_party_records (sequence, recorded_at, payload, prev_hash, hash) VALUES (1, 1, @b, @b, @b)",
        ]),
        new("intermediate-with-holder-actions", PreviousRelease.IntermediateWithHolderActions, IntermediateSchema.Components,
        [
            "INSERT INTO intermediate_holder_actions (recorded_at, request_id, operation, staff, terminal, affair, addressee_number, kind, items) VALUES ('t', NULL, 'copy-upsert', 's1', 'T1', 'a', 7, 'k', 1)",
        ]),
        new("holder", PreviousRelease.Holders, HoldersSchema.Components,
        [
            "INSERT INTO holder_people (individual_number, display_name, birth_date, sex, created_at, token_acquired_at) VALUES (1, NULL, NULL, NULL, 't', NULL)",
            "INSERT INTO holder_operation_log_checkpoints (sequence, hash, signed_at, signature, covered_hashes, coverage_signature) VALUES (1, @b, 1, @b, NULL, NULL)",
        ]),
        new("municipality", PreviousRelease.Municipality, MunicipalitySchema.Components,
        [
            "INSERT INTO register_info (name, value) VALUES ('municipality', '131091')",
            "INSERT INTO households (household_number, created_on) VALUES ('H1', '2020-01-01')",
            "INSERT INTO tax_persons (person_id, addressee_number, individual_number, enrolled_on, relationship_ended_on, number_deleted_on) VALUES (1, 2, NULL, 'd', NULL, NULL)",
            "INSERT INTO app_e_requests (request_id, operation, fingerprint, response, received_at) VALUES ('r1', 'submit', 'f', NULL, 't')",
            "INSERT INTO operation_log (sequence, recorded_at, payload, prev_hash, hash) VALUES (1, 1, @b, @b, @b)",
        ]),
    ];

    public static TheoryData<string, string> ProvidersAndRoles()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in TestDatabase.Providers) foreach (var role in Roles) data.Add(provider, role.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(ProvidersAndRoles))]
    public void A_database_the_previous_release_made_is_upgraded_in_place_and_keeps_its_data(string provider, string roleName)
    {
        var role = Roles.Single(r => r.Name == roleName);
        using var previous = TestDatabase.Create(provider);
        role.MakePrevious(previous.Database);
        foreach (var row in role.Rows) Execute(previous.Database, row);
        var counts = RowCounts(previous.Database);

        var applied = Migrations.Apply(previous.Database, role.Components);

        // Every component's scripts, 0001 adopted in place (its tables existed), later ones applied in order.
        Assert.Equal(role.Components.SelectMany(c => c.Scripts(previous.Database.Provider).Select(s => s.Name)), applied);
        Assert.All(role.Components, c => Assert.Empty(Migrations.Pending(previous.Database, c)));
        // Every table keeps its rows (tables the later scripts add, like the intermediate server's holder actions, start empty).
        var after = RowCounts(previous.Database);
        Assert.Equal(counts, new SortedDictionary<string, long>(after.Where(c => counts.ContainsKey(c.Key)).ToDictionary(), StringComparer.Ordinal));
        Assert.All(after.Where(c => !counts.ContainsKey(c.Key)), c => Assert.Equal(0, c.Value));
        Assert.All(counts.Where(c => role.Rows.Any(r => r.Contains("INTO " + c.Key + " ", StringComparison.Ordinal))), c => Assert.True(c.Value > 0));

        Assert.Empty(Migrations.Apply(previous.Database, role.Components));

        using var fresh = previous.Sibling();
        Migrations.Apply(fresh.Database, role.Components);
        Assert.Equal(Catalog(fresh.Database), Catalog(previous.Database));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void The_previous_release_on_the_upgraded_schema_is_the_catalog_it_made_plus_the_new_scripts(string provider)
    {
        // J-LIS's 0002 adds an index and 0003 the certificate-signing CA's tables: the only differences between the previous
        // release's catalog and the upgraded one.
        using var db = TestDatabase.Create(provider);
        PreviousRelease.Jlis(db.Database);
        var before = Catalog(db.Database);

        Migrations.Apply(db.Database, JlisSchema.Components);

        var added = Catalog(db.Database).Except(before).ToList();
        Assert.Contains(added, a => a.Contains("card_events_application", StringComparison.Ordinal));
        Assert.All(added.Where(a => !a.Contains("card_events_application", StringComparison.Ordinal)),
            a => Assert.Contains("paper_", a, StringComparison.Ordinal));
        Assert.Empty(before.Except(Catalog(db.Database)));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Scripts_run_in_order_from_the_version_a_database_is_at(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var v1 = new SchemaComponent("ledger", typeof(SchemaMigrationTests).Assembly, "test-schema/v1/");
        var v3 = new SchemaComponent("ledger", typeof(SchemaMigrationTests).Assembly, "test-schema/v3/");
        Assert.Equal(["0001-ledger.sql"], Migrations.Apply(db.Database, v1));
        Execute(db.Database, "INSERT INTO ledger (id, note) VALUES (1, 'four')");

        Assert.Equal(["0002-ledger-amount.sql", "0003-ledger-seal.sql"], Migrations.Pending(db.Database, v3));
        Assert.Equal(["0002-ledger-amount.sql", "0003-ledger-seal.sql"], Migrations.Apply(db.Database, v3));

        Assert.Equal(4, Scalar(db.Database, "SELECT amount FROM ledger WHERE id = 1")); // 0002 ran on 0001's row
        Assert.ThrowsAny<Exception>(() => Execute(db.Database, "DELETE FROM ledger")); // 0003's trigger, the engine's own script
        Assert.Equal(["0001-ledger.sql", "0002-ledger-amount.sql", "0003-ledger-seal.sql"], Migrations.Applied(db.Database, v3));
        Assert.Empty(Migrations.Apply(db.Database, v3));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void A_failing_script_is_named_and_leaves_the_journal_and_the_database_as_before_it(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var failing = new SchemaComponent("failing", typeof(SchemaMigrationTests).Assembly, "test-schema/failing/");

        var error = Assert.Throws<MigrationException>(() => Migrations.Apply(db.Database, failing));

        Assert.Contains("failing", error.Message, StringComparison.Ordinal);
        Assert.Contains("0002-broken.sql", error.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_table", error.Message, StringComparison.Ordinal);
        Assert.Equal(["0001-kept.sql"], Migrations.Applied(db.Database, failing));
        Assert.Equal(["0002-broken.sql", "0003-never.sql"], Migrations.Pending(db.Database, failing));
        Assert.Equal(1, Scalar(db.Database, "SELECT COUNT(*) FROM kept")); // 0002's insert rolled back with it
        Assert.DoesNotContain(Catalog(db.Database), entry => entry.Contains("half_written", StringComparison.Ordinal) || entry.Contains("never_reached", StringComparison.Ordinal));

        // Still failing on the next start, and still nothing half-written.
        Assert.Throws<MigrationException>(() => Migrations.Apply(db.Database, failing));
        Assert.Equal(["0001-kept.sql"], Migrations.Applied(db.Database, failing));
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Services_starting_together_on_one_database_migrate_it_once(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var starts = Enumerable.Range(0, 4).Select(_ => Task.Run(() => Migrations.Apply(db.Database, MunicipalitySchema.Components))).ToList();

        var applied = (await Task.WhenAll(starts)).SelectMany(a => a).ToList();

        // Each script once, by whichever start got there first (one may have done the tables, another the operation log).
        Assert.Equal(MunicipalitySchema.Components.SelectMany(c => c.Scripts(db.Database.Provider)).Select(s => s.Name).Order(StringComparer.Ordinal),
            applied.Order(StringComparer.Ordinal));
        Assert.Equal(MunicipalitySchema.Tables.Scripts(db.Database.Provider).Count(), Scalar(db.Database, $"SELECT COUNT(*) FROM {MunicipalitySchema.Tables.JournalTable}"));
    }

    // ---------------------------------------------------------------- helpers

    private static void Execute(Database database, string sql)
    {
        using var connection = database.Open();
        using var command = connection.Command(sql);
        if (sql.Contains("@b", StringComparison.Ordinal)) command.With("@b", new byte[] { 1, 2, 3 });
        command.ExecuteNonQuery();
    }

    private static long Scalar(Database database, string sql)
    {
        using var connection = database.Open();
        using var command = connection.Command(sql);
        return command.ScalarInt64();
    }

    /// <summary>Rows in every table but the journals.</summary>
    private static SortedDictionary<string, long> RowCounts(Database database)
    {
        var tables = database.Provider == DatabaseProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()";
        var names = new List<string>();
        using (var connection = database.Open())
        using (var command = connection.Command(tables))
        using (var reader = command.ExecuteReader())
            while (reader.Read()) names.Add(reader.GetString(0));
        return new SortedDictionary<string, long>(names.Where(n => !n.StartsWith("schema_journal_", StringComparison.Ordinal))
            .ToDictionary(n => n, n => Scalar(database, $"SELECT COUNT(*) FROM {n}")), StringComparer.Ordinal);
    }

    /// <summary>
    /// The schema as the engine's catalog describes it (tables, columns with their types, nullability and defaults, indexes,
    /// constraints, triggers), journals left out, whitespace and comments normalised: two databases with equal catalogs
    /// have the same schema.
    /// </summary>
    private static List<string> Catalog(Database database)
    {
        var sql = database.Provider == DatabaseProvider.Sqlite
            ? """
              SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master
              WHERE name NOT LIKE 'sqlite_%' AND tbl_name NOT LIKE 'schema_journal_%'
              """
            : """
              SELECT 'column ' || table_name || '.' || column_name || ' #' || ordinal_position || ' ' || data_type || ' ' || is_nullable
                  || ' ' || COALESCE(column_default, '') || ' ' || is_identity
              FROM information_schema.columns WHERE table_schema = current_schema() AND table_name NOT LIKE 'schema_journal_%'
              UNION ALL
              SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes
              WHERE schemaname = current_schema() AND tablename NOT LIKE 'schema_journal_%'
              UNION ALL
              SELECT 'constraint ' || c.conname || ' ' || pg_get_constraintdef(c.oid) FROM pg_constraint c
              JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
              WHERE n.nspname = current_schema() AND r.relname NOT LIKE 'schema_journal_%'
              UNION ALL
              SELECT 'trigger ' || t.tgname || ' ' || pg_get_triggerdef(t.oid) FROM pg_trigger t
              JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
              WHERE n.nspname = current_schema() AND NOT t.tgisinternal
              UNION ALL
              SELECT 'function ' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
              WHERE n.nspname = current_schema()
              """;
        var entries = new List<string>();
        using var connection = database.Open();
        string schema;
        using (var current = connection.Command(database.Provider == DatabaseProvider.Sqlite ? "SELECT 'main'" : "SELECT current_schema()"))
            schema = (string)current.ExecuteScalar()!;
        using var command = connection.Command(sql);
        using var reader = command.ExecuteReader();
        while (reader.Read()) entries.Add(Normalise(reader.GetString(0).Replace(schema + ".", "", StringComparison.Ordinal)));
        entries.Sort(StringComparer.Ordinal);
        return entries;
    }

    private static string Normalise(string definition)
    {
        var text = LineComment().Replace(definition, " ");
        text = Whitespace().Replace(text, " ");
        text = SpaceInsideParentheses().Replace(text, m => m.Value.Trim());
        return text.Replace(" ,", ",", StringComparison.Ordinal).Trim();
    }

    [GeneratedRegex("--[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\( | \)")]
    private static partial Regex SpaceInsideParentheses();
}
