using System.CommandLine;
using System.Text.Json;
using Renkei.Cli.Bench;
using Renkei.Core.Json;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei bench linkage</c>: immediate linkages (情報照会・提供) between two wards' intermediate servers through the
/// network over loopback HTTP, with provision records durably written at all three (see <see cref="LinkageBench"/>), and
/// in the same run the ceiling of a plain Kestrel endpoint driven alike. Issue 4's target: ≥ 2,000 linkages/s on 2 cores
/// with p99 ≤ 50 ms.
/// </summary>
public static class LinkageBenchCommand
{
    public static void AddTo(Command bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var requests = new Option<int>("--requests") { Description = "immediate linkages to measure", DefaultValueFactory = _ => 100_000 };
        var people = new Option<int>("--people") { Description = "persons with tokens at both wards and a local-tax copy at the provider", DefaultValueFactory = _ => 10_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "linkages in flight at once (closed loop)", DefaultValueFactory = _ => 32 };
        var warmup = new Option<int?>("--warmup") { Description = "linkages before the measurement (default: until the CPU time per linkage is steady, 2,000 to 12,000)" };
        var database = new Option<string?>("--database")
        {
            Description = "sqlite (default: throw-away files) or postgres:<connection string> (a throw-away schema per institution, dropped afterwards)",
        };
        var instances = new Option<int>("--network-instances")
        {
            Description = "1, or 2–8 network instances on one database behind HAProxy, measured after one instance behind it in the same run",
            DefaultValueFactory = _ => 1,
        };
        var mode = new Option<string>("--mode") { Description = "immediate, or batch: --people in batch queries of 10,000 (BatchLinkageBench)", DefaultValueFactory = _ => "immediate" };
        var json = CliOptions.Json();
        var command = new Command("linkage",
            "immediate linkages between two wards through the network (tokens, sealing, signatures, provision records) and print linkages per second")
        {
            requests, people, concurrency, warmup, database, instances, mode, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(requests);
            var persons = parse.GetValue(people);
            var inFlight = parse.GetValue(concurrency);
            if (count < 1) throw new UsageException("--requests must be at least 1");
            if (persons is < 1 or > 10_000_000) throw new UsageException("--people must be between 1 and 10,000,000");
            if (inFlight is < 1 or > 4096) throw new UsageException("--concurrency must be between 1 and 4096");
            var warm = parse.GetValue(warmup);
            if (warm < 0) throw new UsageException("--warmup must be at least 0");
            var networkInstances = parse.GetValue(instances);
            if (networkInstances is < 1 or > 8) throw new UsageException("--network-instances must be between 1 and 8");

            var workDirectory = Path.Combine(Path.GetTempPath(), "renkei-bench-" + Guid.NewGuid().ToString("N"));
            using var databases = BenchDatabases.FromSetting(workDirectory, parse.GetValue(database));
            var quiet = parse.GetValue(json);
            if (parse.GetValue(mode) == "batch")
                return BatchLinkageBench.Print(await BatchLinkageBench.RunAsync(databases, persons, quiet, cancellationToken), quiet);
            var result = await LinkageBench.RunAsync(databases, new LinkageBenchOptions(count, persons, inFlight, warm, networkInstances), quiet, cancellationToken);
            if (quiet)
                Console.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Options));
            else
                Console.WriteLine($"{result.Requests:N0} linkages at concurrency {result.Concurrency}: {result.LinkagesPerSecond:N0}/s, "
                    + $"p50 {result.P50Ms:F1} ms, p99 {result.P99Ms:F1} ms, max {result.MaxMs:F1} ms, {result.Failures} failed; "
                    + $"plain Kestrel {result.KestrelCeilingPerSecond:N0}/s, relay chain {result.ChainCeilingPerSecond:N0}/s (ratio {result.RatioToChain:F2}); network records +{result.NetworkRecords:N0} ({result.Database}, "
                    + $"{result.Machine.ProcessorCount} cores, load {string.Join(" ", result.LoadAverage ?? [])})");
            if (!quiet && result.SignaturesPerLinkage is { } signing)
                Console.WriteLine($"per linkage: {signing.RootSignatures:F2} ECDSA signatures for {signing.SignedMessages:F2} signed messages, "
                    + $"{signing.RootVerifications:F2} ECDSA verifications for {signing.VerifiedMessages:F2} checked (batch signatures)");
            if (!quiet && result.NetworkInstances is { } balanced)
                Console.WriteLine($"one instance behind the balancer: {balanced.OneInstance.PerSecond:N0}/s, p99 {balanced.OneInstance.P99Ms:F1} ms; "
                    + $"{balanced.Instances} instances: {balanced.AllInstances.PerSecond:N0}/s, p99 {balanced.AllInstances.P99Ms:F1} ms "
                    + $"({string.Join(", ", balanced.PerInstancePerSecond.Select(i => $"{i.Key} {i.Value:N0}/s"))}; ratio {balanced.RatioToOneInstance:F2})");
            if (result.FirstFailure is not null) Console.Error.WriteLine($"first failure: {result.FirstFailure}");
            return result.Failures == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        bench.Subcommands.Add(command);
    }
}
