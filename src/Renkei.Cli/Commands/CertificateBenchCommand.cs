using System.CommandLine;
using System.Text;
using System.Text.Json;
using Renkei.Cli.Bench;
using Renkei.Cli.Demo;
using Renkei.Core.Cards;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.IssuanceCentre.Contracts;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei bench certificates</c>: convenience-store issuance over loopback HTTP, the whole path of one certificate — the
/// kiosk's signed request to the issuance centre, the centre's signed request to the resident's ward, the ward's issuance
/// server making the 住民票の写し（世帯全員） from the register, recording it in its ledger and operation log and signing its
/// 2D code, back to the kiosk as a PDF. The demo country runs in-process (seeded as <c>renkei demo</c> seeds it, its cards);
/// each demo card opens one session first (the card's PIN and signature are the card's own work, not the servers'), then
/// the certificates are asked for by <c>--concurrency</c> kiosks' worth of requests in a closed loop. Issue 15's target:
/// ≥ 100 certificates per second on 2 cores.
/// </summary>
public static class CertificateBenchCommand
{
    public sealed record Result(string Benchmark, long Certificates, int Concurrency, int Sessions, double Seconds, double CertificatesPerSecond,
        double P50Ms, double P99Ms, double MaxMs, long Failures, double[]? LoadAverage, BenchCommands.MachineInfo Machine);

    public static void AddTo(Command bench)
    {
        ArgumentNullException.ThrowIfNull(bench);
        var count = new Option<int>("--count") { Description = "certificates to issue", DefaultValueFactory = _ => 10_000 };
        var concurrency = new Option<int>("--concurrency") { Description = "requests in flight at once (closed loop)", DefaultValueFactory = _ => 8 };
        var json = CliOptions.Json();
        var command = new Command("certificates",
            "issue certificates through kiosk → issuance centre → ward → signed PDF over loopback HTTP and print certificates per second")
        {
            count, concurrency, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var total = parse.GetValue(count);
            var inFlight = parse.GetValue(concurrency);
            if (total < 1) throw new UsageException("--count must be at least 1");
            if (inFlight is < 1 or > 256) throw new UsageException("--concurrency must be between 1 and 256");
            var quiet = parse.GetValue(json);
            var result = await RunAsync(total, inFlight, quiet, cancellationToken);
            if (quiet)
                Console.WriteLine(JsonSerializer.Serialize(result, JsonDefaults.Options));
            else
                Console.WriteLine($"{result.Certificates:N0} certificates at concurrency {result.Concurrency} over {result.Sessions} sessions: "
                    + $"{result.CertificatesPerSecond:N0}/s, p50 {result.P50Ms:F1} ms, p99 {result.P99Ms:F1} ms, {result.Failures} failed "
                    + $"({result.Machine.ProcessorCount} cores, load {string.Join(" ", result.LoadAverage ?? [])})");
            return result.Failures == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        bench.Subcommands.Add(command);
    }

    internal static async Task<Result> RunAsync(int total, int concurrency, bool quiet, CancellationToken cancellationToken)
    {
        var workDirectory = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "renkei-bench-" + Guid.NewGuid().ToString("N")));
        try
        {
            var layout = new DataLayout(workDirectory);
            var generator = new DemoCountryGenerator(1, 3000);
            // The wards judge their kiosk hours as at a weekday morning in Japan: the bench runs at any hour.
            var shift = new DateTimeOffset(2026, 6, 1, 10, 0, 0, TimeSpan.FromHours(9)) - DateTimeOffset.UtcNow;
            await using var country = await DemoCountry.StartAsync(layout, generator.Wards, cancellationToken, kioskClockShift: shift);
            // The seeding report goes to stderr, so that --json prints only the result on stdout.
            var output = Console.Out;
            Console.SetOut(quiet ? TextWriter.Null : Console.Error);
            try
            {
                await DemoCommand.SeedAsync(layout, country, generator, cancellationToken);
            }
            finally
            {
                Console.SetOut(output);
            }

            using var keys = InstitutionKeys.LoadOrCreate(layout.KioskKeyDirectory(DemoCountry.KioskCode));
            using var http = SigningHandler.CreateClient(country.IssuanceCentre.BaseAddress, DemoCountry.KioskCode, keys.Signing,
                Country.IssuanceCentreDeclaration.DemoCode, new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }, TimeSpan.FromMinutes(1));
            var centre = new IssuanceCentreHttpClient(http);
            var sessions = new List<Guid>();
            foreach (var file in Directory.GetFiles(DemoCards.Directory(layout), "*.card", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var card = SoftwareCard.Open(new InMemoryCardMedium(await File.ReadAllBytesAsync(file, cancellationToken)));
                var challenge = (await centre.ChallengeAsync(new KioskChallengeRequest(DemoCountry.KioskCode), cancellationToken)).Challenge;
                try
                {
                    var session = await centre.OpenSessionAsync(new KioskSessionRequest(DemoCountry.KioskCode, challenge,
                        Convert.ToBase64String(card.Certificate(CardPinKind.UserAuthentication)!.RawData),
                        Convert.ToBase64String(card.Sign(DemoCards.Pins.UserAuthentication, Encoding.UTF8.GetBytes(challenge)))), cancellationToken);
                    if (session.Menu.Open && session.Menu.Items.Any(i => i.Kind == KioskCertificateKinds.ResidenceRecord)) sessions.Add(session.SessionId);
                }
                catch (IssuanceCentreException)
                {
                    // A card whose holder moved out or is not served: not a session for the bench.
                }
            }
            if (sessions.Count == 0) throw new InvalidOperationException("no demo card opened a kiosk session");
            if (!quiet) Console.Error.WriteLine($"{sessions.Count} kiosk sessions open; issuing {total:N0} certificates …");

            Task Issue(long index, CancellationToken token) => centre.CertificateAsync(new KioskCertificateRequest(sessions[(int)(index % sessions.Count)], Guid.NewGuid(),
                KioskCertificateKinds.ResidenceRecord, WholeHousehold: true, FiscalYear: null, PaidYen: 1000), token);
            // Warm-up (JIT, pools, the fonts), then the measured run.
            await LoadDriver.RunAsync(Issue, Math.Min(200, total), concurrency, cancellationToken: cancellationToken);
            var load = await LoadDriver.RunAsync(Issue, total, concurrency, cancellationToken: cancellationToken);
            return new Result("certificates", load.Operations, concurrency, sessions.Count, load.Seconds, load.OperationsPerSecond, load.P50Ms, load.P99Ms, load.MaxMs,
                load.Failures, LinkageBench.LoadAverage(), BenchCommands.MachineInfo.Current());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { workDirectory.Delete(recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
