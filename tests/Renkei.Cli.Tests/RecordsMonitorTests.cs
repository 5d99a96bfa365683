using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Renkei.Core.Audit;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.Network.Records;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests;

/// <summary>
/// <c>renkei records monitor</c> through the real program against a running network (issue 19): it keeps the first head,
/// accepts a head that extends it, and when the network is restarted on a forked log (the same key, an earlier record
/// rewritten and more appended) it exits 1 with both heads as evidence; a head of a smaller log is "shrank"; two
/// monitors' states are compared by file.
/// </summary>
public sealed class RecordsMonitorTests : IDisposable
{
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private string KeyDirectory => _data.File("network-keys");

    [Fact]
    public async Task The_monitor_keeps_a_head_accepts_its_extension_and_catches_a_forked_or_shrunk_log()
    {
        var original = Database.Sqlite(_data.File("network.db"));
        Append(original, "a", 1, 3);
        var publicKey = _data.File("network.pub");
        await using (var network = await StartAsync(original))
            File.WriteAllText(publicKey, network.LogPublicKey);
        var state = _data.File("monitor");
        var other = _data.File("other-monitor");

        // First run: the head is kept. More records: the new head extends it.
        await using (var network = await StartAsync(original))
        {
            var first = await MonitorAsync(network, state);
            Assert.Equal((0, "first-head", 3L), (first.ExitCode, Outcome(first), KeptSize(state)));
            Assert.Equal(0, (await MonitorAsync(network, other)).ExitCode);
        }
        Append(original, "a", 4, 6);
        await using (var network = await StartAsync(original))
        {
            var extended = await MonitorAsync(network, state);
            Assert.Equal((0, "consistent", 6L), (extended.ExitCode, Outcome(extended), KeptSize(state)));
            // Gossip: the other monitor's older head (size 3) is a prefix of ours.
            Assert.Equal(0, (await MonitorAsync(network, state, "--compare", other)).ExitCode);
        }

        // The same network key over a rewritten log: record 2 differs, then it grows past the kept head.
        var forked = Database.Sqlite(_data.File("forked.db"));
        Append(forked, "a", 1, 1);
        Append(forked, "b", 2, 9);
        await using (var network = await StartAsync(forked))
        {
            var caught = await MonitorAsync(network, state);
            Assert.Equal((1, "forked"), (caught.ExitCode, Outcome(caught)));
            var evidence = Evidence(caught);
            Assert.Equal((6L, 9L), (evidence.Earlier.TreeSize, evidence.Later.TreeSize));
            Assert.Equal(6L, KeptSize(state)); // the kept head is not replaced by a head that does not extend it
            // The other monitor, told to compare with ours, sees the split too.
            Assert.Equal(1, (await MonitorAsync(network, other, "--compare", state)).ExitCode);
        }

        // A log with fewer records than the kept head: shrank.
        var shorter = Database.Sqlite(_data.File("shorter.db"));
        Append(shorter, "a", 1, 4);
        await using (var network = await StartAsync(shorter))
        {
            var shrank = await MonitorAsync(network, state);
            Assert.Equal((1, "shrank"), (shrank.ExitCode, Outcome(shrank)));
            Assert.Equal((6L, 4L), (Evidence(shrank).Earlier.TreeSize, Evidence(shrank).Later.TreeSize));
        }

        // A key that did not sign the heads: nothing is trusted.
        var stranger = _data.File("stranger.pub");
        using (var keys = InstitutionKeys.LoadOrCreate(_data.File("stranger-keys"))) File.WriteAllText(stranger, keys.SigningPublicKey);
        await using (var network = await StartAsync(original))
        {
            var refused = await CliProcess.RunAsync(_data.Path, "records", "monitor", "--network", network.BaseAddress.ToString(), "--public-key", stranger,
                "--state", _data.File("third"), "--json");
            Assert.Equal((1, "bad-signature"), (refused.ExitCode, Outcome(refused)));

            // The network's own request key is not the log's key either: a monitor pinned to it trusts no head.
            var requestKey = _data.File("request-key.pub");
            File.WriteAllText(requestKey, network.SigningPublicKey);
            Assert.NotEqual(network.SigningPublicKey, network.LogPublicKey);
            var wrongKey = await CliProcess.RunAsync(_data.Path, "records", "monitor", "--network", network.BaseAddress.ToString(), "--public-key", requestKey,
                "--state", _data.File("fourth"), "--json");
            Assert.Equal((1, "bad-signature"), (wrongKey.ExitCode, Outcome(wrongKey)));
        }
    }

    [Fact]
    public async Task Records_consistency_proves_a_later_head_extends_a_kept_one_and_refutes_a_rewritten_log()
    {
        var original = Database.Sqlite(_data.File("network.db"));
        Append(original, "a", 1, 3);
        var publicKey = _data.File("network.pub");
        var small = _data.File("small");
        var large = _data.File("large");
        await using (var network = await StartAsync(original))
        {
            File.WriteAllText(publicKey, network.LogPublicKey);
            Assert.Equal(0, (await MonitorAsync(network, small)).ExitCode);
        }
        Append(original, "a", 4, 6);
        await using (var network = await StartAsync(original))
        {
            Assert.Equal(0, (await MonitorAsync(network, large)).ExitCode);
            var consistent = await ConsistencyAsync(network, Path.Combine(small, "head.json"), Path.Combine(large, "head.json"));
            Assert.Equal((0, "consistent"), (consistent.ExitCode, Outcome(consistent)));
            // Against the latest head (the default second), too.
            Assert.Equal(0, (await ConsistencyAsync(network, Path.Combine(small, "head.json"))).ExitCode);
            var backwards = await ConsistencyAsync(network, Path.Combine(large, "head.json"), Path.Combine(small, "head.json"));
            Assert.Equal((1, "shrank"), (backwards.ExitCode, Outcome(backwards)));
        }

        // The same key over a log rewritten from record 2: the kept 6-record head is not extended by the new one.
        var forked = Database.Sqlite(_data.File("forked.db"));
        Append(forked, "a", 1, 1);
        Append(forked, "b", 2, 9);
        await using (var network = await StartAsync(forked))
        {
            var caught = await ConsistencyAsync(network, Path.Combine(large, "head.json"));
            Assert.Equal((1, "forked"), (caught.ExitCode, Outcome(caught)));
        }

        // A head file that is not a head: a usage error naming the option, and no stack trace.
        var notAHead = _data.File("not-a-head.json");
        File.WriteAllText(notAHead, "{ nonsense");
        await using (var network = await StartAsync(original))
        {
            var refused = await ConsistencyAsync(network, notAHead);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("--first", refused.StandardError, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", refused.StandardError, StringComparison.Ordinal);
        }
    }

    private Task<CliProcess.Outcome> ConsistencyAsync(NetworkNode network, string first, string? second = null) =>
        CliProcess.RunAsync(_data.Path, ["records", "consistency", "--network", network.BaseAddress.ToString(), "--public-key", _data.File("network.pub"),
            "--first", first, .. second is null ? Array.Empty<string>() : ["--second", second], "--json"]);

    private async Task<NetworkNode> StartAsync(Database database) =>
        await NetworkNode.StartAsync(new NetworkOptions { KeyDirectory = KeyDirectory, TreeHeadInterval = TimeSpan.Zero },
            services => services.AddSingleton(database));

    private Task<CliProcess.Outcome> MonitorAsync(NetworkNode network, string state, params string[] more) =>
        CliProcess.RunAsync(_data.Path, ["records", "monitor", "--network", network.BaseAddress.ToString(), "--public-key", _data.File("network.pub"),
            "--state", state, "--json", .. more]);

    private static string Outcome(CliProcess.Outcome run)
    {
        using var report = JsonDocument.Parse(run.StandardOutput);
        return report.RootElement.GetProperty("outcome").GetString()!;
    }

    private static long KeptSize(string state) =>
        JsonSerializer.Deserialize<ProvisionTreeHead>(File.ReadAllText(Path.Combine(state, "head.json")), JsonDefaults.Options)!.TreeSize;

    private sealed record Evidenced(ProvisionTreeHead Earlier, ProvisionTreeHead Later);

    private static Evidenced Evidence(CliProcess.Outcome run)
    {
        using var report = JsonDocument.Parse(run.StandardOutput);
        var path = report.RootElement.GetProperty("evidence").GetString()!;
        return JsonSerializer.Deserialize<Evidenced>(File.ReadAllText(path), JsonDefaults.Options)!;
    }

    /// <summary>Records <paramref name="from"/>…<paramref name="to"/> of a provision log, signed with the network's log-signing key as the network signs them.</summary>
    private void Append(Database database, string variant, int from, int to)
    {
        using var key = InstitutionKeys.LoadOrCreateLogSigningKey(KeyDirectory);
        using var log = new AuditLogStore(database, ProvisionRecordAudit.TableName,
            new AuditCheckpointSigner(ProvisionRecordAudit.LogIdentity, key), new AuditLogOptions(CheckpointInterval: 10));
        log.EnsureSchema();
        log.AppendBatch(Enumerable.Range(from, to - from + 1).Select(i => CanonicalJson.Serialize(new
        {
            requestId = new Guid(i, variant == "a" ? (short)0 : (short)1, 0, new byte[8]),
            inquirer = "131091",
            provider = "131113",
            affair = "child-allowance",
            kind = "local-tax",
            result = "provided",
        })).ToList());
    }
}
