using System.CommandLine;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Renkei.Cli.Demo;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Holders;
using Renkei.Holders.Demo;
using Renkei.Jlis;
using Renkei.Jlis.Pki;
using Renkei.Jlis.Tokens;
using Renkei.Jlis.Contracts;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Service;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tokens;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.Portal;
using Renkei.StaffConsole;
using Renkei.ServiceDefaults;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Commands;

/// <summary>
/// <c>renkei demo</c>: the demo country. Seeds 品川区, 大田区 and 板橋区 with generated residents (deterministic
/// from the seed), has J-LIS designate their numbers over HTTP (初期一斉指定), moves some households between
/// wards through the wards' own services, gives everyone an integrated addressee number, fills the business systems
/// (tax, child allowance, nursing care, NHI, public assistance) and loads their copies into each ward's intermediate
/// server, and keeps every service — J-LIS, and per ward its API, staff console and intermediate server — running
/// until Ctrl+C.
/// A second run reuses the seeded data and only starts the services.
/// </summary>
public static class DemoCommand
{
    private const string MarkerFile = "demo.json";

    private sealed record DemoMarker(int Seed, int Residents, DateTimeOffset SeededAt);

    public static void AddTo(RootCommand root)
    {
        var residents = new Option<int>("--residents") { Description = "how many residents in all three wards (default 3000)", DefaultValueFactory = _ => 3000 };
        var seed = new Option<int>("--seed") { Description = "seed for the generated residents (default 1)", DefaultValueFactory = _ => 1 };
        var fresh = new Option<bool>("--fresh") { Description = "delete the demo data in the data directory and seed again" };
        var once = new Option<bool>("--once") { Description = "seed, start, print what runs where, then stop (no waiting for Ctrl+C)" };
        var capture = new Option<FileInfo?>("--capture-network")
        {
            Description = "write every message body the network receives to this file (route, sender, base64 body per line) for auditing",
        };
        var scenario = new Option<string?>("--scenario")
        {
            Description = "after seeding, walk a scripted scenario and print each step: attachments (a family's child allowance decided from linked data)",
        };
        scenario.AcceptOnlyFromAmong("attachments");
        var portBase = new Option<int>("--port-base")
        {
            Description = $"the services listen on fixed ports from this one (default {DemoPorts.DefaultBase}: network, +1 J-LIS, +2 portal, +10… wards; 0: any free port)",
            DefaultValueFactory = _ => DemoPorts.DefaultBase,
        };
        var kioskClock = new Option<string?>("--kiosk-clock")
        {
            Description = "decide the wards' kiosk service hours as if it were this time (ISO 8601 with an offset, e.g. 2026-12-30T10:00+09:00) to try the hours and the year end",
        };
        var command = new Command("demo", "run the demo country: the network, J-LIS, three wards, two other information holders, the portal, the issuance centre and a kiosk on loopback")
        {
            residents, seed, fresh, once, capture, scenario, portBase, kioskClock,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var size = parse.GetValue(residents);
            if (size is < DemoCountryGenerator.MinimumResidents or > 20_000_000)
                throw new UsageException($"--residents must be between {DemoCountryGenerator.MinimumResidents} and 20000000");
            var ports = new DemoPorts(parse.GetValue(portBase));
            if (ports.Base != 0 && ports.Base is < 1024 or > DemoPorts.MaxBase)
                throw new UsageException($"--port-base must be 0 (any free port) or between 1024 and {DemoPorts.MaxBase}");
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            var generator = new DemoCountryGenerator(parse.GetValue(seed), size);
            if (generator.Wards.Count > DemoPorts.MaxWards) throw new UsageException($"the demo's fixed ports have room for {DemoPorts.MaxWards} wards");
            if (ports.FirstTaken(generator.Wards.Count) is { } taken)
                throw new UsageException($"ポート {taken.Port} ({taken.Service}) は他のプログラムが使用中です。--port-base で別の番号を指定してください "
                    + $"(port {taken.Port} for the {taken.Service} is in use; choose another --port-base, or 0 for any free ports)");
            TimeSpan? kioskShift = null;
            if (parse.GetValue(kioskClock) is { } clockText)
                kioskShift = DateTimeOffset.TryParse(clockText, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at)
                    ? at - DateTimeOffset.UtcNow
                    : throw new UsageException("--kiosk-clock must be an ISO 8601 time with an offset, e.g. 2026-12-30T10:00+09:00");
            var needsSeeding = PrepareDataDirectory(layout, generator, parse.GetValue(fresh));

            using var tap = parse.GetValue(capture) is { } captureFile ? new FileMessageTap(captureFile.FullName) : null;
            await using var country = await DemoCountry.StartAsync(layout, generator.Wards, cancellationToken, tap, ports, kioskShift);
            if (needsSeeding)
            {
                await SeedAsync(layout, country, generator, cancellationToken);
                PrivateFiles.WriteAllText(Path.Combine(layout.Root.FullName, MarkerFile),
                    JsonSerializer.Serialize(new DemoMarker(generator.Seed, generator.TotalResidents, DateTimeOffset.Now), JsonDefaults.Options));
            }
            country.PrintDirectory(Console.Out);
            if (parse.GetValue(scenario) == "attachments")
                await AttachmentScenario.RunAsync(country, layout, Console.Out, cancellationToken);

            if (!parse.GetValue(once))
            {
                Console.WriteLine("Ctrl+C で停止します (press Ctrl+C to stop)");
                await ServeCommand.WaitForShutdownAsync(cancellationToken);
            }
            return ExitCodes.Success;
        });
        command.Subcommands.Add(StaffCommand());
        root.Subcommands.Add(command);
    }

    /// <summary>
    /// <c>renkei demo staff</c>: the demo wards' staff accounts with their passwords and the current one-time codes, so a
    /// person can log in to a staff console. DEMO ONLY: these credentials derive from a public seed. Printed only for a
    /// data directory that <c>renkei demo</c> seeded (its marker file is there) and for one of its wards: never for a
    /// deployment's or any other data directory, even one whose accounts were made with <c>--demo-staff</c>.
    /// </summary>
    private static Command StaffCommand()
    {
        var municipality = new Option<string>("--municipality", "-m") { Description = "local government code (default 131091 品川区)", DefaultValueFactory = _ => "131091" };
        var command = new Command("staff",
            "print the demo staff accounts with passwords and current one-time codes, for a data directory 'renkei demo' seeded (demo only)")
        {
            municipality,
        };
        command.SetAction(parse =>
        {
            var code = ServeCommand.ParseMunicipality(parse.GetValue(municipality));
            var layout = new DataLayout(parse.GetValue(CliOptions.DataDirectory)!);
            if (!File.Exists(Path.Combine(layout.Root.FullName, MarkerFile)))
                throw new UsageException($"{layout.Root.FullName} はデモ (renkei demo) が作成したデータディレクトリではないため、職員の資格情報は表示しません "
                    + "(credentials are printed only for a data directory seeded by 'renkei demo'; pass its --data)");
            if (!Directory.Exists(layout.MunicipalityDirectory(code)))
                throw new UsageException($"このデモに団体 {code.Digits} はありません (the demo in this data directory has no municipality {code.Digits})");
            var now = DateTimeOffset.UtcNow;
            var validFor = Totp.StepSeconds - now.ToUnixTimeSeconds() % Totp.StepSeconds;
            Console.WriteLine($"デモ職員 ({code.Digits}) — デモ専用の資格情報です。ワンタイムパスワードはあと {validFor} 秒有効です。");
            foreach (var account in DemoStaff.Accounts(code))
                Console.WriteLine($"  {account.Id.Value,-9} {TextWidth.PadRight(account.DisplayName, 24)} {TextWidth.PadRight(account.Role.ToJapanese(), 8)} "
                    + $"パスワード {account.Password}  ワンタイムパスワード {account.CodeAt(now)}  事務: {string.Join(", ", account.Affairs)}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Decides whether to seed; never deletes data that a demo did not create.</summary>
    private static bool PrepareDataDirectory(DataLayout layout, DemoCountryGenerator generator, bool fresh)
    {
        var markerPath = Path.Combine(layout.Root.FullName, MarkerFile);
        // Everything a demo creates, one folder per institution (and the residents' software cards).
        string[] demoFolders = [layout.JlisDirectory, layout.NetworkDirectory, layout.PortalDirectory, .. new[] { "municipalities", "intermediate", "holders", "cards" }
            .Select(folder => Path.Combine(layout.Root.FullName, folder))];
        var hasData = demoFolders.Any(Directory.Exists);
        DemoMarker? marker = File.Exists(markerPath) ? JsonSerializer.Deserialize<DemoMarker>(File.ReadAllText(markerPath), JsonDefaults.Options) : null;

        if (fresh)
        {
            if (hasData && marker is null)
                throw new UsageException($"{layout.Root.FullName} holds data that is not a demo's; choose another --data directory");
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var folder in demoFolders.Where(Directory.Exists)) Directory.Delete(folder, recursive: true);
            if (File.Exists(markerPath)) File.Delete(markerPath); // (the data directory itself may not exist yet)
            return true;
        }
        if (marker is null)
        {
            if (hasData)
                throw new UsageException($"{layout.Root.FullName} holds data that is not a demo's; choose another --data directory");
            return true;
        }
        if (marker.Seed != generator.Seed || marker.Residents != generator.TotalResidents)
            throw new UsageException($"the data directory holds a demo of {marker.Residents} residents (seed {marker.Seed}); add --fresh to replace it");
        return false;
    }

    internal static async Task SeedAsync(DataLayout layout, DemoCountry country, DemoCountryGenerator generator, CancellationToken cancellationToken)
    {
        var total = generator.TotalResidents * 2L; // importing, then numbering
        long done = 0;
        await ProgressDisplay.RunAsync("デモ国の作成 (seeding)", quiet: false, async progress =>
        {
            foreach (var ward in country.Wards)
            {
                var importDone = done;
                var imported = new RegisterImporter(ward.Register).Import(generator.Residents(ward.Descriptor),
                    progress: new InlineProgress<long>(rows => progress.Report((importDone + rows, total))));
                if (imported.Rejected > 0)
                    throw new InvalidOperationException($"{ward.Descriptor.Name}: {imported.Rejected} generated row(s) were rejected: {imported.Problems[0]}");
                done += generator.ResidentCount(ward.Descriptor);

                var numberingDone = done;
                var job = new NumberAssignmentJob(ward.Register, country.JlisFor(ward.Descriptor.Code).Numbering);
                var report = await job.RunAsync(
                    new InlineProgress<NumberAssignmentProgress>(p => progress.Report((numberingDone + p.ResidentsAssigned, total))), cancellationToken);
                if (report.UnassignedCount > 0)
                    throw new InvalidOperationException($"{ward.Descriptor.Name}: {report.UnassignedCount} resident(s) got no number");
                done += generator.ResidentCount(ward.Descriptor);
            }
            return true;
        });

        // The business systems and their copies at the intermediate server, ward by ward (as of 1 January: before the moves).
        var today = DateOnly.FromDateTime(DateTime.Today);
        foreach (var ward in country.Wards)
        {
            var addressee = new AddresseeSystem(ward.Register, ward.OperationLog, new AddresseeSystemOptions { Terminal = "renkei-demo" });
            var systems = new MunicipalBusinessSystems(addressee);
            var business = DemoBusinessData.Seed(addressee, systems, generator.Seed, today);
            // The ward's service sends its register's and business systems' copies by itself (WardCopyFeed); the bulk-loaded
            // business data goes with a full run, as after a yearly assessment. Wait for them.
            WardCopyFeed.RequestFullRun(ward.Database, "renkei-demo");
            var feed = await ward.Ward.CopyFeed!.DrainAsync(cancellationToken);
            Console.WriteLine($"{ward.Descriptor.Name}: {business.AddresseesIssued:N0} addressee number(s), {business.Taxpayers:N0} taxpayer(s), {business.TaxPayments:N0} tax payment(s); "
                + $"{feed.ResidentCopies + feed.BusinessCopies:N0} copies sent to the intermediate server");

            // 符号一斉取得: J-LIS turns each number into the resident-record code, the network delivers the ward's token to
            // the ward's intermediate server.
            using var clients = new WardTokenClients(ward.Descriptor.Code,
                new WardTokenOptions(country.JlisAddress, ward.IntermediateHost.BaseAddress, layout.MunicipalityInstitutionKeyDirectory(ward.Descriptor.Code)));
            var tokens = await new TokenAcquisitionJob(addressee, clients.Acquirer).RunAsync(cancellationToken: cancellationToken);
            Console.WriteLine($"{ward.Descriptor.Name}: {tokens.Held:N0} token(s) acquired through J-LIS and the network (符号一斉取得), {tokens.Refused:N0} refused");
        }

        // The moves go through the wards' own services like any clerk's work: logged in, acting in the resident-register
        // affair. Each arrival gets its number checked with J-LIS and a token at the new ward.
        var moved = new List<MovedPerson>();
        try
        {
            foreach (var move in generator.Moves)
                moved.AddRange(await MoveHouseholdAsync(country, move, cancellationToken));
        }
        finally
        {
            foreach (var ward in country.Wards) await ward.LogoutAsync(CancellationToken.None);
        }
        // The moves' copies (転出 at the old ward, 転入 at the new one) reach the intermediate servers before linkage asks for them.
        foreach (var ward in country.Wards) await ward.Ward.CopyFeed!.DrainAsync(cancellationToken);
        Console.WriteLine($"seeded {generator.TotalResidents} residents (seed {generator.Seed}); {generator.Moves.Count} household(s), {moved.Count} person(s) moved between wards");

        // The pension organisation and the insurer: their own records of the wards' residents, copies, tokens.
        var people = DemoNetwork.People(country.Wards, generator.Seed);
        foreach (var holder in country.Holders)
        {
            var seeded = HolderDemoData.Seed(holder.Node.Records, people, today);
            var feed = await holder.Node.FeedCopiesAsync(ct: cancellationToken);
            var tokens = await holder.Node.AcquireTokensAsync(ct: cancellationToken);
            Console.WriteLine($"{holder.Node.Name}: {seeded.Recipients + seeded.Insured + seeded.Dependants:N0} person(s) on record, "
                + $"{feed.Stored:N0} copies sent, {tokens.Delivered:N0} token(s) acquired");
        }

        // A first day of linkage: each arrival's new ward asks the previous ward for the 1 January tax information
        // (児童手当 from linked data instead of a 課税証明書), so the network and both wards hold provision records.
        var outcomes = await DemoLinkages.AskPreviousWardsAsync(country, moved, cancellationToken);
        Console.WriteLine("情報連携 (linkage): " + string.Join(", ", outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value:N0}")));

        // Individual number cards with JPKI certificates for some residents (the moved families among them).
        var cards = await DemoCards.IssueAsync(layout, country, moved, cancellationToken);
        Console.WriteLine($"個人番号カード: {cards:N0} card(s) handed over (software cards in {DemoCards.Directory(layout)}; "
            + $"demo PINs: 利用者証明用 {DemoCards.UserPin}, 署名用 {DemoCards.SigningPin})");
    }

    /// <summary>
    /// A household moves: each member's departure is registered at the old ward (転出), then the arrival at the new
    /// ward (転入) carrying the resident-record code and number, which the new ward checks with J-LIS.
    /// The move is dated the day the demo runs, after the numbers were designated.
    /// </summary>
    internal static async Task<IReadOnlyList<MovedPerson>> MoveHouseholdAsync(DemoCountry country, DemoMove move, CancellationToken cancellationToken)
    {
        var from = country.Ward(move.From);
        var to = country.Ward(move.To);
        var household = from.Register.FindHousehold(move.HouseholdNumber);
        if (household is null || household.Members.Count == 0) return [];
        var today = DateOnly.FromDateTime(DateTime.Today);
        var members = household.Members.OrderBy(m => m.Relationship == Relationship.Head ? 0 : 1).ToList();
        string? newHousehold = null;
        foreach (var member in members)
        {
            // Request ids derived from the move make a rerun of the same move idempotent.
            await from.PostAsync(MunicipalityRoutes.Departures,
                new DepartureRequest(DemoGuid.From($"depart/{move.From}/{member.Id}"), member.Id, today, move.NewAddress, move.To.Digits), cancellationToken);
            var arrival = await to.PostAsync(MunicipalityRoutes.Arrivals, new ArrivalRequest(
                DemoGuid.From($"arrive/{move.To}/{move.From}/{member.Id}"),
                member.ResidentCode, member.IndividualNumber!.Value,
                new NewPerson(member.Name.FamilyName, member.Name.GivenName, member.Name.FamilyNameKana, member.Name.GivenNameKana, member.BirthDate, member.Sex),
                move.NewAddress, newHousehold, member.Relationship, today, move.From, member.ForeignResident, member.Nationality), cancellationToken);
            newHousehold ??= arrival.GetProperty("householdNumber").GetString();
        }
        return members.Select(m => new MovedPerson(move.From, move.To, m.ResidentCode)).ToList();
    }

    /// <summary>Reports on the caller's thread.</summary>
    private sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
