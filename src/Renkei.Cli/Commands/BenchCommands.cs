using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Renkei.Cli.Demo;
using Renkei.Core.Json;
using Renkei.Municipality.Registry;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei bench …</c>: whole-system throughput, measured on real storage and real HTTP, printed as JSON.
/// Figures depend on the machine; the JSON says which machine it ran on.
/// </summary>
public static class BenchCommands
{
    public sealed record MachineInfo(int ProcessorCount, string Os, string Runtime, string Architecture)
    {
        public static MachineInfo Current() => new(
            Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription,
            RuntimeInformation.ProcessArchitecture.ToString());
    }

    public sealed record NumberingPhases(double GenerateAndImportSeconds, double AssignNumbersSeconds);

    public sealed record NumberingBenchResult(
        string Benchmark,
        long Residents,
        string Database,
        int BatchSize,
        double Seconds,
        double ResidentsPerSecond,
        double ImportRowsPerSecond,
        double AssignmentsPerSecond,
        NumberingPhases Phases,
        MachineInfo Machine);

    public static void AddTo(RootCommand root)
    {
        var bench = new Command("bench", "benchmarks that print JSON");
        bench.Subcommands.Add(NumberingCommand());
        AuditCommands.AddBenchTo(bench);
        IntermediateBenchCommand.AddTo(bench);
        TokenBenchCommand.AddTo(bench);
        LinkageBenchCommand.AddTo(bench);
        CertificateBenchCommand.AddTo(bench);
        root.Subcommands.Add(bench);
    }

    private static Command NumberingCommand()
    {
        var residents = new Option<int>("--residents") { Description = "residents to generate, import and number", DefaultValueFactory = _ => 1_000_000 };
        var batchSize = new Option<int>("--batch-size") { Description = "codes per request to J-LIS", DefaultValueFactory = _ => RegistryCommands.DefaultNumberingBatch };
        var json = CliOptions.Json();
        var keep = new Option<bool>("--keep") { Description = "keep the benchmark's databases (printed) instead of deleting them" };
        var command = new Command("numbering",
            "generate a country, import it into the three wards' registers and have J-LIS designate every number over HTTP")
        {
            residents, batchSize, json, keep,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var size = parse.GetValue(residents);
            if (size < DemoCountryGenerator.MinimumResidents) throw new UsageException($"--residents must be at least {DemoCountryGenerator.MinimumResidents}");
            var workDirectory = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "renkei-bench-" + Guid.NewGuid().ToString("N")));
            try
            {
                var result = await RunNumberingAsync(new DataLayout(workDirectory), size, parse.GetValue(batchSize), parse.GetValue(json), cancellationToken);
                if (parse.GetValue(json))
                    Console.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Options));
                else
                    Console.WriteLine($"{result.Residents:N0} residents in {result.Seconds:F1} s: {result.ResidentsPerSecond:N0} residents/s "
                        + $"(import {result.ImportRowsPerSecond:N0} rows/s, numbering {result.AssignmentsPerSecond:N0}/s) on {result.Machine.ProcessorCount} cores");
                return ExitCodes.Success;
            }
            finally
            {
                if (parse.GetValue(keep)) Console.Error.WriteLine($"databases kept in {workDirectory.FullName}");
                else if (workDirectory.Exists)
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    workDirectory.Delete(recursive: true);
                }
            }
        });
        return command;
    }

    /// <summary>Rows per import transaction: registers are keyed by random resident-record codes, so fewer, larger commits
    /// rewrite each index page fewer times.</summary>
    private const int ImportBatchSize = 100_000;

    public static async Task<NumberingBenchResult> RunNumberingAsync(DataLayout layout, int residents, int batchSize, bool quiet, CancellationToken cancellationToken)
    {
        var generator = new DemoCountryGenerator(seed: 20261122, residents);
        await using var jlis = await JlisConnection.OpenAsync(layout, url: null, cancellationToken, generator.Wards.Select(w => w.Code).ToArray());
        var registers = generator.Wards.Select(w => new ResidentRegister(layout.MunicipalityDatabase(w.Code), w.Code)).ToList();

        // The three wards are separate institutions with their own databases: they import and request numbers
        // at the same time, as they would in reality; J-LIS serves them all.
        var total = Stopwatch.StartNew();
        var importTime = Stopwatch.StartNew();
        await ProgressDisplay.RunAsync("generate + import", quiet, async progress =>
        {
            var counters = new long[registers.Count];
            var results = await Task.WhenAll(generator.Wards.Select((ward, i) => Task.Run(() =>
                new RegisterImporter(registers[i]).Import(generator.Residents(ward), batchSize: ImportBatchSize, progress: new Progress<long>(rows =>
                {
                    Volatile.Write(ref counters[i], rows);
                    progress.Report((counters.Sum(), residents));
                })), cancellationToken)));
            var rejected = results.Sum(r => r.Rejected);
            if (rejected > 0) throw new InvalidOperationException($"{rejected} generated row(s) rejected");
            return results.Sum(r => r.Imported);
        });
        importTime.Stop();

        var assignTime = Stopwatch.StartNew();
        var assigned = await ProgressDisplay.RunAsync("assign numbers", quiet, async progress =>
        {
            var counters = new long[registers.Count];
            var reports = await Task.WhenAll(registers.Select((register, i) => Task.Run(() =>
                new NumberAssignmentJob(register, jlis.ClientFor(register.Municipality), new NumberAssignmentOptions(batchSize)).RunAsync(
                    new Progress<NumberAssignmentProgress>(p =>
                    {
                        Volatile.Write(ref counters[i], p.ResidentsAssigned);
                        progress.Report((counters.Sum(), residents));
                    }), cancellationToken), cancellationToken)));
            var unassigned = reports.Sum(r => r.UnassignedCount);
            if (unassigned > 0) throw new InvalidOperationException($"{unassigned} resident(s) got no number");
            return reports.Sum(r => r.Assigned);
        });
        assignTime.Stop();
        total.Stop();

        if (assigned != residents) throw new InvalidOperationException($"assigned {assigned} numbers for {residents} residents");
        return new NumberingBenchResult(
            "numbering", residents, registers[0].Database.Provider.ToString().ToLowerInvariant(), batchSize,
            Math.Round(total.Elapsed.TotalSeconds, 3),
            Math.Round(residents / total.Elapsed.TotalSeconds),
            Math.Round(residents / importTime.Elapsed.TotalSeconds),
            Math.Round(residents / assignTime.Elapsed.TotalSeconds),
            new NumberingPhases(Math.Round(importTime.Elapsed.TotalSeconds, 3), Math.Round(assignTime.Elapsed.TotalSeconds, 3)),
            MachineInfo.Current());
    }
}
