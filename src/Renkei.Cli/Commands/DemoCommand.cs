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

    /// <summary>The demo's seeding, acting as a job of its own at the intermediate servers (copies sent, kept with the actor).</summary>
    private static readonly Actor DemoSeeding = Actor.System("demo-seeding", IntermediateHttpFeed.FeedAffair);

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
        var command = new Command("demo", "run the demo country: the network, J-LIS, three wards and two other information holders on loopback")
        {
            residents, seed, fresh, once, capture, scenario, portBase,
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
            var needsSeeding = PrepareDataDirectory(layout, generator, parse.GetValue(fresh));

            using var tap = parse.GetValue(capture) is { } captureFile ? new FileMessageTap(captureFile.FullName) : null;
            await using var country = await DemoCountry.StartAsync(layout, generator.Wards, cancellationToken, tap, ports);
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
            var feed = await new IntermediateFeeder(systems, new IntermediateHttpFeed(ward.IntermediateClient, ward.Descriptor.Code.Digits, DemoSeeding))
                .SendAllAsync(today, cancellationToken);
            Console.WriteLine($"{ward.Descriptor.Name}: {business.AddresseesIssued:N0} addressee number(s), {business.Taxpayers:N0} taxpayer(s); "
                + $"{feed.CopiesSent:N0} copies sent to the intermediate server");

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
                new DepartureRequest(DemoGuid.From($"depart/{move.From}/{member.Id}"), member.Id, today, move.NewAddress), cancellationToken);
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

/// <summary>The running demo country: J-LIS and one service per ward, all on loopback.</summary>
internal sealed class DemoCountry : IAsyncDisposable
{
    private readonly ServiceHost _jlis;
    private readonly Dictionary<Core.Numbers.LocalGovernmentCode, WardJlisConnection> _wardJlis;
    private readonly string _jlisDatabase;
    private readonly string _networkDatabase;

    private DemoCountry(DataLayout layout, NetworkNode network, string networkDatabase, ServiceHost jlis, string jlisDatabase, IReadOnlyList<RunningWard> wards,
        IReadOnlyList<RunningHolder> holders, ServiceHost portal)
    {
        Portal = portal;
        Network = network;
        _networkDatabase = networkDatabase;
        _jlis = jlis;
        _jlisDatabase = jlisDatabase;
        // Each ward's own connection to J-LIS, signing with its institution key (the demo's batch jobs and card counter).
        _wardJlis = wards.ToDictionary(w => w.Descriptor.Code, w => new WardJlisConnection(w.Descriptor.Code,
            new WardJlisOptions(jlis.BaseAddress, layout.MunicipalityInstitutionKeyDirectory(w.Descriptor.Code))));
        Wards = wards;
        Holders = holders;
    }

    /// <summary>J-LIS as <paramref name="ward"/> sees it: requests signed with the ward's institution key.</summary>
    public WardJlisConnection JlisFor(Core.Numbers.LocalGovernmentCode ward) => _wardJlis[ward];
    public Uri JlisAddress => _jlis.BaseAddress;
    public IReadOnlyList<RunningWard> Wards { get; }

    /// <summary>The information provision network (情報提供ネットワークシステム).</summary>
    public NetworkNode Network { get; }

    /// <summary>日本年金機構 and the demo 健康保険組合.</summary>
    public IReadOnlyList<RunningHolder> Holders { get; }

    /// <summary>The citizen portal (マイナポータル), registered with the network as institution <see cref="PortalRoutes.DemoPortalCode"/>.</summary>
    public ServiceHost Portal { get; }

    public const string PortalName = "マイナポータル";

    /// <summary>
    /// DEMO ONLY: the demo accounts' passwords are derived from a public seed (<see cref="DemoStaff"/>), so slow hashing
    /// protects nothing; a light PBKDF2 keeps seeding three wards quick.
    /// </summary>
    private static readonly StaffDirectoryOptions DemoStaffOptions = new()
    {
        PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(10_000),
        TotpIssuer = "Renkei demo",
    };

    public RunningWard Ward(Core.Numbers.LocalGovernmentCode code) => Wards.Single(w => w.Descriptor.Code == code);

    /// <summary>Every service of the country by name (the route inventory test walks their routes).</summary>
    public IReadOnlyList<(string Name, ServiceHost Host)> Services =>
    [
        ("network", Network.Host),
        ("jlis", _jlis),
        ("portal", Portal),
        .. Wards.SelectMany(w => new[]
        {
            ($"ward-{w.Descriptor.Code.Digits}", w.Host),
            ($"console-{w.Descriptor.Code.Digits}", w.ConsoleHost),
            ($"intermediate-{w.Descriptor.Code.Digits}", w.IntermediateHost),
        }),
        .. Holders.SelectMany(h => new[] { ($"holder-{h.Node.InstitutionCode}", h.Node.Host), ($"intermediate-{h.Node.InstitutionCode}", h.IntermediateHost) }),
    ];

    /// <summary>Starts the country's services on <paramref name="ports"/> (default: any free port).</summary>
    public static async Task<DemoCountry> StartAsync(DataLayout layout, IReadOnlyList<DemoWard> descriptors, CancellationToken cancellationToken,
        IMessageTap? networkTap = null, DemoPorts? ports = null)
    {
        ports ??= DemoPorts.Any;
        // The network first: every other institution registers with it and its intermediate server pins its key.
        var network = await NetworkService.StartAsync(
            new NetworkServiceOptions(layout.NetworkDatabase(), layout.NetworkKeyDirectory, ports.Network) { Tap = networkTap, ApiReference = true }, cancellationToken);
        ServiceHost? jlis = null;
        var wards = new List<RunningWard>();
        var holders = new List<RunningHolder>();
        ServiceHost? portal = null;
        var jlisDatabase = layout.JlisDatabase();
        try
        {
            DemoNetwork.Register(network, JlisTokenRoutes.JlisInstitutionCode, DemoNetwork.JlisName, InstitutionClass.NumberingAuthority, null,
                layout.JlisInstitutionKeyDirectory);
            jlis = await JlisService.StartAsync(new JlisServiceOptions(jlisDatabase, layout.JlisKeyFile, ports.Jlis)
            {
                Tokens = new JlisTokenOptions(network.BaseAddress, layout.JlisInstitutionKeyDirectory),
                // DEMO ONLY: the JPKI CAs' key file is protected with the published demo passphrase.
                Pki = new JpkiOptions(layout.JpkiKeyDirectory, JpkiPassphrase.DemoPassphrase),
                // The wards as J-LIS's own registry holds them (住基ネット): they number and card their residents.
                Institutions = descriptors.Select(d => JlisConnection.WardInstitution(layout, d.Code, d.Name)).ToList(),
                ApiReference = true,
            }, cancellationToken);
            foreach (var descriptor in descriptors)
                wards.Add(await StartWardAsync(layout, descriptor, wards.Count, ports, network, jlis.BaseAddress, cancellationToken));
            holders.Add(await DemoNetwork.StartHolderAsync(layout, HolderKind.PensionOrganisation, network, jlis.BaseAddress, cancellationToken,
                ports.Holder(0), ports.HolderIntermediate(0)));
            holders.Add(await DemoNetwork.StartHolderAsync(layout, HolderKind.HealthInsurer, network, jlis.BaseAddress, cancellationToken,
                ports.Holder(1), ports.HolderIntermediate(1)));
            portal = await StartPortalAsync(layout, network, jlis.BaseAddress, wards, ports.Portal, cancellationToken);
        }
        catch
        {
            if (portal is not null) await portal.DisposeAsync();
            foreach (var holder in holders) await holder.DisposeAsync();
            foreach (var ward in wards) await ward.DisposeAsync();
            if (jlis is not null) await jlis.DisposeAsync();
            await network.DisposeAsync();
            throw;
        }
        return new DemoCountry(layout, network, layout.NetworkDatabase().Describe(), jlis, jlisDatabase.Describe(), wards, holders, portal);
    }

    /// <summary>
    /// The citizen portal after the wards: registered with the network (class Portal, no endpoint: it provides nothing),
    /// its keys under the data directory; each ward's service takes its e-applications.
    /// </summary>
    private static async Task<ServiceHost> StartPortalAsync(DataLayout layout, NetworkNode network, Uri jlis, IReadOnlyList<RunningWard> wards, int port,
        CancellationToken cancellationToken)
    {
        DemoNetwork.Register(network, PortalRoutes.DemoPortalCode, PortalName, InstitutionClass.Portal, null, layout.PortalInstitutionKeyDirectory);
        return await PortalService.StartAsync(new PortalServiceOptions(PortalRoutes.DemoPortalCode, PortalName, layout.PortalInstitutionKeyDirectory,
            network.BaseAddress, jlis)
        {
            Wards = wards.Select(w => new PortalWard(w.Descriptor.Code.Digits, w.Descriptor.Name, w.Host.BaseAddress)).ToList(),
            NetworkSigningPublicKey = network.SigningPublicKey,
            Port = port,
        }, cancellationToken);
    }

    /// <summary>
    /// One ward: its intermediate server first (the ward's node on the network, registered with it), then the ward's
    /// service (which acquires a token whenever it records a new person's number) and its staff console.
    /// </summary>
    private static async Task<RunningWard> StartWardAsync(DataLayout layout, DemoWard descriptor, int index, DemoPorts ports, NetworkNode network, Uri jlis,
        CancellationToken cancellationToken)
    {
        var database = layout.MunicipalityDatabase(descriptor.Code);
        var register = new ResidentRegister(database, descriptor.Code);
        var staff = ServeCommand.OpenStaffDirectory(layout, descriptor.Code, DemoStaffOptions);
        var staffAccounts = DemoStaff.Seed(staff, descriptor.Code);
        var keyDirectory = layout.MunicipalityInstitutionKeyDirectory(descriptor.Code);
        var log = AuditCommands.OpenOperationLog(layout, descriptor.Code);
        var hosts = new List<ServiceHost>();
        try
        {
            // The ward's intermediate server (中間サーバー), with its own database.
            var intermediateDatabase = layout.IntermediateDatabase(descriptor.Code);
            var intermediate = await DemoNetwork.StartIntermediateAsync(intermediateDatabase, descriptor.Code.Digits, descriptor.Name, keyDirectory, network,
                cancellationToken, ports.WardIntermediate(index));
            hosts.Add(intermediate);
            DemoNetwork.Register(network, descriptor.Code.Digits, descriptor.Name, InstitutionClass.Municipality, intermediate.BaseAddress, keyDirectory);
            var host = await MunicipalityService.StartAsync(
                new MunicipalityServiceOptions(database, descriptor.Code, descriptor.Name, new WardJlisOptions(jlis, keyDirectory), staff, log,
                    ports.WardApi(index))
                {
                    Tokens = new WardTokenOptions(jlis, intermediate.BaseAddress, keyDirectory),
                    EApplicationPortals = [DemoNetwork.PortalCaller(layout)],
                    ApiReference = true,
                }, cancellationToken);
            hosts.Add(host);
            // The ward's staff console (職員用画面): same database, staff directory and operation log as its service.
            var console = await StaffConsoleService.StartAsync(
                new StaffConsoleServiceOptions(database, descriptor.Code, descriptor.Name, staff, log)
                {
                    IntermediateAddress = intermediate.BaseAddress,
                    InstitutionKeyDirectory = keyDirectory,
                    Port = ports.WardConsole(index),
                }, cancellationToken);
            hosts.Add(console);
            return new RunningWard(descriptor, register, database, host, log, staffAccounts, console, intermediate, intermediateDatabase, keyDirectory);
        }
        catch
        {
            foreach (var started in hosts) await started.DisposeAsync();
            await log.DisposeAsync();
            throw;
        }
    }

    public void PrintDirectory(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("Renkei デモ国 (demo country) — running on loopback:");
        output.WriteLine($"  {TextWidth.PadRight("情報提供ネットワークシステム (network)", 38)} {Network.BaseAddress,-26} {_networkDatabase}");
        output.WriteLine($"  {TextWidth.PadRight("地方公共団体情報システム機構 (J-LIS)", 38)} {_jlis.BaseAddress,-26} {_jlisDatabase}");
        foreach (var ward in Wards)
        {
            var counts = ward.Register.Counts();
            output.WriteLine($"  {TextWidth.PadRight($"{ward.Descriptor.Name} ({ward.Descriptor.Code.Digits})", 38)} {ward.Host.BaseAddress,-26} {ward.Database.Describe()}");
            output.WriteLine($"  {"",-38} 住民 {counts.Residents:N0} 人, 世帯 {counts.Households:N0}, 転出 {counts.MovedOut:N0}, 個人番号未指定 {counts.ResidentsWithoutNumber:N0}");
            output.WriteLine($"  {TextWidth.PadRight("  職員用画面 (staff console)", 38)} {ward.ConsoleHost.BaseAddress + "login",-26} 職員ID: {string.Join(", ", ward.Staff.Select(s => s.Id.Value))}");
            output.WriteLine($"  {TextWidth.PadRight("  中間サーバー (intermediate server)", 38)} {ward.IntermediateHost.BaseAddress,-26} {ward.IntermediateDatabase.Describe()}");
        }
        foreach (var holder in Holders)
        {
            output.WriteLine($"  {TextWidth.PadRight($"{holder.Node.Name} ({holder.Node.InstitutionCode})", 38)} {holder.Node.BaseAddress,-26} {holder.Database.Describe()}");
            output.WriteLine($"  {TextWidth.PadRight("  中間サーバー (intermediate server)", 38)} {holder.IntermediateHost.BaseAddress,-26} {holder.IntermediateDatabase.Describe()}");
        }
        output.WriteLine($"  {TextWidth.PadRight($"{PortalName} (citizen portal)", 38)} {Portal.BaseAddress + "login",-26} カードのファイル: <data>/cards/<区>/（利用者証明用暗証番号 {DemoCards.UserPin}）");
        output.WriteLine();
        output.WriteLine("  デモ職員のパスワードとワンタイムパスワード: ./renkei demo staff --municipality 131091");
        output.WriteLine();
        output.WriteLine("  try: curl -s " + Wards[0].Host.BaseAddress + MunicipalityRoutes.Health);
    }

    public async ValueTask DisposeAsync()
    {
        await Portal.DisposeAsync();
        foreach (var holder in Holders) await holder.DisposeAsync();
        foreach (var ward in Wards) await ward.DisposeAsync();
        foreach (var connection in _wardJlis.Values) connection.Dispose();
        await _jlis.DisposeAsync();
        await Network.DisposeAsync();
    }
}

/// <summary>
/// One ward of the running demo: its register, its service, its operation log (shared by everything in this process that
/// records for the ward) and its demo staff. Changes go through the service as the demo's resident-register clerk.
/// </summary>
internal sealed class RunningWard(DemoWard descriptor, ResidentRegister register, Database database, ServiceHost host, OperationLog log,
    IReadOnlyList<DemoStaffAccount> staff, ServiceHost consoleHost, ServiceHost intermediateHost, Database intermediateDatabase, string institutionKeyDirectory)
    : IAsyncDisposable
{
    /// <summary>The demo clerk who registers the moves (住民記録係), acting in the resident-register affair.</summary>
    public const string ClerkId = "jumin01";
    public const string ClerkAffair = "resident-register";

    private readonly HttpClient _http = new() { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
    // The ward's business systems call its intermediate server as the ward: signed with the ward's institution key.
    private readonly InstitutionKeys _keys = InstitutionKeys.LoadOrCreate(institutionKeyDirectory);
    private IntermediateHttpClient? _intermediate;
    private string? _token;

    public DemoWard Descriptor { get; } = descriptor;
    public ResidentRegister Register { get; } = register;
    public Database Database { get; } = database;
    public ServiceHost Host { get; } = host;
    public OperationLog OperationLog { get; } = log;
    public IReadOnlyList<DemoStaffAccount> Staff { get; } = staff;

    /// <summary>The ward's staff console (web, Japanese).</summary>
    public ServiceHost ConsoleHost { get; } = consoleHost;

    /// <summary>The ward's intermediate server and its own database.</summary>
    public ServiceHost IntermediateHost { get; } = intermediateHost;
    public Database IntermediateDatabase { get; } = intermediateDatabase;
    public IntermediateHttpClient IntermediateClient =>
        LazyInitializer.EnsureInitialized(ref _intermediate, () => IntermediateHttpClient.Signed(IntermediateHost.BaseAddress, Descriptor.Code.Digits, _keys.Signing));

    /// <summary>Posts an event to the ward's own HTTP service as the demo clerk; a refusal stops the demo with the ward's reason.</summary>
    public async Task<JsonElement> PostAsync<T>(string route, T body, CancellationToken cancellationToken)
    {
        var token = _token ??= await LoginAsync(cancellationToken);
        return await SendAsync(HttpMethod.Post, route, body, token, cancellationToken);
    }

    /// <summary>
    /// Logs the demo clerk in (password and the authenticator's current code) and chooses the affair. A code is accepted
    /// once: if this step's code was spent already (another login in the same 30 seconds), the next step's code is used.
    /// </summary>
    private async Task<string> LoginAsync(CancellationToken cancellationToken)
    {
        var clerk = Staff.Single(a => a.Id.Value == ClerkId);
        var now = DateTimeOffset.UtcNow;
        JsonElement? session = null;
        foreach (var code in new[] { clerk.CodeAt(now), clerk.CodeAt(now.AddSeconds(Totp.StepSeconds)) })
        {
            using var response = await _http.PostAsJsonAsync(MunicipalityRoutes.StaffSessions,
                new StaffLoginRequest(ClerkId, clerk.Password, code), JsonDefaults.Options, cancellationToken);
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(JsonDefaults.Options, cancellationToken);
            if (response.IsSuccessStatusCode) { session = json; break; }
            if (json.GetProperty("code").GetString() != "second-factor-failed")
                throw new InvalidOperationException($"{Descriptor.Name}: the demo clerk could not log in: {json.GetProperty("detail").GetString()}");
        }
        var token = session?.GetProperty("token").GetString()
            ?? throw new InvalidOperationException($"{Descriptor.Name}: the demo clerk's one-time codes were refused");
        await SendAsync(HttpMethod.Post, MunicipalityRoutes.StaffSessionAffair, new AffairChoiceRequest(ClerkAffair), token, cancellationToken);
        return token;
    }

    /// <summary>Ends the demo clerk's session, if one was opened.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken)
    {
        if (_token is not { } token) return;
        _token = null;
        using var request = new HttpRequestMessage(HttpMethod.Delete, MunicipalityRoutes.StaffSessionCurrent);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request, cancellationToken);
    }

    private async Task<JsonElement> SendAsync<T>(HttpMethod method, string route, T body, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, route) { Content = JsonContent.Create(body, options: JsonDefaults.Options) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add(MunicipalityRoutes.TerminalHeader, "renkei-demo");
        using var response = await _http.SendAsync(request, cancellationToken);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(JsonDefaults.Options, cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{Descriptor.Name} refused {route}: {json.GetProperty("detail").GetString()}");
        return json;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        _intermediate?.Dispose();
        _keys.Dispose();
        await ConsoleHost.DisposeAsync();
        await IntermediateHost.DisposeAsync();
        await Host.DisposeAsync();
        await OperationLog.DisposeAsync();
    }
}
