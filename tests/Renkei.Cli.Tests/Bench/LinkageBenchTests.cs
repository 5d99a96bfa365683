using System.Text.Json;
using Npgsql;
using Renkei.TestSupport;

namespace Renkei.Cli.Tests.Bench;

/// <summary>
/// <c>renkei bench linkage</c> through the real program with a handful of requests: the JSON has every figure the issue
/// asks for, every linkage was provided, and each party's provision records grew by exactly the number of measured
/// linkages (the network's whole chain verifies and holds warm-up plus measured ones). No timing is asserted.
/// </summary>
public class LinkageBenchTests : IDisposable
{
    private const int Requests = 60;
    private const int Warmup = 10;
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Runs_linkages_through_the_network_and_counts_every_record(string provider)
    {
        var arguments = new List<string>
        {
            "bench", "linkage", "--requests", Requests.ToString(), "--people", "25", "--concurrency", "4", "--warmup", Warmup.ToString(), "--json",
        };
        string? postgres = null;
        if (provider == "postgres")
        {
            postgres = Environment.GetEnvironmentVariable(TestDatabase.PostgresVariable)
                ?? throw new InvalidOperationException($"{TestDatabase.PostgresVariable} is not set: run the tests with ./test");
            arguments.AddRange(["--database", "postgres:" + postgres]);
        }
        var schemasBefore = postgres is null ? [] : BenchSchemas(postgres);

        var outcome = await CliProcess.RunAsync(_data.Path, [.. arguments]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var json = JsonDocument.Parse(outcome.StandardOutput).RootElement;
        Assert.Equal("linkage", json.GetProperty("benchmark").GetString());
        Assert.Equal(provider == "postgres" ? "postgresql" : "sqlite", json.GetProperty("database").GetString());
        Assert.Equal(Requests, json.GetProperty("requests").GetInt64());
        Assert.Equal(4, json.GetProperty("concurrency").GetInt32());
        Assert.Equal(0, json.GetProperty("failures").GetInt64());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("firstFailure").ValueKind);
        foreach (var figure in new[] { "linkagesPerSecond", "p50Ms", "p99Ms", "maxMs", "kestrelCeilingPerSecond", "cpuMsPerLinkage" })
            Assert.True(json.GetProperty(figure).GetDouble() > 0, figure);
        Assert.True(json.GetProperty("p50Ms").GetDouble() <= json.GetProperty("p99Ms").GetDouble());
        Assert.True(json.GetProperty("p99Ms").GetDouble() <= json.GetProperty("maxMs").GetDouble());
        Assert.Equal(json.GetProperty("kestrelCeilingPerSecond").GetDouble(), json.GetProperty("kestrel").GetProperty("perSecond").GetDouble());
        // Issue 17: the plain relay of the same three hops, measured in the same run, and the linkage's share of it.
        Assert.True(json.GetProperty("chainCeilingPerSecond").GetDouble() > 0);
        Assert.Equal(json.GetProperty("chainCeilingPerSecond").GetDouble(), json.GetProperty("chain").GetProperty("perSecond").GetDouble());
        Assert.Equal(Math.Round(json.GetProperty("linkagesPerSecond").GetDouble() / json.GetProperty("chainCeilingPerSecond").GetDouble(), 3),
            json.GetProperty("ratioToChain").GetDouble(), 3);
        var machine = json.GetProperty("machine");
        Assert.Equal(Environment.ProcessorCount, machine.GetProperty("processorCount").GetInt32());

        // Every linkage signs four messages (business system → A, A → network, network → B, B's answer) and checks five (A,
        // the network, B, the network checking B's answer, A checking it); batches make at most as many ECDSA operations.
        var signing = json.GetProperty("signaturesPerLinkage");
        Assert.Equal(4.0, signing.GetProperty("signedMessages").GetDouble());
        Assert.Equal(5.0, signing.GetProperty("verifiedMessages").GetDouble());
        Assert.InRange(signing.GetProperty("rootSignatures").GetDouble(), 0.01, 4.0);
        Assert.InRange(signing.GetProperty("rootVerifications").GetDouble(), 0.01, 5.0);

        // Records: the network's signed checkpoints before and after the run, both wards' own logs, and the network's whole chain.
        Assert.Equal(Requests, json.GetProperty("networkRecords").GetInt64());
        var records = json.GetProperty("records");
        Assert.Equal(Requests, records.GetProperty("network").GetInt64());
        Assert.Equal(Requests, records.GetProperty("inquirer").GetInt64());
        Assert.Equal(Requests, records.GetProperty("provider").GetInt64());
        Assert.Equal(Requests + Warmup, records.GetProperty("networkTotal").GetInt64());
        Assert.True(records.GetProperty("networkChainIntact").GetBoolean());

        // The throw-away databases are gone.
        if (postgres is not null) Assert.Equal(schemasBefore, BenchSchemas(postgres));
    }

    /// <summary>
    /// <c>--mode batch</c> with a handful of people: the JSON has the figure the issue asks for (<c>peoplePerSecond</c>), every
    /// person was provided, and each party's provision records grew by exactly one per person. No timing is asserted.
    /// </summary>
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Runs_batch_queries_through_the_network_and_counts_every_record(string provider)
    {
        const int people = 30;
        var arguments = new List<string> { "bench", "linkage", "--mode", "batch", "--people", people.ToString(), "--json" };
        if (provider == "postgres")
            arguments.AddRange(["--database", "postgres:" + (Environment.GetEnvironmentVariable(TestDatabase.PostgresVariable)
                ?? throw new InvalidOperationException($"{TestDatabase.PostgresVariable} is not set: run the tests with ./test"))]);

        var outcome = await CliProcess.RunAsync(_data.Path, [.. arguments]);

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var json = JsonDocument.Parse(outcome.StandardOutput).RootElement;
        Assert.Equal("linkage-batch", json.GetProperty("benchmark").GetString());
        Assert.Equal(provider == "postgres" ? "postgresql" : "sqlite", json.GetProperty("database").GetString());
        Assert.Equal((people, 1), (json.GetProperty("people").GetInt32(), json.GetProperty("batches").GetInt32()));
        Assert.Equal((people, 0L), (json.GetProperty("provided").GetInt64(), json.GetProperty("failures").GetInt64()));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("firstFailure").ValueKind);
        Assert.True(json.GetProperty("peoplePerSecond").GetDouble() > 0);
        Assert.True(json.GetProperty("seconds").GetDouble() > 0);
        var records = json.GetProperty("records");
        Assert.Equal(people, records.GetProperty("network").GetInt64());
        Assert.Equal(people, records.GetProperty("inquirer").GetInt64());
        Assert.Equal(people, records.GetProperty("provider").GetInt64());
        Assert.Equal(people, records.GetProperty("networkTotal").GetInt64());
        Assert.True(records.GetProperty("networkChainIntact").GetBoolean());
    }

    /// <summary>
    /// <c>--network-instances 2</c> on PostgreSQL: HAProxy in front, one instance measured, then two; both answer part of the
    /// second run, and the network's one chain holds every linkage of both runs exactly once.
    /// </summary>
    [Fact]
    public async Task Two_network_instances_behind_haproxy_share_the_linkages_and_keep_one_chain()
    {
        var postgres = Environment.GetEnvironmentVariable(TestDatabase.PostgresVariable)
            ?? throw new InvalidOperationException($"{TestDatabase.PostgresVariable} is not set: run the tests with ./test");

        var outcome = await CliProcess.RunAsync(_data.Path, "bench", "linkage", "--requests", Requests.ToString(), "--people", "25", "--concurrency", "4",
            "--warmup", Warmup.ToString(), "--network-instances", "2", "--database", "postgres:" + postgres, "--json");

        Assert.True(outcome.ExitCode == 0, outcome.StandardError);
        var json = JsonDocument.Parse(outcome.StandardOutput).RootElement;
        var instances = json.GetProperty("networkInstances");
        Assert.Equal(2, instances.GetProperty("instances").GetInt32());
        var perInstance = instances.GetProperty("perInstancePerSecond").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        Assert.Equal(["a", "b"], perInstance.Keys.Order());
        Assert.All(perInstance.Values, rate => Assert.True(rate > 0, "each instance answered part of the run"));
        Assert.True(instances.GetProperty("oneInstance").GetProperty("perSecond").GetDouble() > 0);
        Assert.Equal(json.GetProperty("linkagesPerSecond").GetDouble(), instances.GetProperty("allInstances").GetProperty("perSecond").GetDouble());
        Assert.StartsWith("HAProxy", instances.GetProperty("balancer").GetString(), StringComparison.Ordinal);
        var records = json.GetProperty("records");
        Assert.Equal(Requests, records.GetProperty("network").GetInt64());
        Assert.Equal(2 * (Requests + Warmup), records.GetProperty("networkTotal").GetInt64());
        Assert.True(records.GetProperty("networkChainIntact").GetBoolean());
    }

    [Fact]
    public async Task Refuses_a_wrong_command_line()
    {
        var outcome = await CliProcess.RunAsync(_data.Path, "bench", "linkage", "--requests", "0", "--json");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--requests", outcome.StandardError);

        outcome = await CliProcess.RunAsync(_data.Path, "bench", "linkage", "--requests", "10", "--database", "mysql:x", "--json");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--database", outcome.StandardError);
    }

    private static HashSet<string> BenchSchemas(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE 'bench\\_%'", connection);
        using var reader = command.ExecuteReader();
        var schemas = new HashSet<string>();
        while (reader.Read()) schemas.Add(reader.GetString(0));
        return schemas;
    }
}
