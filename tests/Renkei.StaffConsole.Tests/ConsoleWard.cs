using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;
using Renkei.Municipality.Contracts;

namespace Renkei.StaffConsole.Tests;

/// <summary>
/// One ward for console tests: a register seeded through <see cref="RegisterImporter"/>, numbers designated by the real
/// J-LIS over HTTP (<see cref="NumberAssignmentJob"/>), the demo staff, the operation log, and the console on Kestrel.
/// </summary>
public sealed class ConsoleWard : IAsyncDisposable
{
    public static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");

    /// <summary>09:00 JST on a Monday when every affair of the default catalogue is in force.</summary>
    public static readonly DateTimeOffset Start = new(2025, 6, 2, 9, 0, 0, TimeSpan.FromHours(9));

    private readonly TestDatabase _database;
    private readonly TempDirectory _keys;

    private ConsoleWard(TestDatabase database, TempDirectory keys, ManualClock clock, ResidentRegister register, StaffDirectory staff,
        OperationLog log, IReadOnlyList<DemoStaffAccount> accounts, ServiceHost console)
    {
        _database = database;
        _keys = keys;
        Clock = clock;
        Register = register;
        Staff = staff;
        Log = log;
        Accounts = accounts;
        Console = console;
        Residents = Seed().Select(r => register.FindByCode(r.ResidentCode)!).ToList();
    }

    public ManualClock Clock { get; }
    public ResidentRegister Register { get; }
    public StaffDirectory Staff { get; }
    public OperationLog Log { get; }
    public IReadOnlyList<DemoStaffAccount> Accounts { get; }
    public ServiceHost Console { get; }
    public Uri BaseAddress => Console.BaseAddress;
    public Database Database => _database.Database;

    /// <summary>Every seeded resident (all of them have numbers).</summary>
    public IReadOnlyList<Resident> Residents { get; }

    public Resident Resident(string familyName, string givenName) =>
        Residents.Single(r => r.Name.FamilyName == familyName && r.Name.GivenName == givenName);

    /// <summary>The ward's seal registrations (印鑑登録), dated by the ward's clock.</summary>
    public Renkei.Municipality.Seals.SealRegistry Seals() => new(Database, Clock);

    public DemoStaffAccount Account(string id) => Accounts.Single(a => a.Id.Value == id);

    /// <summary>The resident's integrated addressee number: how the operation log names the person.</summary>
    public long AddresseeOf(long residentId) =>
        new Renkei.Municipality.Addressee.AddresseeSystem(Register, Log).ForResident(residentId)!.Value.ToInt64();

    /// <summary>Moves the clock on a minute (past the last code's step) and returns the staff member's code for the new time.</summary>
    public string NextCode(DemoStaffAccount account)
    {
        Clock.Advance(TimeSpan.FromMinutes(1));
        return account.CodeAt(Clock.GetUtcNow());
    }

    /// <param name="services">more registrations for the console (e.g. a PIA inventory and shifted thresholds for this small register)</param>
    public static async Task<ConsoleWard> StartAsync(string provider, Action<IServiceCollection>? services = null)
    {
        var database = TestDatabase.Create(provider);
        var keys = new TempDirectory();
        var clock = new ManualClock(Start);
        try
        {
            var register = new ResidentRegister(database.Database, Shinagawa);
            var import = new RegisterImporter(register).Import(Seed());
            Assert.Equal(0, import.Rejected);
            using (var jlisDatabase = database.Sibling())
            {
                await using var jlis = await TestModules.StartJlisAsync(jlisDatabase.Database, new JlisOptions { KeyFilePath = keys.File("jlis-numbering.key") });
                using var http = JlisCallers.Client(jlis.BaseAddress, Shinagawa.Digits, keys.File("institution"), jlisDatabase.Database);
                var report = await new NumberAssignmentJob(register, new JlisHttpClient(http)).RunAsync();
                Assert.Equal(0, report.UnassignedCount);
            }

            var staff = new StaffDirectory(database.Database, AffairCatalogue.LoadDefault(), keys.File("staff-totp.key"),
                new StaffDirectoryOptions { PasswordHashing = PasswordHashing.InsecureForTestsAndDemos(1_000), TotpIssuer = "Renkei 品川区", Clock = clock });
            var accounts = DemoStaff.Seed(staff, Shinagawa);
            var log = OperationLog.Open(database.Database, Shinagawa, keys.File("audit-signing.key"), clock: clock);
            new Renkei.Municipality.Addressee.AddresseeSystem(register, log).SyncFromRegister();
            var settings = ServiceSettings.From(StaffConsoleOptions.Section, new StaffConsoleOptions { Municipality = Shinagawa.Digits, WardName = "品川区" });
            var console = await ServiceHost.StartAsync(StaffConsoleService.ServiceName, b =>
            {
                b.Services.AddSingleton(database.Database).AddSingleton(staff).AddSingleton(log).AddSingleton<TimeProvider>(clock);
                services?.Invoke(b.Services);
                b.AddStaffConsole();
            }, a => a.MapStaffConsole(), new ServiceHostOptions { Settings = settings });
            return new ConsoleWard(database, keys, clock, register, staff, log, accounts, console);
        }
        catch
        {
            database.Dispose();
            keys.Dispose();
            throw;
        }
    }

    private static IEnumerable<RegisterImportRecord> Seed()
    {
        const string Hiromachi = "東京都品川区広町二丁目1番36号";
        const string Oi = "東京都品川区大井一丁目14番1号";
        RegisterImportRecord Person(string household, long code, string family, string given, string familyKana, string givenKana, DateOnly birth,
            Sex sex, Relationship relationship, string address, bool foreign = false, string? nationality = null) =>
            new(household, ResidentCode.FromBody(3_000_000_000L + code * 7_919L), family, given, familyKana, givenKana, birth, sex, relationship,
                address, new DateOnly(2012, 4, 1), foreign, nationality, null);

        yield return Person("00000001", 1, "山田", "太郎", "ヤマダ", "タロウ", new DateOnly(1970, 1, 1), Sex.Male, Relationship.Head, Hiromachi);
        yield return Person("00000001", 2, "山田", "花子", "ヤマダ", "ハナコ", new DateOnly(1972, 3, 15), Sex.Female, Relationship.Wife, Hiromachi);
        yield return Person("00000001", 3, "山田", "一郎", "ヤマダ", "イチロウ", new DateOnly(2005, 7, 7), Sex.Male, Relationship.Child, Hiromachi);
        yield return Person("00000002", 4, "佐藤", "健", "サトウ", "ケン", new DateOnly(1960, 11, 3), Sex.Male, Relationship.Head, Oi);
        yield return Person("00000003", 5, "ブラウン", "アンナ", "ブラウン", "アンナ", new DateOnly(1990, 5, 1), Sex.Female, Relationship.Head, Oi,
            foreign: true, nationality: "カナダ");
    }

    public async ValueTask DisposeAsync()
    {
        await Console.DisposeAsync();
        await Log.DisposeAsync();
        _database.Dispose();
        _keys.Dispose();
    }
}
