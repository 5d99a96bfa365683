using System.CommandLine;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using static Renkei.Cli.Commands.BenchCommands;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei bench intermediate</c>: bulk loading of copies (副本) into an intermediate server — a year's local-tax
/// figures for every resident — streamed as NDJSON through the published client to the real service over loopback
/// HTTP, validated against the kind's schema and the number/basic-facts guard, and stored in batches of one
/// transaction each. Prints <c>recordsPerSecond</c> (issue 3 target: ≥ 100,000/s on SQLite).
/// </summary>
public static class IntermediateBenchCommand
{
    /// <summary>The holder the benchmark loads for; on a PostgreSQL database given with --database only its rows are touched.</summary>
    public const string BenchHolder = "bench-holder";

    public sealed record IntermediateBenchResult(
        string Benchmark,
        long Records,
        string Database,
        string Transport,
        int BatchSize,
        double Seconds,
        double RecordsPerSecond,
        long StoredCopies,
        MachineInfo Machine);

    public static void AddTo(Command bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var records = new Option<int>("--records") { Description = "copies to load (one local-tax copy per resident)", DefaultValueFactory = _ => 1_000_000 };
        var batchSize = new Option<int>("--batch-size") { Description = "copies per transaction", DefaultValueFactory = _ => IntermediateRoutes.DefaultStreamBatchSize };
        var database = new Option<string?>("--database")
        {
            Description = "sqlite:<path> or postgres:<connection string> (default: a throw-away SQLite file); only the benchmark holder's rows are touched",
        };
        var json = CliOptions.Json();
        var command = new Command("intermediate",
            "stream copies into an intermediate server over HTTP and print copies stored per second")
        {
            records, batchSize, database, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(records);
            var size = parse.GetValue(batchSize);
            if (count < 1) throw new UsageException("--records must be at least 1");
            if (size is < 1 or > IntermediateRoutes.MaxBatchSize) throw new UsageException($"--batch-size must be between 1 and {IntermediateRoutes.MaxBatchSize}");
            var setting = parse.GetValue(database);
            string? workDirectory = null;
            Database target;
            if (setting is null)
            {
                workDirectory = Path.Combine(Path.GetTempPath(), "renkei-bench-" + Guid.NewGuid().ToString("N"));
                target = Database.Sqlite(Path.Combine(workDirectory, "intermediate.db"));
            }
            else
            {
                try { target = Database.Parse(setting); }
                catch (FormatException e) { throw new UsageException("--database: " + e.Message); }
            }
            try
            {
                var result = await RunAsync(target, count, size, parse.GetValue(json), cancellationToken);
                if (parse.GetValue(json))
                    Console.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Options));
                else
                    Console.WriteLine($"{result.Records:N0} copies in {result.Seconds:F1} s: {result.RecordsPerSecond:N0} copies/s "
                        + $"({result.Database}, batches of {result.BatchSize:N0}, {result.Machine.ProcessorCount} cores)");
                return ExitCodes.Success;
            }
            finally
            {
                if (workDirectory is not null && Directory.Exists(workDirectory))
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    Directory.Delete(workDirectory, recursive: true);
                }
            }
        });
        bench.Subcommands.Add(command);
    }

    /// <summary>Starts an intermediate server on <paramref name="database"/>, streams <paramref name="records"/> copies into it and checks they are held.</summary>
    public static async Task<IntermediateBenchResult> RunAsync(Database database, int records, int batchSize, bool quiet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        // The bench holder's institution keys live only as long as the run: the loader calls the server as the holder.
        var keyDirectory = Directory.CreateTempSubdirectory("renkei-bench-keys-");
        try
        {
            return await RunAsync(database, keyDirectory.FullName, records, batchSize, quiet, cancellationToken);
        }
        finally
        {
            keyDirectory.Delete(recursive: true);
        }
    }

    private static async Task<IntermediateBenchResult> RunAsync(Database database, string keyDirectory, int records, int batchSize, bool quiet,
        CancellationToken cancellationToken)
    {
        var settings = ServiceSettings.From(IntermediateOptions.Section,
            new IntermediateOptions { HolderCode = BenchHolder, HolderName = "ベンチマーク", InstitutionKeyDirectory = keyDirectory });
        await using var host = await ServiceHost.StartAsync("intermediate-" + BenchHolder,
            builder => { builder.Services.AddSingleton(database); builder.AddIntermediate(); }, app => app.MapIntermediateApi(),
            new ServiceHostOptions { Settings = settings }, cancellationToken);
        var store = new Renkei.Intermediate.Storage.IntermediateStore(database);
        DeleteBenchRows(database);
        using var keys = InstitutionKeys.LoadOrCreate(keyDirectory);
        using var client = IntermediateHttpClient.Signed(host.BaseAddress, BenchHolder, keys.Signing, timeout: Timeout.InfiniteTimeSpan);

        var clock = Stopwatch.StartNew();
        var response = await ProgressDisplay.RunAsync("load copies", quiet, progress =>
            client.LoadStreamAsync(BenchHolder, BenchActor, LocalTaxCopies(records, progress, cancellationToken), batchSize, cancellationToken));
        clock.Stop();

        if (response.Failure is not null)
            throw new InvalidOperationException($"the load stopped at line {response.Failure.Line}: {response.Failure.Message}");
        var held = store.CountCopies(BenchHolder);
        if (response.Stored != records || held != records)
            throw new InvalidOperationException($"stored {response.Stored} and held {held} copies for {records} records");
        var probe = await client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), BenchHolder, records, null, InformationKindCodes.LocalTax, null, BenchActor), cancellationToken);
        if (probe.Outcome != ProvisionOutcome.Provided) throw new InvalidOperationException("the last copy loaded is not provided");
        if (database.Provider == DatabaseProvider.PostgreSql) DeleteBenchRows(database);

        return new IntermediateBenchResult(
            "intermediate", records, database.Provider.ToString().ToLowerInvariant(), "ndjson stream over loopback HTTP", batchSize,
            Math.Round(clock.Elapsed.TotalSeconds, 3), Math.Round(records / clock.Elapsed.TotalSeconds), held, MachineInfo.Current());
    }

    /// <summary>
    /// One fiscal year's local-tax copy per resident, made as the stream is sent. The bodies come from a pool of 1,024
    /// pre-built tax figures, so the sending side spends its time on the stream, not on building JSON; the server still
    /// parses, validates and stores every copy.
    /// </summary>
    internal static async IAsyncEnumerable<CopyUpdate> LocalTaxCopies(int records, IProgress<(long Done, long Total)> progress,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var random = new Random(20260601);
        var bodies = new System.Text.Json.JsonElement[1024];
        for (var b = 0; b < bodies.Length; b++)
        {
            var income = random.Next(0, 80) * 100_000L;
            var deductions = Math.Min(income, 430_000 + random.Next(0, 20) * 100_000L);
            var taxable = income - deductions;
            bodies[b] = CopyBodies.ToJson(new LocalTaxBody(2026, taxable > 0, income, deductions, taxable, taxable / 10, taxable > 0 ? 5_000 : 0, random.Next(0, 4)));
        }
        var asOf = new DateOnly(2026, 6, 1);
        for (var i = 1; i <= records; i++)
        {
            yield return new CopyUpdate(i, InformationKindCodes.LocalTax, asOf, 1, bodies[i & (bodies.Length - 1)]);
            if (i % 10_000 == 0)
            {
                progress.Report((i, records));
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
            }
        }
    }

    /// <summary>The benchmark acting as a job of its own (kept with every batch it loads).</summary>
    private static readonly Actor BenchActor = Actor.System("intermediate-bench", "copy-registration");

    private static void DeleteBenchRows(Database database)
    {
        using var connection = database.Open();
        using var delete = connection.Command("DELETE FROM intermediate_copies WHERE holder_code = @h");
        delete.With("h", BenchHolder).ExecuteNonQuery();
        using var actions = connection.Command("DELETE FROM intermediate_holder_actions WHERE staff = @s");
        actions.With("s", BenchActor.Staff).ExecuteNonQuery();
    }
}
