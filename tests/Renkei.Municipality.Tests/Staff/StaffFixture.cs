using Renkei.Core.Text;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tests.Service;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Staff;

/// <summary>A staff directory on a throw-away database, with its own TOTP key file and a fast (test-only) password hash.</summary>
internal sealed class StaffFixture : IDisposable
{
    public static readonly PasswordHashing Fast = PasswordHashing.InsecureForTestsAndDemos(1_000);
    public const string Password = "correct horse battery";

    /// <summary>09:00 JST on a day all default affairs are in force.</summary>
    public static readonly DateTimeOffset Morning = new(2024, 6, 3, 9, 0, 0, TimeSpan.FromHours(9));

    private readonly TestDatabase _database;
    private readonly TempDirectory _keys = new();

    public StaffFixture(string provider, AffairCatalogue? catalogue = null, PasswordHashing? hashing = null)
    {
        _database = TestDatabase.Create(provider);
        Catalogue = catalogue ?? AffairCatalogue.LoadDefault();
        Directory = NewDirectory(hashing);
    }

    public StaffDirectory Directory { get; }

    /// <summary>The clock the directories read lockouts with; logins in a test pass times from it.</summary>
    public ManualClock Clock { get; } = new(Morning);

    private OperationLog? _log;

    /// <summary>The ward's operation log on the same database (opened on first use).</summary>
    public OperationLog Log => _log ??= OperationLog.Open(_database.Database, TestData.Shinagawa, _keys.File("audit-signing.key"), clock: Clock);
    public AffairCatalogue Catalogue { get; }
    public Infrastructure.Database Database => _database.Database;
    public string KeyFile => _keys.File("totp.key");

    /// <summary>Another directory over the same database and key (a second server process, or a new setting).</summary>
    public StaffDirectory NewDirectory(PasswordHashing? hashing = null, string? keyFile = null) =>
        new(_database.Database, Catalogue, keyFile ?? KeyFile, new StaffDirectoryOptions { PasswordHashing = hashing ?? Fast, TotpIssuer = "Renkei 品川区", Clock = Clock });

    /// <summary>Creates a staff member and returns their TOTP secret.</summary>
    public byte[] Create(string id, StaffRole role = StaffRole.Clerk, params string[] affairs)
    {
        var enrolment = Directory.Create(new NewStaffMember(StaffId.Parse(id), "品川 太郎", role, affairs), Password);
        return Base32.Decode(enrolment.SecretBase32);
    }

    public static string Code(byte[] secret, DateTimeOffset at) => Totp.Code(secret, Totp.Step(at));

    /// <summary>Logs in with both factors right; fails the test otherwise.</summary>
    public StaffSession Login(string id, byte[] secret, DateTimeOffset at)
    {
        var result = Directory.Authenticate(id, Password, Code(secret, at), at);
        Assert.Equal(AuthenticationOutcome.Success, result.Outcome);
        return result.Session!;
    }

    public void Dispose()
    {
        _log?.Dispose();
        _database.Dispose();
        _keys.Dispose();
    }
}
