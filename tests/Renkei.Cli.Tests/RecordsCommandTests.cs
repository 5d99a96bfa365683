using System.Text.Json;
using Renkei.Core.Audit;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Records;
using Renkei.Network.Contracts;
using Renkei.Network.Records;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary>
/// <c>renkei records verify --role network|intermediate</c> through the real program, on logs written where the network
/// and an intermediate server keep them (the data directory's database, or the PostgreSQL database a role's file names),
/// signed with their keys.
/// </summary>
public sealed class RecordsCommandTests : IDisposable
{
    private const string Ward = "131091";
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private DataLayout Layout => new(new DirectoryInfo(_data.Path));

    public static TheoryData<string> Providers => TestDatabase.Providers;

    /// <summary>
    /// A log's database for this test: the data directory's SQLite file, or a PostgreSQL schema the command is told about
    /// by <see cref="Arguments"/> (--config, the network's file naming it, or --database).
    /// </summary>
    private sealed class Place(TestDatabase? postgres, Database database, Dictionary<string, string> environment, string[] arguments) : IDisposable
    {
        public Database Database { get; } = database;
        public Dictionary<string, string> Environment { get; } = environment;
        public string[] Arguments { get; } = arguments;
        public void Dispose() => postgres?.Dispose();
    }

    /// <summary>The network's database; on PostgreSQL named by the network's configuration file (Network:Database), as a deployment names it.</summary>
    private Place NetworkPlace(string provider)
    {
        if (provider == "sqlite") return new Place(null, Layout.NetworkDatabase(), [], []);
        var postgres = TestDatabase.CreatePostgres();
        var file = Path.Combine(_data.Path, "network.json");
        File.WriteAllText(file, new System.Text.Json.Nodes.JsonObject
        {
            ["Network"] = new System.Text.Json.Nodes.JsonObject { ["Database"] = "postgres:" + postgres.Database.ConnectionString, ["KeyDirectory"] = Layout.NetworkKeyDirectory },
        }.ToJsonString());
        return new Place(postgres, postgres.Database, [], ["--config", file]);
    }

    /// <summary>The ward's intermediate server's database; on PostgreSQL given with --database.</summary>
    private Place IntermediatePlace(string provider)
    {
        if (provider == "sqlite") return new Place(null, Layout.IntermediateDatabase(Ward), [], []);
        var postgres = TestDatabase.CreatePostgres();
        return new Place(postgres, postgres.Database, [], ["--database", "postgres:" + postgres.Database.ConnectionString]);
    }

    /// <summary>
    /// <paramref name="count"/> provision records in the network's log, signed with the network's log-signing key as the
    /// network signs them — or, with <paramref name="beforeLogKey"/>, with its request key, as a network signed them before
    /// it had a log-signing key.
    /// </summary>
    private void WriteNetworkRecords(Database database, int count, int from = 1, bool beforeLogKey = false)
    {
        using var keys = InstitutionKeys.LoadOrCreate(Layout.NetworkKeyDirectory);
        using var logKey = InstitutionKeys.LoadOrCreateLogSigningKey(Layout.NetworkKeyDirectory);
        using var log = new AuditLogStore(database, ProvisionRecordAudit.TableName,
            new AuditCheckpointSigner(ProvisionRecordAudit.LogIdentity, beforeLogKey ? keys.Signing : logKey), new AuditLogOptions(CheckpointInterval: 10));
        log.EnsureSchema();
        log.AppendBatch(Enumerable.Range(from, count).Select(i => CanonicalJson.Serialize(new
        {
            requestId = new Guid(i, 0, 0, new byte[8]),
            inquirer = Ward,
            provider = "131113",
            affair = "child-allowance",
            kind = "local-tax",
            result = "provided",
        })).ToList());
    }

    /// <summary><paramref name="count"/> records of the ward's intermediate server, written by its <see cref="PartyRecordLog"/> with the ward's institution key.</summary>
    private async Task WriteIntermediateRecordsAsync(Database database, int count)
    {
        using var keys = InstitutionKeys.LoadOrCreate(Layout.MunicipalityInstitutionKeyDirectory(LocalGovernmentCode.ParseOrThrow(Ward)));
        await using var log = new PartyRecordLog(database, Ward, keys.Signing);
        log.EnsureSchema();
        var batch = Guid.NewGuid();
        await log.RecordBatchItemsAsync(PartyRole.Inquirer, batch, Enumerable.Range(0, count).Select(i => new PartyRecordEntry(
            PartyRole.Inquirer, Guid.NewGuid(), i, Ward, "131113", "child-allowance", "local-tax", ProvisionResult.Provided, null,
            Token.FromInt64(1_000_000 + i))).ToList());
    }

    private Task<CliProcess.Outcome> Run(Place place, params string[] arguments) =>
        CliProcess.RunAsync(_data.Path, place.Environment, [.. arguments, .. place.Arguments]);

    private static JsonElement Json(CliProcess.Outcome outcome) => JsonDocument.Parse(outcome.StandardOutput).RootElement;

    private static (string?, long) ProblemOf(CliProcess.Outcome outcome)
    {
        var problem = Json(outcome).GetProperty("problem");
        return (problem.GetProperty("kind").GetString(), problem.GetProperty("sequence").GetInt64());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_network_records_verify_and_an_edit_with_recomputed_hashes_is_named(string provider)
    {
        using var place = NetworkPlace(provider);
        WriteNetworkRecords(place.Database, 25);

        var intact = await Run(place, "records", "verify", "--role", "network", "--json");
        var human = await Run(place, "records", "verify", "--role", "network");

        Assert.True(intact.ExitCode == 0, intact.StandardOutput + intact.StandardError);
        var report = Json(intact);
        Assert.True(report.GetProperty("intact").GetBoolean());
        Assert.Equal(("network", "NETWORK", 25L), (report.GetProperty("role").GetString(), report.GetProperty("institution").GetString(), report.GetProperty("entries").GetInt64()));
        Assert.Equal(3, report.GetProperty("checkpoints").GetInt64()); // 10, 20 and the head when the log closed
        Assert.Equal(0, report.GetProperty("unprotectedEntries").GetInt64());
        Assert.Equal(0, human.ExitCode);
        Assert.Contains("情報提供等記録は改ざんされていません: 25 件", human.StandardOutput);

        var original = ProvisionRecordAudit.OpenForAudit(place.Database).ReadEntries().ToList();
        var forged = CanonicalJson.Serialize(new { requestId = Guid.Empty, inquirer = Ward, provider = "999999", affair = "x", kind = "x", result = "refused" });
        Tamper.RewriteFrom(place.Database, ProvisionRecordAudit.TableName, original, 14,
            original.Skip(13).Select(e => (e.RecordedAt, e.Sequence == 14 ? forged : e.Payload)));
        var edited = await Run(place, "records", "verify", "--role", "network", "--json");
        var editedHuman = await Run(place, "records", "verify", "--role", "network");

        Assert.Equal(1, edited.ExitCode);
        Assert.Equal(("editedEntry", 14L), ProblemOf(edited));
        Assert.Equal(1, editedHuman.ExitCode);
        Assert.Contains("記録 14 番 (editedEntry)", editedHuman.StandardOutput);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_wards_intermediate_records_verify_and_removed_or_reordered_records_are_named(string provider)
    {
        using var place = IntermediatePlace(provider);
        await WriteIntermediateRecordsAsync(place.Database, 12);

        var intact = await Run(place, "records", "verify", "--role", "intermediate", "--institution", Ward, "--json");

        Assert.True(intact.ExitCode == 0, intact.StandardOutput + intact.StandardError);
        Assert.Equal((Ward, 12L, 0L), (Json(intact).GetProperty("institution").GetString(), Json(intact).GetProperty("entries").GetInt64(),
            Json(intact).GetProperty("unprotectedEntries").GetInt64()));

        var original = new AuditLogStore(place.Database, PartyRecordLog.TableName, null).ReadEntries().ToList();
        var reordered = original.Skip(2).ToList();
        (reordered[0], reordered[1]) = (reordered[1], reordered[0]); // records 3 and 4
        Tamper.RewriteFrom(place.Database, PartyRecordLog.TableName, original, 3, reordered.Select(e => (e.RecordedAt, e.Payload)));
        var moved = await Run(place, "records", "verify", "--role", "intermediate", "--institution", Ward, "--json");
        Tamper.RewriteFrom(place.Database, PartyRecordLog.TableName, original, 3, original.Skip(2).Select(e => (e.RecordedAt, e.Payload))); // put back
        Assert.Equal(0, (await Run(place, "records", "verify", "--role", "intermediate", "--institution", Ward)).ExitCode);
        Tamper.RewriteFrom(place.Database, PartyRecordLog.TableName, original, 6, original.Skip(6).Select(e => (e.RecordedAt, e.Payload))); // record 6 left out, the rest renumbered
        var removed = await Run(place, "records", "verify", "--role", "intermediate", "--institution", Ward, "--json");

        Assert.Equal(1, moved.ExitCode);
        Assert.Equal(("reorderedEntries", 3L), ProblemOf(moved));
        Assert.Equal(1, removed.ExitCode);
        Assert.Equal(("removedEntry", 6L), ProblemOf(removed));
    }

    [Fact]
    public async Task The_key_the_auditor_trusts_decides()
    {
        using var place = NetworkPlace("sqlite");
        WriteNetworkRecords(place.Database, 5);
        using var logKey = InstitutionKeys.LoadOrCreateLogSigningKey(Layout.NetworkKeyDirectory);
        var published = _data.File("network-log.b64");
        File.WriteAllText(published, Convert.ToBase64String(logKey.ExportSubjectPublicKeyInfo())); // SPKI DER, base64
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var wrong = _data.File("other.pem");
        File.WriteAllText(wrong, other.ExportSubjectPublicKeyInfoPem());

        var trusted = await Run(place, "records", "verify", "--role", "network", "--public-key", published);
        var forged = await Run(place, "records", "verify", "--role", "network", "--public-key", wrong, "--json");

        Assert.True(trusted.ExitCode == 0, trusted.StandardOutput + trusted.StandardError);
        Assert.Equal(1, forged.ExitCode);
        Assert.Equal("badCheckpointSignature", ProblemOf(forged).Item1);
    }

    /// <summary>
    /// A network upgraded to its own log-signing key keeps the checkpoints its request key signed before: verified from the
    /// network's key directory both keys count, while an auditor who pins only the log key sees the older checkpoint as not
    /// signed by it, and the request key alone does not cover the newer one.
    /// </summary>
    [Fact]
    public async Task A_log_begun_before_the_log_key_existed_verifies_with_both_of_the_networks_keys()
    {
        using var place = NetworkPlace("sqlite");
        WriteNetworkRecords(place.Database, 5, beforeLogKey: true);
        WriteNetworkRecords(place.Database, 5, from: 6);
        using var keys = InstitutionKeys.LoadOrCreate(Layout.NetworkKeyDirectory);
        using var logKey = InstitutionKeys.LoadOrCreateLogSigningKey(Layout.NetworkKeyDirectory);
        var logOnly = _data.File("log.pem");
        File.WriteAllText(logOnly, logKey.ExportSubjectPublicKeyInfoPem());
        var requestOnly = _data.File("request.b64");
        File.WriteAllText(requestOnly, keys.SigningPublicKey);

        var both = await Run(place, "records", "verify", "--role", "network", "--json");
        var pinnedLog = await Run(place, "records", "verify", "--role", "network", "--public-key", logOnly, "--json");
        var pinnedRequest = await Run(place, "records", "verify", "--role", "network", "--public-key", requestOnly, "--json");

        Assert.True(both.ExitCode == 0, both.StandardOutput + both.StandardError);
        Assert.Equal(2, Json(both).GetProperty("checkpoints").GetInt64());
        Assert.Equal((1, "badCheckpointSignature", 5L), (pinnedLog.ExitCode, ProblemOf(pinnedLog).Item1, ProblemOf(pinnedLog).Item2));
        Assert.Equal((1, "badCheckpointSignature", 10L), (pinnedRequest.ExitCode, ProblemOf(pinnedRequest).Item1, ProblemOf(pinnedRequest).Item2));
    }

    [Fact]
    public async Task Missing_logs_fail_and_bad_options_are_usage_errors()
    {
        var none = new Place(null, Layout.NetworkDatabase(), [], []);

        var noNetwork = await Run(none, "records", "verify", "--role", "network", "--json");
        var noInstitution = await Run(none, "records", "verify", "--role", "intermediate");
        var institutionForNetwork = await Run(none, "records", "verify", "--role", "network", "--institution", Ward);
        var badRole = await Run(none, "records", "verify", "--role", "jlis");
        var badHead = await Run(none, "records", "verify", "--role", "network", "--expect-head", "3:xyz");
        var badDatabase = await Run(none, "records", "verify", "--role", "network", "--database", "mysql:whatever");

        Assert.Equal(1, noNetwork.ExitCode);
        Assert.Equal("noLog", Json(noNetwork).GetProperty("problem").GetProperty("kind").GetString());
        InstitutionKeys.LoadOrCreate(Layout.NetworkKeyDirectory).Dispose(); // the network was set up here: its records are gone
        var removed = await Run(none, "records", "verify", "--role", "network", "--json");
        Assert.Equal(1, removed.ExitCode);
        Assert.Equal("logMissing", Json(removed).GetProperty("problem").GetProperty("kind").GetString());
        Assert.Equal(2, noInstitution.ExitCode);
        Assert.Contains("--institution", noInstitution.StandardError);
        Assert.Equal(2, institutionForNetwork.ExitCode);
        Assert.Equal(2, badRole.ExitCode);
        Assert.Equal(2, badHead.ExitCode);
        Assert.Contains("--expect-head", badHead.StandardError);
        Assert.Equal(2, badDatabase.ExitCode);
        Assert.Contains("--database", badDatabase.StandardError);
    }
}
