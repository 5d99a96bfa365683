using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Renkei.Core.Audit;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Municipality.Audit;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei audit …</c>: a municipality's operation log (操作記録) for auditors — verify that nothing was edited,
/// removed or reordered, export it as CSV or JSON, and take a signed checkpoint of its head. Also
/// <c>renkei bench audit</c> (added to the bench command with <see cref="AddBenchTo"/>).
/// </summary>
public static class AuditCommands
{
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    public sealed record VerifyProblem(string Kind, long? Sequence, long? RelatedSequence, string Message);

    /// <summary>What <c>renkei audit verify --json</c> prints.</summary>
    public sealed record VerifyReport(
        string Municipality,
        bool Intact,
        long Entries,
        string? Head,
        long Checkpoints,
        long? LatestCheckpoint,
        long UnprotectedEntries,
        string? KeyFingerprint,
        VerifyProblem? Problem);

    /// <summary>What <c>renkei audit checkpoint --json</c> prints: <see cref="Head"/> is what to pass to <c>verify --expect-head</c>.</summary>
    public sealed record CheckpointReport(string Municipality, long Sequence, string Head, DateTimeOffset SignedAt, string Signature, string KeyFingerprint);

    public sealed record AuditBenchResult(
        string Benchmark,
        long Entries,
        string Database,
        int Producers,
        int CheckpointInterval,
        double Seconds,
        double AppendSeconds,
        double VerifySeconds,
        double AppendsPerSecond,
        double VerifiedPerSecond,
        long Checkpoints,
        bool Intact,
        long DatabaseBytes,
        BenchCommands.MachineInfo Machine);

    public static void AddTo(RootCommand root)
    {
        var audit = new Command("audit", "a municipality's operation log (操作記録): verify, export, checkpoint");
        audit.Subcommands.Add(VerifyCommand());
        audit.Subcommands.Add(ExportCommand());
        audit.Subcommands.Add(CheckpointCommand());
        root.Subcommands.Add(audit);
    }

    /// <summary>Adds <c>audit</c> to <c>renkei bench</c>.</summary>
    public static void AddBenchTo(Command bench) => bench.Subcommands.Add(BenchCommand());

    /// <summary>The municipality's operation log for writing (creates its key and tables on first use).</summary>
    public static OperationLog OpenOperationLog(DataLayout layout, LocalGovernmentCode code, AuditLogOptions? options = null) =>
        OperationLog.Open(layout.MunicipalityDatabase(code), code, layout.MunicipalityAuditKeyFile(code), options);

    private static Option<string> MunicipalityOption() => new("--municipality", "-m")
    {
        Description = "local government code (131091 品川区, 131113 大田区, 131199 板橋区, …)",
        Required = true,
    };

    internal static void PrintJson<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, JsonDefaults.Options));

    private static Command VerifyCommand()
    {
        var municipality = MunicipalityOption();
        var json = CliOptions.Json();
        var expectHead = new Option<string?>("--expect-head")
        {
            Description = "the head an auditor kept, as sequence:hash (from 'audit checkpoint' or an earlier verify): entries removed after the last checkpoint are found only this way",
        };
        var publicKey = new Option<FileInfo?>("--public-key")
        {
            Description = "the municipality's published checkpoint key (PEM) the auditor trusts (default: keys/audit-signing.pub in the data directory)",
        };
        var command = new Command("verify",
            "check the operation log's hash chain and signed checkpoints; exit 1 naming the first edited, removed or reordered entry")
        {
            municipality, json, expectHead, publicKey,
        };
        command.SetAction(parse =>
        {
            var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var expected = ParseHead(parse.GetValue(expectHead));
            var report = Verify(layout, code, expected, ReadPublicKey(parse.GetValue(publicKey)));
            if (parse.GetValue(json)) PrintJson(report);
            else PrintVerifyReport(report);
            return report.Intact ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    internal static string? ReadPublicKey(FileInfo? file)
    {
        if (file is null) return null;
        if (!file.Exists) throw new UsageException($"no such file: {file.FullName}");
        return File.ReadAllText(file.FullName);
    }

    internal static AuditHead? ParseHead(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(':');
        if (parts.Length != 2 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) || sequence < 1)
            throw new UsageException("--expect-head is sequence:hash, e.g. 1200:3f9a…(64 hexadecimal characters)");
        try { return new AuditHead(sequence, AuditHash.FromHex(parts[1]), 0); }
        catch (FormatException e) { throw new UsageException("--expect-head: " + e.Message); }
    }

    /// <summary>Verifies a municipality's operation log from the data directory, including the cases where the log or its key is missing.</summary>
    public static VerifyReport Verify(DataLayout layout, LocalGovernmentCode code, AuditHead? expected, string? publicKeyPem)
    {
        var keyPath = layout.MunicipalityAuditKeyFile(code);
        publicKeyPem ??= AuditSigningKeyFile.LoadPublicKeyPem(keyPath);
        VerifyReport Missing(string kind, string message) =>
            new(code.Digits, false, 0, null, 0, null, 0, null, new VerifyProblem(kind, null, null, message));

        if (!layout.MunicipalityExists(code))
            return publicKeyPem is null
                ? Missing("noLog", $"municipality {code.Digits} has no data in this data directory (操作記録がありません)")
                : Missing("logMissing", $"the database holding municipality {code.Digits}'s operation log is missing, though its signing key exists (操作記録の削除)");

        var database = layout.MunicipalityDatabase(code);
        var exists = new AuditLogStore(database, OperationLog.TableName, null).Exists();
        if (!exists)
        {
            if (publicKeyPem is not null)
                return Missing("logMissing", $"the operation log's table is missing, though its signing key exists: the log was removed (操作記録の削除)");
            if (expected is not null)
                return Missing("logMissing", $"there is no operation log, but entry {expected.Sequence} was expected (操作記録の削除)");
            return new VerifyReport(code.Digits, true, 0, null, 0, null, 0, null, null);
        }
        if (publicKeyPem is null)
            return Missing("publicKeyMissing", "the operation log's public key is missing: pass the key you trust with --public-key");

        using var log = OperationLog.OpenForAudit(database, code, publicKeyPem);
        var result = log.Verify(expected);
        return new VerifyReport(
            code.Digits, result.IsIntact, result.EntriesVerified,
            result.HeadHash is null ? null : $"{result.LastSequence}:{result.HeadHash}",
            result.CheckpointsVerified, result.LatestCheckpointSequence, result.UnprotectedEntries, log.PublicKey.KeyFingerprint,
            ProblemOf(result.Problem));
    }

    /// <summary>A verifier's problem as the reports print it (kind in camelCase).</summary>
    internal static VerifyProblem? ProblemOf(AuditProblem? problem) =>
        problem is { } p ? new VerifyProblem(JsonNamingPolicy.CamelCase.ConvertName(p.Kind.ToString()), p.Sequence, p.RelatedSequence, p.Message) : null;

    private static void PrintVerifyReport(VerifyReport report) =>
        PrintVerification("操作記録", report.Intact, report.Entries, report.Head, report.Checkpoints, report.UnprotectedEntries, report.Problem,
            "'renkei audit checkpoint' で署名し、先頭を控えて --expect-head に渡してください。");

    /// <summary>The human-readable outcome of verifying a log called <paramref name="logName"/> (操作記録, 情報提供等記録).</summary>
    internal static void PrintVerification(string logName, bool intact, long entries, string? head, long checkpoints, long unprotectedEntries,
        VerifyProblem? problem, string unprotectedAdvice)
    {
        if (intact)
        {
            Console.WriteLine(entries == 0
                ? $"{logName}はまだありません (no entries)"
                : $"{logName}は改ざんされていません: {entries:N0} 件、署名付きチェックポイント {checkpoints:N0} 件を確認 (intact)");
            if (head is not null) Console.WriteLine($"先頭 (head): {head}");
            if (unprotectedEntries > 0)
                Console.WriteLine($"注意: 最後のチェックポイント以降の {unprotectedEntries:N0} 件は、次のチェックポイントまで末尾の削除を検知できません。 "
                    + unprotectedAdvice);
            return;
        }
        Console.WriteLine(problem!.Sequence is { } sequence
            ? $"改ざんを検出しました: 記録 {sequence} 番 ({problem.Kind})"
            : $"{logName}を検証できません ({problem.Kind})");
        Console.WriteLine(problem.Message);
        if (entries > 0) Console.WriteLine($"記録 1〜{entries} 番は無傷です (entries 1 to {entries} are intact)");
    }

    private static Command ExportCommand()
    {
        var municipality = MunicipalityOption();
        var format = new Option<string>("--format") { Description = "csv or json", Required = true };
        format.AcceptOnlyFromAmong("csv", "json");
        var output = new Option<FileInfo?>("--output", "-o") { Description = "file to write (default: standard output)" };
        var from = new Option<string?>("--from") { Description = "first day (yyyy-MM-dd, Japan time) or instant (ISO 8601) of the operations to export" };
        var to = new Option<string?>("--to") { Description = "last day (yyyy-MM-dd, included) or instant (ISO 8601, excluded)" };
        var staff = new Option<string?>("--staff") { Description = "only this staff member's operations" };
        var subject = new Option<long?>("--subject") { Description = "only operations about this integrated addressee number (団体内統合宛名番号)" };
        var command = new Command("export", "write the operation log as CSV or JSON for auditors") { municipality, format, output, from, to, staff, subject };
        command.SetAction(parse =>
        {
            var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var query = new OperationLogQuery(
                ParseBound(parse.GetValue(from), "--from", endOfDay: false),
                ParseBound(parse.GetValue(to), "--to", endOfDay: true),
                parse.GetValue(staff),
                parse.GetValue(subject));
            if (query.From is { } f && query.To is { } t && t <= f) throw new UsageException("--to is before --from");
            var exportFormat = parse.GetValue(format) == "json" ? OperationLogExportFormat.Json : OperationLogExportFormat.Csv;

            using var log = OpenForReading(layout, code);
            var target = parse.GetValue(output);
            OperationLogExportSummary summary;
            if (target is null)
            {
                using var stdout = Console.OpenStandardOutput();
                summary = log.Export(stdout, exportFormat, query);
            }
            else
            {
                var temporary = target.FullName + ".partial";
                using (var file = PrivateFiles.Create(temporary)) // owner only (600), kept by the move
                    summary = log.Export(file, exportFormat, query);
                File.Move(temporary, target.FullName, overwrite: true);
            }
            Console.Error.WriteLine(summary.Entries == 0
                ? "該当する操作記録はありません (0 entries)"
                : $"{summary.Entries:N0} 件を書き出しました (entries {summary.FirstSequence}–{summary.LastSequence}); 改ざんの有無は 'renkei audit verify' で確認してください");
            return ExitCodes.Success;
        });
        return command;
    }

    private static OperationLog OpenForReading(DataLayout layout, LocalGovernmentCode code)
    {
        if (!layout.MunicipalityExists(code))
            throw new InvalidOperationException($"municipality {code.Digits} has no data in this data directory");
        var database = layout.MunicipalityDatabase(code);
        if (!new AuditLogStore(database, OperationLog.TableName, null).Exists())
            throw new InvalidOperationException($"municipality {code.Digits} has no operation log yet");
        var publicKey = AuditSigningKeyFile.LoadPublicKeyPem(layout.MunicipalityAuditKeyFile(code))
            ?? throw new InvalidOperationException("the operation log's public key is missing");
        return OperationLog.OpenForAudit(database, code, publicKey);
    }

    private static DateTimeOffset? ParseBound(string? text, string option, bool endOfDay)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), JapanStandardTime).AddDays(endOfDay ? 1 : 0);
        var iso = System.Text.RegularExpressions.Regex.Match(text, @"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(?<zone>Z|[+-]\d{2}:\d{2})?$");
        // An ISO 8601 time; without a zone it is Japan time.
        if (iso.Success && DateTimeOffset.TryParse(iso.Groups["zone"].Success ? text : text + "+09:00", CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var instant))
            return instant;
        throw new UsageException($"{option} is a date (2026-04-01) or an ISO 8601 time (2026-04-01T09:00:00+09:00)");
    }

    private static Command CheckpointCommand()
    {
        var municipality = MunicipalityOption();
        var json = CliOptions.Json();
        var command = new Command("checkpoint",
            "sign the operation log's current head now and print it: keep the head and give it to 'audit verify --expect-head'")
        {
            municipality, json,
        };
        command.SetAction(parse =>
        {
            var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            if (!File.Exists(layout.MunicipalityAuditKeyFile(code)))
                throw new InvalidOperationException($"municipality {code.Digits}'s operation-log signing key is missing; only the log's owner can sign checkpoints");
            using (OpenForReading(layout, code)) { } // refuses a missing log rather than creating one
            using var log = OpenOperationLog(layout, code);
            var checkpoint = log.Checkpoint();
            if (checkpoint is null)
            {
                Console.Error.WriteLine("renkei: the operation log is empty: nothing to sign");
                return ExitCodes.Failure;
            }
            var report = new CheckpointReport(code.Digits, checkpoint.Sequence, checkpoint.Head.ToString(), checkpoint.SignedAt.ToOffset(JapanStandardTime),
                Convert.ToBase64String(checkpoint.Signature), log.PublicKey.KeyFingerprint);
            if (parse.GetValue(json)) PrintJson(report);
            else
            {
                Console.WriteLine($"記録 {report.Sequence} 番までを署名しました (signed at {report.SignedAt:yyyy-MM-dd HH:mm:ss zzz}, key {report.KeyFingerprint})");
                Console.WriteLine($"先頭 (head): {report.Head}");
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command BenchCommand()
    {
        var entries = new Option<int>("--entries") { Description = "operation-log entries to append and verify", DefaultValueFactory = _ => 1_000_000 };
        var producers = new Option<int>("--producers") { Description = "concurrent writers appending one entry at a time", DefaultValueFactory = _ => 64 };
        var checkpointInterval = new Option<int>("--checkpoint-interval") { Description = "entries per signed checkpoint", DefaultValueFactory = _ => 1000 };
        var json = CliOptions.Json();
        var keep = new Option<bool>("--keep") { Description = "keep the benchmark's database (printed) instead of deleting it" };
        var command = new Command("audit",
            "append operation-log entries from concurrent writers (group commit) to a fresh SQLite log, then verify the whole chain")
        {
            entries, producers, checkpointInterval, json, keep,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var count = parse.GetValue(entries);
            var writers = parse.GetValue(producers);
            var interval = parse.GetValue(checkpointInterval);
            if (count < 1) throw new UsageException("--entries must be at least 1");
            if (writers is < 1 or > 10_000) throw new UsageException("--producers must be between 1 and 10000");
            if (interval < 1) throw new UsageException("--checkpoint-interval must be at least 1");
            var workDirectory = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "renkei-bench-audit-" + Guid.NewGuid().ToString("N")));
            try
            {
                var result = await RunBenchAsync(new DataLayout(workDirectory), count, writers, interval, parse.GetValue(json), cancellationToken);
                if (parse.GetValue(json)) PrintJson(result);
                else
                    Console.WriteLine($"{result.Entries:N0} entries: {result.AppendsPerSecond:N0} appends/s from {result.Producers} writers, "
                        + $"{result.VerifiedPerSecond:N0} verified/s, {result.Checkpoints:N0} checkpoints, intact {result.Intact} on {result.Machine.ProcessorCount} cores");
                return result.Intact ? ExitCodes.Success : ExitCodes.Failure;
            }
            finally
            {
                if (parse.GetValue(keep)) Console.Error.WriteLine($"database kept in {workDirectory.FullName}");
                else if (workDirectory.Exists)
                {
                    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                    workDirectory.Delete(recursive: true);
                }
            }
        });
        return command;
    }

    /// <summary>
    /// Appends <paramref name="entries"/> realistic entries from <paramref name="producers"/> concurrent writers, each
    /// awaiting its own append (the group-commit path a busy ward's services use), then verifies the whole log.
    /// </summary>
    public static async Task<AuditBenchResult> RunBenchAsync(DataLayout layout, int entries, int producers, int checkpointInterval, bool quiet,
        CancellationToken cancellationToken)
    {
        var code = LocalGovernmentCode.ParseOrThrow("131091");
        var start = new DateTimeOffset(2026, 4, 1, 8, 30, 0, JapanStandardTime);
        await using var log = OpenOperationLog(layout, code, new AuditLogOptions(CheckpointInterval: checkpointInterval));
        long appended = 0;

        var total = Stopwatch.StartNew();
        var appendTime = Stopwatch.StartNew();
        await ProgressDisplay.RunAsync("操作記録の追記", quiet, async progress =>
        {
            var workers = Enumerable.Range(0, producers).Select(worker => Task.Run(async () =>
            {
                for (var i = worker; i < entries; i += producers)
                {
                    await log.AppendAsync(BenchEntry(i, start), cancellationToken);
                    Interlocked.Increment(ref appended);
                }
            }, cancellationToken)).ToArray();
            var all = Task.WhenAll(workers);
            while (!all.IsCompleted)
            {
                await Task.WhenAny(all, Task.Delay(200, cancellationToken));
                progress.Report((Interlocked.Read(ref appended), entries));
            }
            await all;
            return appended;
        });
        appendTime.Stop();

        var verifyTime = Stopwatch.StartNew();
        var verification = await ProgressDisplay.RunAsync("検証", quiet, _ => Task.FromResult(log.Verify()));
        verifyTime.Stop();
        total.Stop();

        var databaseBytes = log.Store.Database.Provider == DatabaseProvider.Sqlite && Directory.Exists(layout.MunicipalityDirectory(code))
            ? Directory.EnumerateFiles(layout.MunicipalityDirectory(code), "register.db*").Sum(f => new FileInfo(f).Length)
            : 0;
        return new AuditBenchResult(
            "audit", entries, log.Store.Database.Provider.ToString().ToLowerInvariant(), producers, checkpointInterval,
            Math.Round(total.Elapsed.TotalSeconds, 3),
            Math.Round(appendTime.Elapsed.TotalSeconds, 3),
            Math.Round(verifyTime.Elapsed.TotalSeconds, 3),
            Math.Round(entries / appendTime.Elapsed.TotalSeconds),
            Math.Round(verification.EntriesVerified / verifyTime.Elapsed.TotalSeconds),
            verification.CheckpointsVerified,
            verification.IsIntact && verification.EntriesVerified == entries,
            databaseBytes,
            BenchCommands.MachineInfo.Current());
    }

    private static readonly string[] Affairs = ["child-allowance", "resident-register", "individual-municipal-tax", "national-health-insurance", "nursing-care"];

    private static OperationLogEntry BenchEntry(int i, DateTimeOffset start)
    {
        var action = (OperationAction)(i % 11);
        return new OperationLogEntry(
            $"staff{i % 400:D4}",
            start.AddMilliseconds(i * 25L),
            $"SHINAGAWA-T{i % 120:D3}",
            Affairs[i % Affairs.Length],
            100_000 + i % 380_000,
            action,
            i % 97 == 0 ? OperationResult.Refused : OperationResult.Success,
            action == OperationAction.Search ? "氏名カナ・生年月日で検索" : i % 3 == 0 ? "画面 宛名照会" : null);
    }
}
