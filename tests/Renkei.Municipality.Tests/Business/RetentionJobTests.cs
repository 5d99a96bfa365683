using Renkei.Municipality.Audit;
using Renkei.Municipality.Business;
using Renkei.Municipality.Retention;
using Renkei.Municipality.Tests.Addressee;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Business;

public class RetentionJobTests
{
    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public void Exactly_the_numbers_past_their_retention_period_are_deleted_and_logged(string provider)
    {
        using var ward = new WardFixture(provider, residents: 8);
        var tax = ward.Systems.ResidenceTax; // 7 years
        var assessment = ResidenceTaxRules.Assess(2015, new ResidenceTaxInput(3_000_000, 400_000, false, 0, 0, 0));
        tax.Import(Enumerable.Range(0, 4).Select(i => new TaxpayerRecord(ward.AddresseeOf(i), new DateOnly(2010, 1, 1), [assessment])).ToList());
        var today = new DateOnly(2024, 6, 3);
        tax.EndRelationship(ward.AddresseeOf(0), new DateOnly(2017, 6, 2));   // 7 years ended on 2024-06-02: deleted
        tax.EndRelationship(ward.AddresseeOf(1), new DateOnly(2017, 6, 3));   // ends today: kept until tomorrow
        tax.EndRelationship(ward.AddresseeOf(2), new DateOnly(2023, 1, 1));   // recent: kept
        var nhiAssessee = ward.AddresseeOf(5);                                 // another system, 5 years
        ward.Systems.NationalHealthInsurance.Import([new NhiHousehold("H1", nhiAssessee, new DateOnly(2015, 4, 1), 2018,
            [new NhiMemberInput(nhiAssessee, 50, 1_000_000)], NationalHealthInsuranceRules.HouseholdPremium([new NhiMemberInput(nhiAssessee, 50, 1_000_000)]))]);
        ward.Systems.NationalHealthInsurance.EndRelationship(nhiAssessee, new DateOnly(2019, 3, 31));

        var report = new RetentionJob(ward.Systems).Run(today);

        Assert.Equal(2, report.NumbersDeleted);
        Assert.Equal(1, report.Systems.Single(s => s.SystemCode == ResidenceTaxSystem.Code).NumbersDeleted);
        Assert.Equal(1, report.Systems.Single(s => s.SystemCode == NationalHealthInsuranceSystem.Code).NumbersDeleted);
        Assert.False(tax.FindPerson(ward.AddresseeOf(0))!.HoldsNumber);
        Assert.Equal(today, tax.FindPerson(ward.AddresseeOf(0))!.NumberDeletedOn);
        Assert.True(tax.FindPerson(ward.AddresseeOf(1))!.HoldsNumber);
        Assert.True(tax.FindPerson(ward.AddresseeOf(2))!.HoldsNumber);
        Assert.True(tax.FindPerson(ward.AddresseeOf(3))!.HoldsNumber);
        Assert.False(ward.Systems.NationalHealthInsurance.FindPerson(nhiAssessee)!.HoldsNumber);
        // Non-number data stays.
        Assert.Equal(3_000_000, tax.Assessment(ward.AddresseeOf(0), 2015)!.TotalIncome);

        var deletions = ward.Entries().Where(e => e.Entry.Action == OperationAction.RetentionDeletion).ToList();
        Assert.Equal([ward.AddresseeOf(0).ToInt64(), nhiAssessee.ToInt64()], deletions.Select(d => d.Entry.SubjectAddresseeNumber!.Value));
        Assert.All(deletions, d => Assert.Equal(RetentionJob.Actor, d.Entry.StaffId));
        Assert.Contains(ResidenceTaxSystem.Code, deletions[0].Entry.Detail);
        Assert.DoesNotContain(ward.Resident(0).IndividualNumber!.Value.Digits, deletions[0].Entry.Detail);

        // The next day the second one expires; a rerun on the same day deletes nothing more.
        Assert.Equal(0, new RetentionJob(ward.Systems).Run(today).NumbersDeleted);
        var tomorrow = new RetentionJob(ward.Systems).Run(today.AddDays(1));
        Assert.Equal(1, tomorrow.NumbersDeleted);
        Assert.False(tax.FindPerson(ward.AddresseeOf(1))!.HoldsNumber);
        Assert.Equal(3, ward.Entries().Count(e => e.Entry.Action == OperationAction.RetentionDeletion));
        Assert.True(ward.Log.Verify().IsIntact);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Operation_log_entries_are_kept_five_years_and_the_job_never_deletes_one(string provider)
    {
        using var ward = new WardFixture(provider, residents: 2);
        var recorded = new DateTimeOffset(2020, 4, 1, 10, 0, 0, TimeSpan.FromHours(9));
        ward.Log.Append(new OperationLogEntry("jumin01", recorded, "terminal-1", "resident-register", ward.AddresseeOf(0).ToInt64(),
            OperationAction.View, OperationResult.Success, "住民票の閲覧"));
        var before = ward.Entries().Count();

        Assert.Equal(5, RetentionJob.OperationLogYears);
        Assert.Equal(new DateOnly(2025, 4, 1), RetentionJob.OperationLogKeptUntil(new DateOnly(2020, 4, 1)));
        // Within the five years and long after them alike, the job leaves every entry in place (and logs only its own deletions).
        new RetentionJob(ward.Systems).Run(new DateOnly(2025, 3, 31));
        new RetentionJob(ward.Systems).Run(new DateOnly(2031, 1, 1));

        var entries = ward.Entries().ToList();
        Assert.Equal(before, entries.Count(e => e.Entry.Action != OperationAction.RetentionDeletion));
        Assert.Contains(entries, e => e.Entry.At == recorded && e.Entry.StaffId == "jumin01");
        Assert.True(ward.Log.Verify().IsIntact);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public void Retention_periods_are_configurable_per_system(string provider)
    {
        using var ward = new WardFixture(provider, residents: 4, retention: new BusinessRetentionOptions(ResidenceTax: new RetentionPolicy(1)));
        var tax = ward.Systems.ResidenceTax;
        tax.Import([new TaxpayerRecord(ward.AddresseeOf(0), new DateOnly(2020, 1, 1), [])]);
        tax.EndRelationship(ward.AddresseeOf(0), new DateOnly(2023, 1, 1));

        var report = new RetentionJob(ward.Systems).Run(new DateOnly(2024, 1, 2));

        Assert.Equal(1, report.Systems.Single(s => s.SystemCode == ResidenceTaxSystem.Code).YearsAfterRelationshipEnded);
        Assert.Equal(1, report.NumbersDeleted);
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetentionPolicy(0).Validate());
    }
}
