using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Holders.Demo;
using Renkei.Holders.Records;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.TestSupport;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Tests;

/// <summary>The demo's pension and insurer records: deterministic for the people given, plausible, and valid by the staff API's own rules.</summary>
public sealed class DemoDataTests
{
    private static readonly DateOnly Reference = new(2026, 11, 22);

    private static string Json(object value) => JsonSerializer.Serialize(value, JsonDefaults.Options);

    private static int Age(DateOnly birth) => Reference.Year - birth.Year - (Reference < birth.AddYears(Reference.Year - birth.Year) ? 1 : 0);

    [Fact]
    public void The_same_people_give_the_same_records_and_other_seeds_give_other_records()
    {
        var people = HolderHarness.DemoPeople(3_000, seed: 5);
        Assert.Equal(Json(HolderDemoData.PlanPension(people, Reference)), Json(HolderDemoData.PlanPension(people.AsEnumerable().Reverse().ToList(), Reference)));
        Assert.Equal(Json(HolderDemoData.PlanInsurer(people, Reference)), Json(HolderDemoData.PlanInsurer(people.AsEnumerable().Reverse().ToList(), Reference)));

        var reseeded = people.Select(p => p with { Seed = p.Seed ^ 0x5A5A5A5AUL }).ToList();
        Assert.NotEqual(Json(HolderDemoData.PlanPension(people, Reference)), Json(HolderDemoData.PlanPension(reseeded, Reference)));
        Assert.NotEqual(Json(HolderDemoData.PlanInsurer(people, Reference)), Json(HolderDemoData.PlanInsurer(reseeded, Reference)));
    }

    [Fact]
    public void Pension_records_are_plausible_and_pass_the_staff_API_rules()
    {
        var people = HolderHarness.DemoPeople(6_000, seed: 6);
        var plan = HolderDemoData.PlanPension(people, Reference);
        Assert.Equal(people.Count(p => Age(p.BirthDate) >= 20), plan.Count);
        Assert.Equal(plan.Count, plan.Select(r => r.BasicPensionNumber).Distinct().Count());
        foreach (var record in plan)
            PensionRules.Validate(new PensionRecordRequest(Guid.NewGuid(), record.Person.Number, record.BasicPensionNumber, record.AmountFiscalYear,
                record.Benefits, new PersonDetails(null, record.Person.BirthDate, record.Person.Sex)));

        var elderly = plan.Where(r => Age(r.Person.BirthDate) >= 65).ToList();
        var oldAge = elderly.Count(r => r.Benefits.Any(b => b.PensionType == PensionType.OldAge && b.Scheme == PensionScheme.Basic));
        Assert.InRange(oldAge, elderly.Count * 90 / 100, elderly.Count);
        Assert.All(plan.Where(r => Age(r.Person.BirthDate) < 65).SelectMany(r => r.Benefits), b => Assert.NotEqual(PensionType.OldAge, b.PensionType));
        var working = plan.Where(r => Age(r.Person.BirthDate) < 65).ToList();
        Assert.Contains(working, r => r.Benefits.Any(b => b.PensionType == PensionType.Disability));
        Assert.Contains(working, r => r.Benefits.Any(b => b.PensionType == PensionType.Survivor));
        Assert.Contains(elderly, r => r.Benefits.Any(b => b.Suspended));
        Assert.All(plan, r => Assert.Equal(2026, r.AmountFiscalYear));
    }

    [Fact]
    public void Insurer_records_have_recent_losses_with_dependants_and_every_dependant_has_an_insured_person_qualified_before_them()
    {
        var people = HolderHarness.DemoPeople(6_000, seed: 7);
        var plan = HolderDemoData.PlanInsurer(people, Reference);
        var insured = plan.Where(q => q.Category == HealthInsuranceMemberCategory.Insured).ToList();
        Assert.InRange(insured.Select(q => q.Person.Number).Distinct().Count(), people.Count / 25, people.Count / 4);
        Assert.All(insured, q => Assert.InRange(Age(q.Person.BirthDate), 23, 64));
        foreach (var dependant in plan.Where(q => q.Category == HealthInsuranceMemberCategory.Dependant))
        {
            var of = insured.Where(q => q.Person == dependant.Insured).ToList();
            Assert.NotEmpty(of);
            Assert.Contains(of, q => q.AcquiredOn <= dependant.AcquiredOn && (q.LostOn is null || q.LostOn >= dependant.LostOn));
            Assert.Equal(dependant.Person.Household, dependant.Insured!.Household);
        }
        Assert.All(plan, q => Assert.True(q.LostOn is null || q.LostOn > q.AcquiredOn));
        Assert.All(plan, q => Assert.Equal(q.LostOn is null, q.LossReason is null));

        // Someone left employee insurance in the last 90 days, and a dependant lost theirs with them (国保 資格取得 can be shown).
        var recent = insured.Where(q => q.LostOn > Reference.AddDays(-90) && q.LossReason == QualificationLossReason.Retirement).ToList();
        Assert.NotEmpty(recent);
        Assert.Contains(plan, d => d.LossReason == QualificationLossReason.InsuredLost && recent.Any(r => r.Person == d.Insured && r.LostOn == d.LostOn));
        // No one holds two current qualifications.
        Assert.All(plan.Where(q => q.LostOn is null).GroupBy(q => q.Person.Number), g => Assert.Single(g));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Seeding_stores_the_plan_once_the_same_way_on_every_run_and_a_second_seed_adds_nothing(string provider)
    {
        var people = HolderHarness.DemoPeople(800, seed: 8);
        foreach (var kind in new[] { HolderKind.PensionOrganisation, HolderKind.HealthInsurer })
        {
            await using var a = await HolderHarness.StartAsync(provider, kind);
            await using var b = await HolderHarness.StartAsync(provider, kind);
            var first = HolderDemoData.Seed(a.Node.Records, people, Reference);
            HolderDemoData.Seed(b.Node.Records, people.AsEnumerable().Reverse().ToList(), Reference);
            Assert.True(first.People > 0);
            Assert.Equal(0, first.Skipped);
            Assert.Equal(Dump(a.HolderDatabase.Database), Dump(b.HolderDatabase.Database));
            if (kind == HolderKind.PensionOrganisation)
            {
                Assert.Equal(HolderDemoData.PlanPension(people, Reference).Count, first.People);
                Assert.True(first.Recipients > 0 && first.Benefits >= first.Recipients);
            }
            else
            {
                Assert.Equal(HolderDemoData.PlanInsurer(people, Reference).Select(q => q.Person.Number).Distinct().Count(), first.People);
                Assert.True(first.Insured > 0 && first.Dependants > 0);
            }

            var second = HolderDemoData.Seed(a.Node.Records, people, Reference);
            Assert.Equal(0, second.People);
            Assert.Equal(Dump(b.HolderDatabase.Database), Dump(a.HolderDatabase.Database));

            // Every seeded copy is accepted by the intermediate server.
            var fed = await a.Node.FeedCopiesAsync();
            Assert.Equal(kind == HolderKind.PensionOrganisation ? first.Recipients : first.People, fed.Sent);
            Assert.Equal(fed.Sent, fed.Stored);
        }
    }

    /// <summary>The records as text, without creation times.</summary>
    private static string Dump(Database database)
    {
        using var c = database.Open();
        var text = new System.Text.StringBuilder();
        foreach (var sql in new[]
                 {
                     "SELECT person_id, individual_number, birth_date, sex FROM holder_people ORDER BY person_id",
                     "SELECT person_id, basic_pension_number, amount_fiscal_year FROM pension_members ORDER BY person_id",
                     "SELECT person_id, seq, pension_type, scheme, disability_grade, annual_amount, right_acquired_on, payment_from, payment_until, suspended, suspended_from FROM pension_benefits ORDER BY person_id, seq",
                     "SELECT qualification_id, person_id, category, insured_person_id, acquired_on, lost_on, loss_reason FROM insurance_qualifications ORDER BY qualification_id",
                     "SELECT person_id, kind, version, fed_version FROM holder_copy_state ORDER BY person_id, kind",
                 })
        {
            using var command = c.Command(sql);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++) text.Append(reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                text.Append('\n');
            }
        }
        return text.ToString();
    }
}
