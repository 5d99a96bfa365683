using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Tokens;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.IntraLinkage;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tests.Staff;
using Renkei.Municipality.Tokens;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.Tests.Applications;

/// <summary>
/// The country the attachment workflows run in, as the demo wires it, on loopback HTTP with a database per institution:
/// the network (real service, shipped policy), J-LIS with its token routes, 品川区 (register numbered by J-LIS, addressee
/// system, business systems, operation log, its intermediate server as node), 大田区's intermediate server (the previous
/// ward, with copies of resident-record and local-tax), and the intermediate servers of 日本年金機構 (pension-benefit) and
/// 東京デモ健康保険組合 (health-insurance-qualification), each with copies keyed by its own addressee numbers. Everyone has a
/// token at every institution, acquired through J-LIS and the network.
/// </summary>
public sealed class ApplicationCountry : IAsyncDisposable
{
    public const string Pension = "JPS001";
    public const string Insurer = "06139999";
    public const int Residents = 8;
    public static readonly string Ota = TestData.Ota.Digits;

    private readonly List<TestDatabase> _databases = [];
    private readonly TempDirectory _directory = new();
    private readonly List<IDisposable> _owned = [];
    private readonly List<IAsyncDisposable> _services = [];
    private StaffFixture _staff = null!;
    private byte[] _clerkSecret = null!;
    private byte[] _otherSecret = null!;
    private StaffSession? _clerk;
    private StaffSession? _other;

    public NetworkNode Network { get; private set; } = null!;
    public ServiceHost Jlis { get; private set; } = null!;
    public ResidentRegister Register { get; private set; } = null!;
    public OperationLog Log { get; private set; } = null!;
    public AddresseeSystem Addressees { get; private set; } = null!;
    public MunicipalBusinessSystems Systems { get; private set; } = null!;
    public IntermediateHttpClient WardIntermediate { get; private set; } = null!;
    public Dictionary<string, IntermediateHttpClient> Providers { get; } = [];
    public AttachmentWorkflows Workflows { get; private set; } = null!;
    public Database WardDatabase { get; private set; } = null!;

    public static async Task<ApplicationCountry> StartAsync(string provider)
    {
        var c = new ApplicationCountry();
        try
        {
            var wardDb = c.Own(TestDatabase.Create(provider));
            c.WardDatabase = wardDb.Database;
            var jlisKeys = c._directory.File("jlis-institution");
            using (var keys = InstitutionKeys.LoadOrCreate(jlisKeys))
            {
                c._networkDatabase = c.Own(wardDb.Sibling()).Database;
                c.Network = c.Service(await NetworkService.StartAsync(new NetworkServiceOptions(c._networkDatabase, c._directory.File("network"))
                {
                    Institutions = [new InstitutionInfo(JlisTokenRoutes.JlisInstitutionCode, "地方公共団体情報システム機構", InstitutionClass.NumberingAuthority, null,
                        keys.SigningPublicKey, keys.SealingPublicKey)],
                    ProviderTimeout = TimeSpan.FromSeconds(30), // a loaded test machine must not turn into "provider unavailable"
                }));
            }
            var jlisDatabase = c.Own(wardDb.Sibling()).Database;
            c.Jlis = c.Service(await JlisService.StartAsync(new JlisServiceOptions(jlisDatabase, c._directory.File("numbering.key"))
            {
                Tokens = new JlisTokenOptions(c.Network.BaseAddress, jlisKeys),
            }));

            // 品川区: register numbered by J-LIS, addressees, business systems, operation log.
            c.Register = new ResidentRegister(wardDb.Database, TestData.Shinagawa);
            new RegisterImporter(c.Register).Import(TestData.Records(Residents));
            var numbering = new JlisHttpClient(c.Own(JlisCallers.Client(c.Jlis.BaseAddress, TestData.Shinagawa.Digits, c._directory.File("institution-" + TestData.Shinagawa.Digits),
                jlisDatabase)));
            Assert.Equal(Residents, (await new NumberAssignmentJob(c.Register, numbering).RunAsync()).Assigned);
            c.Log = OperationLog.Open(wardDb.Database, TestData.Shinagawa, c._directory.File("audit.key"), new AuditLogOptions(CheckpointInterval: 1000));
            c.Addressees = new AddresseeSystem(c.Register, c.Log, new AddresseeSystemOptions { Terminal = "TEST-01" });
            c.Addressees.SyncFromRegister();
            c.Systems = new MunicipalBusinessSystems(c.Addressees);

            // Every institution's node, registered at the network with its class.
            c.WardIntermediate = await c.StartNodeAsync(provider, TestData.Shinagawa.Digits, "品川区", InstitutionClass.Municipality);
            c.Providers[Ota] = await c.StartNodeAsync(provider, Ota, "大田区", InstitutionClass.Municipality);
            c.Providers[Pension] = await c.StartNodeAsync(provider, Pension, "日本年金機構", InstitutionClass.PensionOrganisation);
            c.Providers[Insurer] = await c.StartNodeAsync(provider, Insurer, "東京デモ健康保険組合", InstitutionClass.HealthInsurer);

            // Tokens: the ward in bulk, the other institutions one by one under their own addressee numbers.
            using (var ward = new WardTokenClients(TestData.Shinagawa, new WardTokenOptions(c.Jlis.BaseAddress, c.NodeAddress(TestData.Shinagawa.Digits), c.KeyDirectory(TestData.Shinagawa.Digits))))
                Assert.Equal(Residents, (await new TokenAcquisitionJob(c.Addressees, ward.Acquirer, new TokenAcquisitionOptions(100)).RunAsync()).Held);
            foreach (var code in c.Providers.Keys)
            {
                using var keys = InstitutionKeys.LoadOrCreate(c.KeyDirectory(code));
                using var http = SigningHandler.CreateClient(c.Jlis.BaseAddress, code, keys.Signing, JlisTokenRoutes.JlisInstitutionCode);
                var acquirer = new TokenAcquirer(code, new IntermediateTokenInbox(c.Providers[code], code, IntermediateTokenInbox.Job), new JlisHttpClient(http));
                for (var i = 0; i < Residents; i++)
                    Assert.True(await acquirer.AcquireAsync(Guid.NewGuid(), new TokenSubject(ProviderAddressee(i), c.Register.FindByCode(TestData.Code(i))!.IndividualNumber!.Value)));
            }

            c._staff = new StaffFixture(provider);
            c._clerkSecret = c._staff.Create("renkei01", StaffRole.Clerk, "child-allowance", "nursing-care-insurance", "national-health-insurance",
                "child-rearing-allowance", "public-assistance", "ord-child-upbringing-allowance");
            c._otherSecret = c._staff.Create("koseki01", StaffRole.Clerk, "nursing-care-insurance");
            c.Workflows = new AttachmentWorkflows(new ApplicationStore(wardDb.Database), c.Addressees, TestData.Shinagawa, c.WardIntermediate,
                new IntraMunicipalLinkage(IntraMunicipalLinkagePolicy.LoadDefault(), c.Systems),
                new AttachmentWorkflowOptions { PensionOrganisation = Pension, BatchPollInterval = TimeSpan.FromMilliseconds(50) });
            return c;
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }
    }

    /// <summary>The addressee number the other institutions know resident <paramref name="index"/> by (their own, not the ward's).</summary>
    public static long ProviderAddressee(int index) => 700_000 + index;

    public IntegratedAddresseeNumber AddresseeOf(int index) => Addressees.ForResident(Register.FindByCode(TestData.Code(index))!.Id)!.Value;

    /// <summary>The clerk with every workflow's affair, acting in <paramref name="affair"/>.</summary>
    public StaffSession Clerk(string affair) =>
        (_clerk ??= _staff.Login("renkei01", _clerkSecret, StaffFixture.Morning)).ChooseAffair(affair);

    /// <summary>A clerk of nursing-care insurance only.</summary>
    public StaffSession NursingClerk() => (_other ??= _staff.Login("koseki01", _otherSecret, StaffFixture.Morning)).ChooseAffair("nursing-care-insurance");

    /// <summary>Loads copies into a provider's intermediate server (as its own systems' feed would), by resident index.</summary>
    public async Task LoadAsync(string provider, params (int Index, string Kind, object Body)[] copies)
    {
        var response = await Providers[provider].LoadBatchAsync(new LoadBatchRequest(Guid.NewGuid(), provider,
            copies.Select(c => new CopyUpdate(ProviderAddressee(c.Index), c.Kind, new DateOnly(2026, 1, 1), 1, CopyBodies.ToJson(c.Body))).ToList(), IntermediateHttpFeed.Job));
        Assert.Equal(copies.Length, response.Stored);
    }

    public void SeedWardTax(int index, long income, int dependants)
    {
        var assessment = ResidenceTaxRules.Assess(2026, new ResidenceTaxInput(income, income / 7, false, dependants, 0, 0));
        Systems.ResidenceTax.Import([new TaxpayerRecord(AddresseeOf(index), new DateOnly(2020, 1, 1), [assessment])]);
    }

    public IReadOnlyList<OperationLogRecord> Entries() => Log.Read().ToList();

    private Database _networkDatabase = null!;

    /// <summary>The provision records the network keeps (read from its own log, as an auditor would).</summary>
    public IReadOnlyList<(long Sequence, System.Text.Json.JsonElement Payload)> NetworkRecords() =>
        new AuditLogStore(_networkDatabase, "net_provision_records", null).ReadEntries().Select(e => (e.Sequence, System.Text.Json.JsonDocument.Parse(e.Payload).RootElement.Clone())).ToList();

    private readonly Dictionary<string, (ServiceHost Host, string Keys)> _nodes = [];

    private Uri NodeAddress(string code) => _nodes[code].Host.BaseAddress;
    private string KeyDirectory(string code) => _nodes[code].Keys;

    private async Task<IntermediateHttpClient> StartNodeAsync(string provider, string code, string name, InstitutionClass kind)
    {
        var keys = _directory.File("institution-" + code); // the ward's is also registered at J-LIS (it numbered its residents)
        var host = Service(await IntermediateService.StartAsync(new IntermediateServiceOptions(Own(TestDatabase.Create(provider)).Database, code, name)
        {
            InstitutionKeyDirectory = keys,
            NetworkAddress = Network.BaseAddress,
            NetworkSigningPublicKey = Network.SigningPublicKey,
        }));
        _nodes[code] = (host, keys);
        using (var k = InstitutionKeys.LoadOrCreate(keys))
            Network.Registry.Upsert(new InstitutionInfo(code, name, kind, host.BaseAddress, k.SigningPublicKey, k.SealingPublicKey));
        // The institution's own systems call its intermediate server as the institution, signed with its key.
        var own = Own(InstitutionKeys.LoadOrCreate(keys));
        return Own(IntermediateHttpClient.Signed(host.BaseAddress, code, own.Signing));
    }

    private T Service<T>(T service) where T : IAsyncDisposable
    {
        _services.Add(service);
        return service;
    }

    private TestDatabase Own(TestDatabase database)
    {
        _databases.Add(database);
        return database;
    }

    private T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned) owned.Dispose();
        for (var i = _services.Count - 1; i >= 0; i--) await _services[i].DisposeAsync();
        if (Log is not null) await Log.DisposeAsync();
        _staff?.Dispose();
        foreach (var database in _databases) database.Dispose();
        _directory.Dispose();
    }
}
