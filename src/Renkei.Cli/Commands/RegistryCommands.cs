using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Tokens;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei registry …</c>: a municipality's resident register batch work (住民基本台帳).
/// <para><c>notification-list</c> and <c>certificate</c> show specific personal information, so each run is written to the
/// ward's operation log (<c>renkei audit verify/export</c>) before anything is printed or written, refusals too. A batch
/// job has no staff login: the entry names the operating-system account that ran it as the staff id
/// (<c>batch:&lt;OS user&gt;</c>; the OS has authenticated that account, a command-line option would only be a claim) and
/// the host name as the terminal.</para>
/// </summary>
public static class RegistryCommands
{
    internal static Option<string> MunicipalityOption() => new("--municipality", "-m")
    {
        Description = "local government code (131091 品川区, 131113 大田区, 131199 板橋区, …)",
        Required = true,
    };

    /// <summary>
    /// Codes per request to J-LIS. Registers and J-LIS are keyed by randomly spread codes and numbers, so each commit
    /// rewrites index pages all over the file; 50,000 per batch measured about twice as fast as 10,000 on a million residents.
    /// </summary>
    public const int DefaultNumberingBatch = 50_000;

    public static void AddTo(RootCommand root)
    {
        var registry = new Command("registry", "a municipality's resident register (住民基本台帳)");
        registry.Subcommands.Add(ImportCommand());
        registry.Subcommands.Add(AssignNumbersCommand());
        registry.Subcommands.Add(AcquireTokensCommand());
        registry.Subcommands.Add(NotificationListCommand());
        registry.Subcommands.Add(CertificateCommand());
        registry.Subcommands.Add(StatusCommand());
        root.Subcommands.Add(registry);
    }

    private static ResidentRegister OpenRegister(ParseResult parse, Option<string> municipality)
    {
        var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
        var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
        return new ResidentRegister(layout.MunicipalityDatabase(code), code);
    }

    private static void PrintJson<T>(T value) => Console.WriteLine(JsonSerializer.Serialize(value, JsonDefaults.Options));

    /// <summary>The staff id batch work is recorded under: <c>batch:</c> and the operating-system user (letters, digits, . _ - only).</summary>
    public static string BatchStaffId() => "batch:" + LogSafe(Environment.UserName, 40, "unknown-user");

    /// <summary>The terminal batch work is recorded under: this host's name.</summary>
    public static string BatchTerminal() => LogSafe(Environment.MachineName, OperationLogEntry.MaxIdLength, "unknown-host");

    private static string LogSafe(string? text, int maxLength, string fallback)
    {
        var kept = new string((text ?? "").Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-').Take(maxLength).ToArray());
        return kept.Length == 0 || PersonalNumberGuard.ContainsIndividualNumber(kept) || PersonalNumberGuard.ContainsResidentCode(kept) ? fallback : kept;
    }

    internal static (ResidentRegister Register, LocalGovernmentCode Code, DataLayout Layout) OpenWard(ParseResult parse, Option<string> municipality)
    {
        var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
        var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
        return (new ResidentRegister(layout.MunicipalityDatabase(code), code), code, layout);
    }

    private static Command ImportCommand()
    {
        var file = new Argument<FileInfo>("file") { Description = "register CSV (UTF-8 or Shift_JIS; columns in README)" };
        var municipality = MunicipalityOption();
        var onError = new Option<string>("--on-error")
        {
            Description = "refuse: any bad row imports nothing (default); skip: import the good rows and report the bad ones",
            DefaultValueFactory = _ => "refuse",
        };
        onError.AcceptOnlyFromAmong("refuse", "skip");
        var encoding = new Option<string>("--encoding") { Description = "auto (default), utf-8 or shift_jis", DefaultValueFactory = _ => "auto" };
        encoding.AcceptOnlyFromAmong("auto", "utf-8", "utf8", "shift_jis", "sjis");
        var json = CliOptions.Json();
        var command = new Command("import", "import an existing register from CSV") { file, municipality, onError, encoding, json };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists) throw new UsageException($"no such file: {path.FullName}");
            var register = OpenRegister(parse, municipality);
            var options = new RegisterImportOptions(
                parse.GetValue(onError) == "skip" ? ImportMode.SkipBadRows : ImportMode.RefuseFile,
                parse.GetValue(encoding) switch { "utf-8" or "utf8" => ImportEncoding.Utf8, "shift_jis" or "sjis" => ImportEncoding.ShiftJis, _ => ImportEncoding.Auto });
            var result = new RegisterImporter(register).ImportCsv(path.FullName, options);
            if (parse.GetValue(json))
                PrintJson(result);
            else
            {
                foreach (var problem in result.Problems) Console.Error.WriteLine($"{path.Name}: {problem}");
                Console.WriteLine(result.FileRefused
                    ? $"refused: {result.Rejected} bad row(s) of {result.RowsRead}; nothing was imported (use --on-error skip to import the good rows)"
                    : $"imported {result.Imported} of {result.RowsRead} row(s) ({result.Encoding}); {result.Rejected} skipped");
            }
            return result.FileRefused ? ExitCodes.Failure : ExitCodes.Success;
        });
        return command;
    }

    private static Command AssignNumbersCommand()
    {
        var municipality = MunicipalityOption();
        var batchSize = new Option<int>("--batch-size") { Description = "resident-record codes per request to J-LIS", DefaultValueFactory = _ => DefaultNumberingBatch };
        var jlisUrl = CliOptions.Url("--jlis-url", "J-LIS's address (default: start J-LIS from the data directory on loopback)");
        var json = CliOptions.Json();
        var command = new Command("assign-numbers",
            "initial bulk assignment (初期一斉指定): request numbers from J-LIS in batches and reconcile; safe to rerun after an interruption")
        {
            municipality, batchSize, jlisUrl, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var size = parse.GetValue(batchSize);
            if (size is < 1 or > 100_000) throw new UsageException("--batch-size must be between 1 and 100000");
            var register = OpenRegister(parse, municipality);
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            await using var jlis = await JlisConnection.OpenAsync(layout, parse.GetValue(jlisUrl), cancellationToken, register.Municipality);
            var job = new NumberAssignmentJob(register, jlis.Client, new NumberAssignmentOptions(size));
            var report = await ProgressDisplay.RunAsync("個人番号の指定", parse.GetValue(json), progress =>
                job.RunAsync(new Progress<NumberAssignmentProgress>(p => progress.Report((p.ResidentsAssigned, p.ResidentsTotal))), cancellationToken));
            if (parse.GetValue(json))
                PrintJson(report);
            else
            {
                Console.WriteLine($"assigned {report.Assigned} number(s) in {report.Batches} batch(es)"
                    + (report.ResentBatches > 0 ? $", {report.ResentBatches} interrupted batch(es) resent" : "")
                    + $"; discarded {report.Discarded} entr(ies) only in J-LIS's file; requested again {report.Retried}");
                foreach (var unassigned in report.Unassigned)
                    Console.Error.WriteLine($"resident {unassigned.ResidentId}: not assigned after {unassigned.Attempts} attempt(s): {unassigned.Reason}");
            }
            return report.UnassignedCount == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>The JSON of <c>registry acquire-tokens --json</c>: the run's report and the ward's totals afterwards.</summary>
    public sealed record AcquireTokensResult(long AddresseeNumbersIssued, TokenAcquisitionReport Run, TokenHoldingCounts Totals);

    private static Command AcquireTokensCommand()
    {
        var municipality = MunicipalityOption();
        var jlisUrl = CliOptions.Url("--jlis-url", "J-LIS's address (its token routes must reach the network)");
        jlisUrl.Required = true;
        var intermediateUrl = CliOptions.Url("--intermediate-url", "the ward's intermediate server (中間サーバー), where the network delivers the tokens");
        intermediateUrl.Required = true;
        var batchSize = new Option<int>("--batch-size") { Description = "people per request to J-LIS (1–50000)", DefaultValueFactory = _ => TokenAcquirer.DefaultChunkSize };
        var json = CliOptions.Json();
        var command = new Command("acquire-tokens",
            "bulk token acquisition (符号一斉取得): the ward's token for everyone with an addressee number and a number who has none yet; safe to rerun after an interruption")
        {
            municipality, jlisUrl, intermediateUrl, batchSize, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var size = parse.GetValue(batchSize);
            if (size is < 1 or > JlisTokenRoutes.MaxBatchItems) throw new UsageException($"--batch-size must be between 1 and {JlisTokenRoutes.MaxBatchItems}");
            var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            if (!layout.MunicipalityExists(code)) throw new UsageException($"no register for municipality {code.Digits} in {layout.Root.FullName}");
            var register = new ResidentRegister(layout.MunicipalityDatabase(code), code);
            await using var log = AuditCommands.OpenOperationLog(layout, code);
            var addressees = new AddresseeSystem(register, log, new AddresseeSystemOptions { Terminal = BatchTerminal() });
            var sync = addressees.SyncFromRegister(); // newcomers need an addressee number: tokens are bound to it
            using var clients = new WardTokenClients(code,
                new WardTokenOptions(parse.GetValue(jlisUrl)!, parse.GetValue(intermediateUrl)!, layout.MunicipalityInstitutionKeyDirectory(code)));
            var job = new TokenAcquisitionJob(addressees, clients.Acquirer, new TokenAcquisitionOptions(size));
            var report = await ProgressDisplay.RunAsync("符号の一斉取得", parse.GetValue(json), progress =>
                job.RunAsync(new Progress<TokenAcquisitionJobProgress>(p => progress.Report((p.Held, p.Total))), cancellationToken));
            var totals = job.Holdings.Counts();
            if (parse.GetValue(json))
                PrintJson(new AcquireTokensResult(sync.Issued, report, totals));
            else
            {
                Console.WriteLine($"tokens held for {report.Held} person(s) in {report.Chunks} chunk(s)"
                    + (report.ResentChunks > 0 ? $", {report.ResentChunks} interrupted chunk(s) resent" : "")
                    + $"; J-LIS refused {report.Refused}; not delivered {report.NotDelivered}; the ward now holds {totals.Held} token(s)");
                foreach (var refusal in report.Refusals)
                    Console.Error.WriteLine($"addressee {refusal.AddresseeNumber}: refused ({refusal.Code})");
            }
            return report.Refused == 0 && report.NotDelivered == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    private static Command NotificationListCommand()
    {
        var municipality = MunicipalityOption();
        var output = new Option<FileInfo?>("--output", "-o") { Description = "CSV file to write (default: standard output)" };
        var command = new Command("notification-list", "export the per-household mailing list (通知カード送付先情報) as CSV; recorded in the operation log") { municipality, output };
        command.SetAction(parse =>
        {
            var (register, code, layout) = OpenWard(parse, municipality);
            using var log = AuditCommands.OpenOperationLog(layout, code);
            var who = new ExportOperator(BatchStaffId(), BatchTerminal(), NotificationListExporter.Affair);
            var target = parse.GetValue(output);
            NotificationListSummary summary;
            if (target is null)
            {
                using var stdout = Console.OpenStandardOutput();
                summary = new NotificationListExporter(register).Export(stdout, log, who, "stdout");
            }
            else
            {
                var temporary = target.FullName + ".partial";
                using (var file = PrivateFiles.Create(temporary)) // names and numbers: owner only (600), kept by the move
                    summary = new NotificationListExporter(register).Export(file, log, who, "file");
                File.Move(temporary, target.FullName, overwrite: true);
            }
            Console.Error.WriteLine($"{summary.Households} household(s), {summary.Members} member(s)"
                + (summary.MembersWithoutNumber > 0 ? $"; {summary.MembersWithoutNumber} without a number yet" : ""));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command CertificateCommand()
    {
        var municipality = MunicipalityOption();
        var resident = new Option<long>("--resident") { Description = "the resident's id in the register", Required = true };
        var household = new Option<bool>("--household") { Description = "the whole household (世帯全員)" };
        var withNumber = new Option<bool>("--with-number") { Description = "include individual numbers (needs an affair that may use numbers)" };
        var affair = new Option<string?>("--affair") { Description = "the affair the request is made in (a code of policy/municipality/affairs-shinagawa.json, e.g. resident-register)" };
        var command = new Command("certificate", "residence certificate data (住民票の写し) as JSON; recorded in the operation log")
        {
            municipality, resident, household, withNumber, affair,
        };
        command.SetAction(parse =>
        {
            var (register, code, layout) = OpenWard(parse, municipality);
            var catalogue = AffairCatalogue.LoadDefault();
            var certificates = new ResidenceCertificates(register, catalogue);
            var request = new ResidenceCertificateRequest(parse.GetValue(resident), parse.GetValue(household), parse.GetValue(withNumber), parse.GetValue(affair));
            var affairCode = catalogue.Find(request.AffairCode)?.Code; // an unknown code is not written to the log
            var kind = request.WholeHousehold ? "residence certificate (household)" : "residence certificate";
            var residentId = "resident-id=" + request.ResidentId.ToString(CultureInfo.InvariantCulture);
            using var log = AuditCommands.OpenOperationLog(layout, code);
            void Record(OperationResult result, string detail) => log.Append(new OperationLogEntry(
                BatchStaffId(), DateTimeOffset.UtcNow, BatchTerminal(), affairCode, null, OperationAction.View, result, $"{kind}; {residentId}; {detail}"));

            ResidenceCertificate certificate;
            try
            {
                certificate = certificates.Build(request);
            }
            catch (Exception refused) when (refused is AffairNumberUseRefusedException or RegisterException)
            {
                var reason = refused is AffairNumberUseRefusedException n ? n.Code : ((RegisterException)refused).Code;
                Record(refused is AffairNumberUseRefusedException ? OperationResult.Refused : OperationResult.Failed,
                    (request.IncludeNumber ? "numbers requested: " : "") + (refused is AffairNumberUseRefusedException ? "refused: " : "failed: ") + reason);
                Console.Error.WriteLine("renkei: " + refused.Message);
                return ExitCodes.Failure;
            }
            // Recorded before it is shown.
            Record(OperationResult.Success, $"numbers={(certificate.NumbersIncluded ? "included" : "not-included")}; resident-ids="
                + string.Join(",", certificate.Entries.Select(e => e.ResidentId.ToString(CultureInfo.InvariantCulture))));
            PrintJson(certificate);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command StatusCommand()
    {
        var municipality = MunicipalityOption();
        var json = CliOptions.Json();
        var command = new Command("status", "counts of residents, households and numbers") { municipality, json };
        command.SetAction(parse =>
        {
            var counts = OpenRegister(parse, municipality).Counts();
            if (parse.GetValue(json)) PrintJson(counts);
            else Console.WriteLine($"residents {counts.Residents}, households {counts.Households}, without a number {counts.ResidentsWithoutNumber}, moved out {counts.MovedOut}, deceased {counts.Deceased}");
            return ExitCodes.Success;
        });
        return command;
    }
}
