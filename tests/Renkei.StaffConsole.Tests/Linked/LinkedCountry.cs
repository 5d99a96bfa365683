using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Country;
using Renkei.Holders;
using Renkei.Infrastructure;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Tokens;
using Renkei.Network;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;
using Renkei.Municipality.Contracts;
using Renkei.Holders.Contracts;

namespace Renkei.StaffConsole.Tests.Linked;

/// <summary>
/// A small country for the attachment-omission workflows, a preset of the <see cref="TestCountry"/>, every institution with its own
/// database and keys on loopback HTTP: the network (情報提供ネットワークシステム), J-LIS with its token routes, 大田区 (the
/// previous ward, with its residence tax copied to its intermediate server), 品川区 (the ward at the counter: register,
/// business systems, intermediate server, staff and the console on Kestrel), 日本年金機構 and the demo 健康保険組合 with
/// their intermediate servers. Everyone holds tokens. Every body the network receives is kept, to be scanned for numbers.
/// <para>The people, one per workflow (all fictional; LinkedCountry.People.cs registers them):</para>
/// <list type="bullet">
/// <item>鈴木 family (4, two children) lived in 大田区 on 1 January and arrived in 品川区 after it → 児童手当 認定請求.</item>
/// <item>高橋 正雄 (68) likewise arrived from 大田区 → 介護保険 第1号被保険者 premium stage.</item>
/// <item>佐藤 健 lost his employee health insurance on retiring → 国民健康保険 資格取得.</item>
/// <item>伊藤 美香 (single mother, survivor's pension) and her son → 児童扶養手当 and 品川区児童育成手当.</item>
/// <item>木村 次郎 → 生活保護 investigation (several kinds at once).</item>
/// </list>
/// </summary>
public sealed partial class LinkedCountry : IAsyncDisposable, IMessageTap
{
    public static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");
    public static readonly LocalGovernmentCode Ota = LocalGovernmentCode.ParseOrThrow("131113");

    private readonly TestCountry _country;
    private readonly List<DemoStaffAccount> _accounts = [];

    private LinkedCountry(string provider, bool pki)
    {
        _country = TestCountry.Declare(provider, country => country
            .AddNetwork(network => network.With<IMessageTap>(this))
            .AddJlis(jlis =>
            {
                if (!pki) return;
                jlis.JpkiPassphrase = "linked-country jpki passphrase";
                jlis.Settings["Jlis:Pki:KeyFileIterations"] = Renkei.Jlis.Pki.JpkiOptions.MinimumKeyFileIterations.ToString(System.Globalization.CultureInfo.InvariantCulture);
            })
            .AddWard(Ota, "大田区", ward => ward.Api.Enabled = false)
            .AddWard(Shinagawa, "品川区", ward =>
            {
                ward.Api.Enabled = false;
                (ward.Console.Enabled, ward.StaffOptions) = (true, TestCountry.StaffOptions with { TotpIssuer = "Renkei 品川区" });
                ward.Console.With<TimeProvider>(Clock);
                ward.SeedStaff = SeedStaff;
            })
            .AddHolder(HolderKind.PensionOrganisation)
            .AddHolder(HolderKind.HealthInsurer));
    }

    public string Provider => _country.Provider;

    /// <summary>
    /// The day at the counter: the console decides number use, linkage policy and decisions for it, whatever the real date,
    /// so the policy rows in force (e.g. none yet for 品川区児童育成手当's resident-record row, which starts 2027-04-01) do not
    /// change under the tests. The other services keep the real clock (signatures, provision records).
    /// </summary>
    public static readonly DateOnly CounterDay = new(2026, 6, 1);

    /// <summary>The console's clock, from 09:00 JST on <see cref="CounterDay"/>; each login moves it past the last one-time code's step.</summary>
    public ManualClock Clock { get; } = new(new DateTimeOffset(CounterDay.ToDateTime(new TimeOnly(9, 0)), TimeSpan.FromHours(9)));

    public DateOnly Today => CounterDay;

    /// <summary>The day the families arrived in 品川区 from 大田区 (after 1 January: 大田区 assessed this year's tax).</summary>
    public static readonly DateOnly ArrivalDate = new(2026, 4, 1);

    public NetworkNode Network => _country.Network;
    /// <summary>The network's own database (for reading what it stores, as an auditor would).</summary>
    public Database NetworkDatabase => _country.Layout.NetworkDatabase();

    /// <summary>The provision records (情報提供等記録) the network keeps, read from its own log as an auditor would.</summary>
    public IReadOnlyDictionary<long, System.Text.Json.JsonElement> NetworkRecords()
    {
        using var store = new Renkei.Infrastructure.Audit.AuditLogStore(NetworkDatabase, "net_provision_records", null);
        return store.ReadEntries().ToDictionary(e => e.Sequence, e => System.Text.Json.JsonDocument.Parse(e.Payload).RootElement.Clone());
    }

    /// <summary>The intermediate server of a provider the ward asks (大田区, 日本年金機構 or the insurer).</summary>
    public IntermediateHttpClient IntermediateOf(string provider) => provider switch
    {
        "131113" => OtaWard.Intermediate,
        "131091" => ShinagawaWard.Intermediate,
        HolderInstitutions.PensionOrganisationCode => PensionIntermediate,
        HolderInstitutions.DemoInsurerCode => InsurerIntermediate,
        _ => throw new ArgumentException("not an institution of the linked country", nameof(provider)),
    };
    public ServiceHost Jlis => _country.Jlis;

    /// <summary>A file or folder path in the country's temporary directory.</summary>
    public string TempPath(string name) => _country.Directory.File(name);

    /// <summary>The institution key directory of a ward (J-LIS and the network know the ward by it).</summary>
    public string WardKeyDirectory(LocalGovernmentCode code) => _country.Layout.MunicipalityInstitutionKeyDirectory(code);

    /// <summary>An HTTP client to J-LIS signing as <paramref name="ward"/> (the country disposes it).</summary>
    public HttpClient JlisHttpFor(LocalGovernmentCode ward) => _country.JlisClientFor(ward);

    /// <summary>J-LIS's numbering as <paramref name="ward"/> asks it.</summary>
    public JlisHttpClient NumberingFor(LocalGovernmentCode ward) => new(JlisHttpFor(ward));

    public LinkedWard ShinagawaWard { get; private set; } = null!;
    public LinkedWard OtaWard { get; private set; } = null!;
    public HolderNode Pension => _country.Holder(HolderInstitutions.PensionOrganisationCode).Node;
    public HolderNode Insurer => _country.Holder(HolderInstitutions.DemoInsurerCode).Node;
    public IntermediateHttpClient PensionIntermediate { get; private set; } = null!;
    public IntermediateHttpClient InsurerIntermediate { get; private set; } = null!;

    public StaffDirectory Staff => _country.Ward(Shinagawa).Staff!;
    public IReadOnlyList<DemoStaffAccount> Accounts => _accounts;
    public ServiceHost Console => _country.Ward(Shinagawa).Console!;
    public Uri BaseAddress => Console.BaseAddress;

    public DemoStaffAccount Account(string id) => Accounts.Single(a => a.Id.Value == id);

    /// <summary>A 品川区 resident by name.</summary>
    public Resident Resident(string familyName, string givenName) =>
        ShinagawaWard.Register.Search(new ResidentSearch(familyName + "　" + givenName, null, null, false, 10)).Select(s => ShinagawaWard.Register.Find(s.ResidentId)!)
            .Single(r => r.Name.FamilyName == familyName && r.Name.GivenName == givenName);

    /// <summary>The 品川区 resident's integrated addressee number.</summary>
    public IntegratedAddresseeNumber AddresseeOf(long residentId) => ShinagawaWard.Addressees.ForResident(residentId)!.Value;

    /// <summary>Every body the network received (requests and the nodes' answers).</summary>
    public ConcurrentQueue<string> NetworkReceived { get; } = new();

    void IMessageTap.Received(string route, string? institution, ReadOnlySpan<byte> body) => NetworkReceived.Enqueue(Encoding.UTF8.GetString(body));

    /// <summary>Moves the console's clock on a minute and returns the staff member's code for the new time.</summary>
    public string NextCode(DemoStaffAccount account)
    {
        Clock.Advance(TimeSpan.FromMinutes(1));
        return account.CodeAt(Clock.GetUtcNow());
    }

    /// <summary>Every individual number either ward's register has recorded (to scan pages and network bodies for).</summary>
    public IReadOnlyList<string> AllNumbers()
    {
        var numbers = new List<string>();
        foreach (var ward in new[] { ShinagawaWard, OtaWard })
        {
            using var connection = ward.Database.Open();
            using var command = connection.Command("SELECT individual_number FROM resident_numbers");
            using var reader = command.ExecuteReader();
            while (reader.Read()) numbers.Add(IndividualNumber.FromInt64(reader.GetInt64(0)).Digits);
        }
        return numbers;
    }

    /// <param name="pki">J-LIS also runs its JPKI authorities and card service (for software cards and signatures).</param>
    public static async Task<LinkedCountry> StartAsync(string provider, bool pki = false)
    {
        var country = new LinkedCountry(provider, pki);
        await country._country.StartAsync();
        try
        {
            country.OtaWard = country.Linked(Ota);
            country.ShinagawaWard = country.Linked(Shinagawa);
            country.PensionIntermediate = country._country.IntermediateClientOf(HolderInstitutions.PensionOrganisationCode);
            country.InsurerIntermediate = country._country.IntermediateClientOf(HolderInstitutions.DemoInsurerCode);
            await country.SeedAsync();
            return country;
        }
        catch
        {
            await country.DisposeAsync();
            throw;
        }
    }

    /// <summary>The ward's register, addressee system and business systems over its database; 大田区 (no API or console) opens its own operation log.</summary>
    private LinkedWard Linked(LocalGovernmentCode code)
    {
        var ward = _country.Ward(code);
        var log = ward.OperationLog ?? _country.Own(OperationLog.Open(ward.Database, code, _country.Layout.MunicipalityAuditKeyFile(code)));
        var addressees = new AddresseeSystem(ward.Register, log, new AddresseeSystemOptions { Terminal = "test-seed" });
        return new LinkedWard(code, ward.Name, ward.Database, ward.Register, log, addressees, new MunicipalBusinessSystems(addressees), ward.Intermediate!,
            ward.IntermediateDatabase!, _country.IntermediateClientOf(code), new WardTokenOptions(Jlis.BaseAddress, ward.Intermediate!.BaseAddress, ward.InstitutionKeyDirectory));
    }

    /// <summary>The demo staff (the roster has a national-health-insurance clerk and a public-assistance caseworker).</summary>
    private void SeedStaff(StaffDirectory staff) => _accounts.AddRange(DemoStaff.Seed(staff, Shinagawa));

    public ValueTask DisposeAsync() => _country.DisposeAsync();
}

/// <summary>One ward of the linked country: its register, addressee system, business systems and intermediate server.</summary>
public sealed record LinkedWard(LocalGovernmentCode Code, string Name, Database Database, ResidentRegister Register, OperationLog Log,
    AddresseeSystem Addressees, MunicipalBusinessSystems Business, ServiceHost IntermediateHost, Database IntermediateDatabase,
    IntermediateHttpClient Intermediate, WardTokenOptions TokenOptions);
