using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Tokens;
using Renkei.Network;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Holders.Tests;

/// <summary>
/// Token acquisition (符号取得) for the pension organisation's people, end to end with the real services: the holder
/// registers the request at its intermediate server, asks J-LIS with the number (signed with its institution key), J-LIS
/// hands the resident-record code to the network, and the network delivers the token to the holder's intermediate server.
/// </summary>
public sealed class TokenAcquisitionTests
{
    private const string Code = HolderInstitutions.PensionOrganisationCode;
    private const string Name = HolderInstitutions.PensionOrganisationName;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_holders_people_get_tokens_at_its_intermediate_server_once_and_a_superseded_number_is_refused_by_person_id(string provider)
    {
        using var directory = new TempDirectory();
        using var networkDatabase = TestDatabase.Create(provider);
        using var jlisDatabase = networkDatabase.Sibling();
        using var intermediateDatabase = networkDatabase.Sibling();
        using var holderDatabase = networkDatabase.Sibling();
        var holderKeys = directory.File("holder-keys");
        var jlisKeyDirectory = directory.File("jlis-institution");
        using var jlisKeys = InstitutionKeys.LoadOrCreate(jlisKeyDirectory);
        using var institutionKeys = InstitutionKeys.LoadOrCreate(Path.Combine(holderKeys, "institution"));

        await using var network = await NetworkService.StartAsync(new NetworkServiceOptions(networkDatabase.Database, directory.File("network-keys"))
        {
            Institutions = [new InstitutionInfo(JlisTokenRoutes.JlisInstitutionCode, "地方公共団体情報システム機構", InstitutionClass.NumberingAuthority, null,
                jlisKeys.SigningPublicKey, jlisKeys.SealingPublicKey)],
        });
        await using var jlis = await JlisService.StartAsync(new JlisServiceOptions(jlisDatabase.Database, directory.File("numbering.key"))
        {
            Tokens = new JlisTokenOptions(network.BaseAddress, jlisKeyDirectory),
        });
        await using var intermediate = await IntermediateService.StartAsync(new IntermediateServiceOptions(intermediateDatabase.Database, Code, Name)
        {
            InstitutionKeyDirectory = Path.Combine(holderKeys, "institution"),
            NetworkAddress = network.BaseAddress,
            NetworkSigningPublicKey = network.SigningPublicKey,
        });
        await using var holder = await HolderService.StartAsync(new HolderServiceOptions(HolderKind.PensionOrganisation, Code, Name,
            holderDatabase.Database, holderKeys, intermediate.BaseAddress) { JlisAddress = jlis.BaseAddress });
        // The holder and its intermediate server share the institution's keys; the network registers the intermediate server as its endpoint.
        Assert.Equal(institutionKeys.SigningPublicKey, holder.Registration.SigningPublicKey);
        Assert.Equal(InstitutionClass.PensionOrganisation, holder.Registration.Class);
        network.Registry.Upsert(holder.Registration);

        // A ward's residents, numbered by J-LIS.
        using var jlisHttp = new HttpClient { BaseAddress = jlis.BaseAddress };
        var numbering = new JlisHttpClient(jlisHttp);
        var ward = LocalGovernmentCode.ParseOrThrow("131091");
        var codes = Enumerable.Range(1, 30).Select(i => ResidentCode.FromBody(3_100_000_000L + i * 104_729L)).ToList();
        var assignments = (await numbering.RequestBatchAsync(new NumberingBatchRequest(Guid.NewGuid(), ward, codes))).Assignments;
        Assert.Equal(30, assignments.Count);
        var numbers = assignments.Select(a => a.IndividualNumber).ToList();

        // The first person comes through the staff API: a person new to the holder gets a token right away.
        using var staff = holder.CreateStaffClient();
        var first = await staff.RecordPensionAsync(Record(numbers[0], 0));
        Assert.True(first.Created);
        Assert.True((await staff.LookupAsync(new PersonLookupRequest(numbers[0]))).TokenAcquired);

        // The others are recorded in bulk; one of them has since had the number changed (the old one is superseded).
        for (var i = 1; i < numbers.Count; i++) holder.Records.RecordPension(Record(numbers[i], i));
        await numbering.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), ward, assignments[29].ResidentCode, NumberChangeReason.HolderRequest));

        var report = await staff.AcquireTokensAsync(new TokenAcquisitionRequest(BatchSize: 10));
        Assert.Equal(29, report.Requested);
        Assert.Equal(28, report.Delivered);
        var refused = Assert.Single(report.Refused);
        Assert.Equal(holder.Records.Find(numbers[29])!.PersonId, refused.PersonId);
        Assert.Equal(TokenRefusalCodes.NumberSuperseded, refused.Code);
        var text = JsonSerializer.Serialize(report, JsonDefaults.Options);
        Assert.DoesNotContain(numbers, n => text.Contains(n.Digits, StringComparison.Ordinal));

        using var intermediateHttp = new HttpClient { BaseAddress = intermediate.BaseAddress };
        var status = await new IntermediateHttpClient(intermediateHttp).TokenStatusAsync(new TokenStatusRequest(Code,
            numbers.Select(n => holder.Records.Find(n)!.PersonId).ToList()));
        Assert.Equal(29, status.WithToken);
        Assert.Equal(29, status.Addressees.Count(a => a.HasToken));
        Assert.False(status.Addressees.Single(a => a.AddresseeNumber == refused.PersonId).HasToken);

        // Running again asks only for the person still without a token, and gets nobody a second one.
        var again = await holder.AcquireTokensAsync();
        Assert.Equal(1, again.Requested);
        Assert.Equal(0, again.Delivered);
        Assert.Equal(29, (await new IntermediateHttpClient(intermediateHttp).TokenStatusAsync(new TokenStatusRequest(Code))).WithToken);

        // Asking for someone the holder does not keep is refused without repeating the number.
        var stranger = HolderHarness.Numbers(1, seed: 99)[0];
        var unknown = await Assert.ThrowsAsync<HolderApiException>(() => staff.AcquireTokensAsync(new TokenAcquisitionRequest([stranger])));
        Assert.Equal("unknown-person", unknown.Code);
        Assert.DoesNotContain(stranger.Digits, unknown.Message);
    }

    private static PensionRecordRequest Record(IndividualNumber number, int i) =>
        new(Guid.NewGuid(), number, (1_000_000_000L + i).ToString("D10"), 2026, []);
}
