using Renkei.Intermediate.Contracts;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests.Linked;

/// <summary>
/// The harness the workflow tests stand on: the arrivals' 1 January tax is at 大田区 and reachable by linkage from
/// 品川区, the pension organisation and the insurer answer for the people they hold, and nothing the network received
/// holds a number.
/// </summary>
public class LinkedCountryTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_previous_ward_and_the_holders_answer_Shinagawa_and_the_network_sees_no_number(string provider)
    {
        await using var country = await LinkedCountry.StartAsync(provider);
        var ward = country.ShinagawaWard;
        var father = country.Resident("鈴木", "大輔");
        Assert.Equal(LinkedCountry.ArrivalDate, father.ResidentSince);

        async Task<InquiryResponse> AskAsync(long residentId, string affair, string providerCode, string kind) =>
            await ward.Intermediate.QueryAsync(new InquiryRequest(Guid.NewGuid(), ward.Code.Digits, country.AddresseeOf(residentId).ToInt64(), affair,
                providerCode, kind, Actor: Actor.System("linked-country-test", affair)));

        var tax = await AskAsync(father.Id, "child-allowance", LinkedCountry.Ota.Digits, "local-tax");
        Assert.Equal(LinkageOutcome.Provided, tax.Outcome);
        Assert.True(tax.NetworkRecordSequence > 0);

        var pension = await AskAsync(country.Resident("伊藤", "美香").Id, "child-rearing-allowance", Renkei.Holders.HolderInstitutions.PensionOrganisationCode,
            HolderInformationKindCodes.PensionBenefit);
        Assert.Equal(LinkageOutcome.Provided, pension.Outcome);

        var insurance = await AskAsync(country.Resident("佐藤", "健").Id, "national-health-insurance", Renkei.Holders.HolderInstitutions.DemoInsurerCode,
            HolderInformationKindCodes.HealthInsuranceQualification);
        Assert.Equal(LinkageOutcome.Provided, insurance.Outcome);

        // The library has no row of 別表第二 at all: refused by the network.
        var refused = await AskAsync(father.Id, "library", LinkedCountry.Ota.Digits, "local-tax");
        Assert.Equal(LinkageOutcome.Refused, refused.Outcome);

        var numbers = country.AllNumbers();
        Assert.NotEmpty(numbers);
        Assert.NotEmpty(country.NetworkReceived);
        foreach (var body in country.NetworkReceived)
            Assert.False(numbers.Any(n => body.Contains(n, StringComparison.Ordinal)), "the network received an individual number");
    }
}
