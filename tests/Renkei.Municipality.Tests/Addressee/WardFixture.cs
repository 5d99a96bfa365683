using Renkei.Infrastructure.Audit;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tests.Staff;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Addressee;

/// <summary>
/// A ward on a throw-away database: a register of <c>residents</c> test residents with numbers from the fake J-LIS, its
/// operation log, the addressee system synced, the business systems, and staff who can log in.
/// </summary>
internal sealed class WardFixture : IDisposable
{
    /// <summary>A working day when every default affair and linkage row is in force.</summary>
    public static readonly DateOnly Today = new(2024, 6, 3);

    private readonly TestDatabase _database;
    private readonly TempDirectory _keys = new();
    private readonly StaffFixture _staff;

    public WardFixture(string provider, int residents = 40, BusinessRetentionOptions? retention = null)
    {
        _database = TestDatabase.Create(provider);
        Register = new ResidentRegister(_database.Database, TestData.Shinagawa);
        new RegisterImporter(Register).Import(TestData.Records(residents));
        new NumberAssignmentJob(Register, new FakeJlis()).RunAsync().GetAwaiter().GetResult();
        Log = OperationLog.Open(_database.Database, TestData.Shinagawa, _keys.File("keys/audit.key"), new AuditLogOptions(CheckpointInterval: 1000));
        Addressee = new AddresseeSystem(Register, Log, new AddresseeSystemOptions { Terminal = "TEST-01" });
        Addressee.SyncFromRegister();
        Systems = new MunicipalBusinessSystems(Addressee, retention);
        _staff = new StaffFixture(provider);
        ChildClerkSecret = _staff.Create("kodomo01", StaffRole.Clerk, "child-allowance", "ord-child-upbringing-allowance", "library");
        AuditorSecret = _staff.Create("kansa01", StaffRole.Auditor, "child-allowance");
    }

    public Infrastructure.Database Database => _database.Database;
    public ResidentRegister Register { get; }
    public OperationLog Log { get; }
    public AddresseeSystem Addressee { get; }
    public MunicipalBusinessSystems Systems { get; }
    private byte[] ChildClerkSecret { get; }
    private byte[] AuditorSecret { get; }

    /// <summary>The child-allowance clerk, logged in, acting in <paramref name="affair"/> (or none).</summary>
    public StaffSession Clerk(string? affair = "child-allowance")
    {
        // One login per fixture: a TOTP code is accepted once.
        _clerk ??= _staff.Login("kodomo01", ChildClerkSecret, StaffFixture.Morning);
        return affair is null ? _clerk.LeaveAffair() : _clerk.ChooseAffair(affair);
    }

    public StaffSession Auditor() => (_auditor ??= _staff.Login("kansa01", AuditorSecret, StaffFixture.Morning)).ChooseAffair("child-allowance");

    private StaffSession? _clerk;
    private StaffSession? _auditor;

    public Resident Resident(int index) => Register.FindByCode(TestData.Code(index))!;

    public IntegratedAddresseeNumber AddresseeOf(int index) => Addressee.ForResident(Resident(index).Id)!.Value;

    public IReadOnlyList<OperationLogRecord> Entries() => Log.Read().ToList();

    public void Dispose()
    {
        Log.Dispose();
        _staff.Dispose();
        _database.Dispose();
        _keys.Dispose();
    }
}
