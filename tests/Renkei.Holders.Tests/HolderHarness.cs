using Microsoft.Extensions.DependencyInjection;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Holders.Demo;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.TestSupport;
using Renkei.ServiceDefaults;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Tests;

/// <summary>
/// One holder as it runs: its own database and keys, its staff API on Kestrel, and its own intermediate server (the real
/// one, on its own database) on another loopback port; the holder feeds it over HTTP.
/// </summary>
public sealed class HolderHarness : IAsyncDisposable
{
    private HolderHarness(HolderKind kind, TestDatabase holderDatabase, TestDatabase intermediateDatabase, TempDirectory keys,
        ServiceHost intermediate, HolderNode node)
    {
        Kind = kind;
        HolderDatabase = holderDatabase;
        IntermediateDatabase = intermediateDatabase;
        Keys = keys;
        Intermediate = intermediate;
        Node = node;
        // The holder's own systems call its intermediate server as the holder, signed with its institution key.
        _institutionKeys = InstitutionKeys.LoadOrCreate(InstitutionKeyDirectory(keys));
        IntermediateHttp = SigningHandler.CreateClient(intermediate.BaseAddress, node.InstitutionCode, _institutionKeys.Signing, node.InstitutionCode);
        IntermediateClient = new IntermediateHttpClient(IntermediateHttp);
        Staff = node.CreateStaffClient();
    }

    private readonly InstitutionKeys _institutionKeys;

    /// <summary>The holder's institution key directory (as <see cref="HolderOptions.InstitutionKeyDirectory"/> names it).</summary>
    private static string InstitutionKeyDirectory(TempDirectory keys) => Path.Combine(keys.Path, "institution");

    public HolderKind Kind { get; }
    public TestDatabase HolderDatabase { get; }
    public TestDatabase IntermediateDatabase { get; }
    public TempDirectory Keys { get; }
    public ServiceHost Intermediate { get; }
    public HolderNode Node { get; }
    public HttpClient IntermediateHttp { get; }
    public IntermediateHttpClient IntermediateClient { get; }
    public HolderStaffClient Staff { get; }

    public string Code => Node.InstitutionCode;
    public string InformationKind => Node.Records.InformationKind;

    public static string CodeOf(HolderKind kind) =>
        kind == HolderKind.PensionOrganisation ? HolderInstitutions.PensionOrganisationCode : HolderInstitutions.DemoInsurerCode;

    public static string NameOf(HolderKind kind) =>
        kind == HolderKind.PensionOrganisation ? HolderInstitutions.PensionOrganisationName : HolderInstitutions.DemoInsurerName;

    public static async Task<HolderHarness> StartAsync(string provider, HolderKind kind)
    {
        var holderDatabase = TestDatabase.Create(provider);
        var intermediateDatabase = holderDatabase.Sibling();
        var keys = new TempDirectory();
        ServiceHost? intermediate = null;
        try
        {
            intermediate = await TestModules.StartIntermediateAsync(intermediateDatabase.Database,
                new IntermediateOptions { HolderCode = CodeOf(kind), HolderName = NameOf(kind), InstitutionKeyDirectory = InstitutionKeyDirectory(keys) });
            var options = new HolderOptions
            {
                Kind = kind, InstitutionCode = CodeOf(kind), Name = NameOf(kind), KeyDirectory = keys.Path, IntermediateAddress = intermediate.BaseAddress,
            };
            var node = new HolderNode(await TestModules.StartAsync("holder-" + CodeOf(kind), HolderOptions.Section, options,
                s => s.AddSingleton(holderDatabase.Database), b => b.AddHolder(), a => a.MapHolderApi()));
            return new HolderHarness(kind, holderDatabase, intermediateDatabase, keys, intermediate, node);
        }
        catch
        {
            if (intermediate is not null) await intermediate.DisposeAsync();
            keys.Dispose();
            intermediateDatabase.Dispose();
            holderDatabase.Dispose();
            throw;
        }
    }

    /// <summary>The intermediate server's current copy for the person (by the holder's person ID, as the holder keys it).</summary>
    public Task<ProvisionResponse> ProvideAsync(long personId, DateOnly? asOf = null) =>
        IntermediateClient.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Code, personId, null, InformationKind, asOf, Actor.System("holders-test", "copy-registration")));

    public async ValueTask DisposeAsync()
    {
        Staff.Dispose();
        IntermediateHttp.Dispose();
        _institutionKeys.Dispose();
        await Node.DisposeAsync();
        await Intermediate.DisposeAsync();
        Keys.Dispose();
        IntermediateDatabase.Dispose();
        HolderDatabase.Dispose();
    }

    /// <summary>Distinct valid individual numbers from a seeded generator.</summary>
    public static List<IndividualNumber> Numbers(int count, int seed)
    {
        var random = new Random(seed);
        var seen = new HashSet<long>();
        var numbers = new List<IndividualNumber>(count);
        while (numbers.Count < count)
        {
            var number = IndividualNumber.FromBody(random.NextInt64(1, IndividualNumber.BodyCount));
            if (seen.Add(number.ToInt64())) numbers.Add(number);
        }
        return numbers;
    }

    /// <summary>Demo people in households of one to five, born 1930–2025, as the wards would pass them.</summary>
    public static List<HolderDemoPerson> DemoPeople(int count, int seed)
    {
        var random = new Random(seed);
        var numbers = Numbers(count, seed + 1);
        var people = new List<HolderDemoPerson>(count);
        var household = 0;
        while (people.Count < count)
        {
            household++;
            var size = Math.Min(random.Next(1, 6), count - people.Count);
            var headBirth = new DateOnly(1935, 1, 1).AddDays(random.Next(0, 60 * 365));
            for (var m = 0; m < size; m++)
            {
                var birth = m switch
                {
                    0 => headBirth,
                    1 => headBirth.AddDays(random.Next(-1500, 1500)),
                    _ => headBirth.AddYears(random.Next(22, 40)).AddDays(random.Next(0, 365)),
                };
                if (birth > new DateOnly(2026, 6, 1)) birth = new DateOnly(2026, 6, 1).AddDays(-random.Next(1, 3000));
                people.Add(new HolderDemoPerson(numbers[people.Count], birth, random.Next(2) == 0 ? Sex.Male : Sex.Female,
                    (ulong)random.NextInt64(), "H" + household.ToString("D6")));
            }
        }
        return people;
    }
}
