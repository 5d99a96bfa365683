using System.Text.Json;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Storage;
using Renkei.Municipality.Business;
using Renkei.Municipality.Tests.Addressee;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Business;

/// <summary>The business systems' copies reach the ward's real intermediate server over HTTP, in its schemas.</summary>
public class IntermediateHttpFeedTests
{
    public static TheoryData<string> Providers => Renkei.TestSupport.TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Copies_are_loaded_in_the_intermediate_schemas_and_answered_without_numbers(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        using var intermediateDatabase = Renkei.TestSupport.TestDatabase.Create(provider);
        var parent = ward.AddresseeOf(0);
        var child = ward.AddresseeOf(2);
        var amounts = ChildAllowanceRules.Amounts([new DateOnly(2015, 1, 1)], WardFixture.Today);
        ward.Systems.ChildAllowance.Import([new ChildAllowanceAward(parent, ward.Resident(0).HouseholdNumber, new DateOnly(2024, 4, 1),
            [new ChildAllowanceChild(child, amounts[0].BirthDate, 1, amounts[0].MonthlyAmount)])]);
        ward.Systems.ResidenceTax.Import([new TaxpayerRecord(parent, new DateOnly(2020, 1, 1),
            [ResidenceTaxRules.Assess(2024, new(4_000_000, 500_000, true, 0, 0, 1))])]);

        using var keyDirectory = new TempDirectory();
        await using var host = await TestModules.StartIntermediateAsync(intermediateDatabase.Database,
            new IntermediateOptions { HolderCode = "131091", HolderName = "品川区", InstitutionKeyDirectory = keyDirectory.Path });
        using var keys = InstitutionKeys.LoadOrCreate(keyDirectory.Path);
        using var client = IntermediateHttpClient.Signed(host.BaseAddress, "131091", keys.Signing);
        var report = await new IntermediateFeeder(ward.Systems, new IntermediateHttpFeed(client, "131091", IntermediateHttpFeed.Job)).SendAllAsync(WardFixture.Today);
        Assert.True(report.CopiesSent >= 3); // parent: child allowance and tax; child: counted as child
        // The intermediate server kept every batch with the feed job that sent it.
        var batches = new IntermediateStore(intermediateDatabase.Database).Actions.Read();
        Assert.Equal(report.Batches, batches.Count);
        Assert.All(batches, b => Assert.Equal((HolderActionLog.CopyBatch, IntermediateHttpFeed.Job.Staff, IntermediateHttpFeed.Job.Terminal, IntermediateHttpFeed.FeedAffair),
            (b.Operation, b.Staff, b.Terminal, b.Affair)));
        Assert.Equal(report.CopiesSent, batches.Sum(b => b.Items));

        var tax = await client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), "131091", parent.ToInt64(), null, InformationKindCodes.LocalTax, WardFixture.Today, IntermediateHttpFeed.Job));
        Assert.Equal(ProvisionOutcome.Provided, tax.Outcome);
        var taxBody = CopyBodies.FromJson<LocalTaxBody>(tax.Body!.Value);
        var expected = ward.Systems.ResidenceTax.Provide(InformationKindCodes.LocalTax, parent, WardFixture.Today)!.Body;
        Assert.Equal(2024, taxBody.FiscalYear);
        Assert.True(taxBody.Taxable);
        Assert.Equal(expected.GetProperty("taxableIncome").GetInt64(), taxBody.TaxableIncome);
        Assert.Equal(expected.GetProperty("incomeLevy").GetInt64(), taxBody.IncomeBasedTaxAmount);

        var allowance = await client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), "131091", parent.ToInt64(), null, InformationKindCodes.ChildAllowance, WardFixture.Today, IntermediateHttpFeed.Job));
        var allowanceBody = CopyBodies.FromJson<ChildAllowanceBody>(allowance.Body!.Value);
        Assert.True(allowanceBody.Eligible);
        Assert.Equal(1, allowanceBody.ChildrenCount);
        Assert.Equal(amounts[0].MonthlyAmount, allowanceBody.MonthlyAmount);

        // Neither the parent's number nor name reaches the intermediate server.
        var resident = ward.Resident(0);
        foreach (var body in new[] { tax.Body!.Value, allowance.Body!.Value })
        {
            var text = JsonSerializer.Serialize(body);
            Assert.DoesNotContain(resident.IndividualNumber!.Value.Digits, text);
            Assert.DoesNotContain(resident.Name.FamilyName, text);
        }

        // Sending again supersedes with a newer version and is not refused.
        await new IntermediateFeeder(ward.Systems, new IntermediateHttpFeed(client, "131091", IntermediateHttpFeed.Job)).SendAllAsync(WardFixture.Today);
        var again = await client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), "131091", parent.ToInt64(), null, InformationKindCodes.LocalTax, WardFixture.Today, IntermediateHttpFeed.Job));
        Assert.True(again.Version >= tax.Version);
    }
}
