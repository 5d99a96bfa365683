using Renkei.Country;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Holders;
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
using Renkei.TestSupport;
using Renkei.ServiceDefaults;

namespace Renkei.Municipality.Tests.Applications;

/// <summary>
/// The country the attachment workflows run in, a preset of the <see cref="TestCountry"/> on loopback HTTP with a database
/// per institution: the network (real service, shipped policy), J-LIS with its token routes, 品川区 (register numbered by
/// J-LIS, addressee system, business systems, operation log, its intermediate server as node), 大田区's intermediate server
/// (the previous ward, with copies of resident-record and local-tax), and 日本年金機構 (pension-benefit) and 東京デモ健康保険組合
/// (health-insurance-qualification) with their intermediate servers, each with copies keyed by its own addressee numbers.
/// Everyone has a token at every institution, acquired through J-LIS and the network.
/// </summary>
public sealed class ApplicationCountry : IAsyncDisposable
{
    public const string Pension = HolderInstitutions.PensionOrganisationCode;
    public const string Insurer = HolderInstitutions.DemoInsurerCode;
    public const int Residents = 8;
    public static readonly string Ota = TestData.Ota.Digits;

    private TestCountry _country = null!;
    private StaffFixture _staff = null!;
    private byte[] _clerkSecret = null!;
    private byte[] _otherSecret = null!;
    private StaffSession? _clerk;
    private StaffSession? _other;

    public NetworkNode Network => _country.Network;
    public ServiceHost Jlis => _country.Jlis;
    public ResidentRegister Register { get; private set; } = null!;
    public OperationLog Log { get; private set; } = null!;
    public AddresseeSystem Addressees { get; private set; } = null!;
    public MunicipalBusinessSystems Systems { get; private set; } = null!;
    public IntermediateHttpClient WardIntermediate { get; private set; } = null!;
    public Dictionary<string, IntermediateHttpClient> Providers { get; } = [];
    public AttachmentWorkflows Workflows { get; private set; } = null!;
    public Database WardDatabase => _country.Ward(TestData.Shinagawa).Database;

    public static async Task<ApplicationCountry> StartAsync(string provider)
    {
        var c = new ApplicationCountry();
        c._country = await TestCountry.StartAsync(provider, country => country.AddNetwork().AddJlis()
            .AddWard(TestData.Shinagawa, "品川区", ward => ward.Api.Enabled = false)
            .AddWard(TestData.Ota, "大田区", ward => ward.Api.Enabled = false)
            .AddHolder(HolderKind.PensionOrganisation)
            .AddHolder(HolderKind.HealthInsurer));
        try
        {
            // 品川区: register numbered by J-LIS, addressees, business systems, operation log.
            var ward = c._country.Ward(TestData.Shinagawa);
            c.Register = ward.Register;
            new RegisterImporter(c.Register).Import(TestData.Records(Residents));
            var numbering = new JlisHttpClient(c._country.JlisClientFor(TestData.Shinagawa));
            Assert.Equal(Residents, (await new NumberAssignmentJob(c.Register, numbering).RunAsync()).Assigned);
            c.Log = c._country.Own(OperationLog.Open(ward.Database, TestData.Shinagawa, c._country.Layout.MunicipalityAuditKeyFile(TestData.Shinagawa),
                new AuditLogOptions(CheckpointInterval: 1000)));
            c.Addressees = new AddresseeSystem(c.Register, c.Log, new AddresseeSystemOptions { Terminal = "TEST-01" });
            c.Addressees.SyncFromRegister();
            c.Systems = new MunicipalBusinessSystems(c.Addressees);

            // Every institution's own systems call its intermediate server as the institution, signed with its key.
            c.WardIntermediate = c._country.IntermediateClientOf(TestData.Shinagawa);
            c.Providers[Ota] = c._country.IntermediateClientOf(TestData.Ota);
            c.Providers[Pension] = c._country.IntermediateClientOf(Pension);
            c.Providers[Insurer] = c._country.IntermediateClientOf(Insurer);

            // Tokens: the ward in bulk, the other institutions one by one under their own addressee numbers.
            using (var clients = new WardTokenClients(TestData.Shinagawa, new WardTokenOptions(c.Jlis.BaseAddress, ward.Intermediate!.BaseAddress, ward.InstitutionKeyDirectory)))
                Assert.Equal(Residents, (await new TokenAcquisitionJob(c.Addressees, clients.Acquirer, new TokenAcquisitionOptions(100)).RunAsync()).Held);
            foreach (var code in c.Providers.Keys)
            {
                var keyDirectory = code == Ota ? c._country.Layout.MunicipalityInstitutionKeyDirectory(TestData.Ota) : c._country.Layout.HolderInstitutionKeyDirectory(code);
                using var keys = InstitutionKeys.LoadOrCreate(keyDirectory);
                using var http = SigningHandler.CreateClient(c.Jlis.BaseAddress, code, keys.Signing, JlisTokenRoutes.JlisInstitutionCode);
                var acquirer = new TokenAcquirer(code, new IntermediateTokenInbox(c.Providers[code], code, IntermediateTokenInbox.Job), new JlisHttpClient(http));
                for (var i = 0; i < Residents; i++)
                    Assert.True(await acquirer.AcquireAsync(Guid.NewGuid(), new TokenSubject(ProviderAddressee(i), c.Register.FindByCode(TestData.Code(i))!.IndividualNumber!.Value)));
            }

            c._staff = c._country.Own(new StaffFixture(provider));
            c._clerkSecret = c._staff.Create("renkei01", StaffRole.Clerk, "child-allowance", "nursing-care-insurance", "national-health-insurance",
                "child-rearing-allowance", "public-assistance", "ord-child-upbringing-allowance");
            c._otherSecret = c._staff.Create("koseki01", StaffRole.Clerk, "nursing-care-insurance");
            c.Workflows = new AttachmentWorkflows(new ApplicationStore(ward.Database), c.Addressees, TestData.Shinagawa, c.WardIntermediate,
                new IntraMunicipalLinkage(IntraMunicipalLinkagePolicy.LoadDefault(), c.Systems),
                new AttachmentWorkflowOptions
                {
                    PensionOrganisation = Pension, BatchPollInterval = TimeSpan.FromMilliseconds(50), Issuer = NoticeIssuer.For("品川区"),
                });
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

    /// <summary>The provision records the network keeps (read from its own log, as an auditor would).</summary>
    public IReadOnlyList<(long Sequence, System.Text.Json.JsonElement Payload)> NetworkRecords() =>
        new AuditLogStore(_country.Layout.NetworkDatabase(), "net_provision_records", null).ReadEntries().Select(e => (e.Sequence, System.Text.Json.JsonDocument.Parse(e.Payload).RootElement.Clone())).ToList();

    public ValueTask DisposeAsync() => _country.DisposeAsync();
}
