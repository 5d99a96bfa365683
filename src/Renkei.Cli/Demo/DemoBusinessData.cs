using System.Diagnostics;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Business;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Demo;

/// <summary>What <see cref="DemoBusinessData.Seed"/> stored.</summary>
public sealed record DemoBusinessReport(
    long AddresseesIssued,
    long Taxpayers,
    long TaxAssessments,
    long TaxPayments,
    long ChildAllowanceRecipients,
    long ChildAllowanceChildren,
    long NursingCareInsured,
    long NationalHealthInsuranceHouseholds,
    long NationalHealthInsuranceMembers,
    long PublicAssistanceCases,
    TimeSpan Elapsed);

/// <summary>
/// Fills a ward's addressee system and business systems with plausible data, deterministic from the seed and the
/// register (same register and seed, same data on every machine). Each household draws from its own SplitMix64 stream
/// keyed by the seed and the household number. What is drawn, per person (ages on the reference date):
/// <list type="bullet">
/// <item>income of the previous calendar year: employees (most heads and adults 23–64, some spouses) 1.2–9 M yen of
/// total income, about one worker in eight self-employed, part-time work for some 16–22-year-olds, public pension for
/// 65+ (total income = pension − 1.1 M, some still working);</item>
/// <item>residence tax for the current and the previous fiscal year for everyone 16+, the head claiming the spouse and
/// the other low-income members as dependants (<see cref="ResidenceTaxRules"/>), and its payments (普通徴収 4期): every
/// installment due by the reference date paid up to 20 days before its due date, except that about one taxpayer in sixteen
/// left the previous year's last installment (or last two) unpaid (未納);</item>
/// <item>public assistance for about a quarter of the fully non-taxable households (more for elderly singles);</item>
/// <item>national health insurance for households with no employee under 75 and not on public assistance (members under 75);</item>
/// <item>nursing care: every 65+ resident is first-category insured with a stage from tax status
/// (<see cref="NursingCarePremiumRules"/>) and a care level more likely with age; a few 40–64-year-olds are certified
/// second-category insured;</item>
/// <item>child allowance for households with children under 18, paid to the head (or the eldest adult).</item>
/// </list>
/// Run after the register's numbers are assigned (business systems copy the numbers on enrolment). Fast enough for
/// 100,000 residents in a few seconds on SQLite: everything is computed in memory and stored with bulk inserts.
/// </summary>
public static class DemoBusinessData
{
    public static DemoBusinessReport Seed(AddresseeSystem addressee, MunicipalBusinessSystems systems, int seed, DateOnly referenceDate)
    {
        var watch = Stopwatch.StartNew();
        var sync = addressee.SyncFromRegister();
        var key = SplitMix64.Finalize((ulong)(uint)seed ^ 0x4255534E45535321UL);
        var fiscalYear = ResidenceTaxRules.FiscalYearOf(referenceDate);

        var taxpayers = new List<TaxpayerRecord>();
        var payments = new List<ResidenceTaxPaymentEntry>();
        var awards = new List<ChildAllowanceAward>();
        var insured = new List<NursingCareInsured>();
        var nhi = new List<NhiHousehold>();
        var assistance = new List<PublicAssistanceCase>();

        foreach (var household in Households(addressee.Population()))
        {
            var random = new SplitMix64(SplitMix64.Derive(key, Fnv(household[0].HouseholdNumber), 0xB0));
            var people = household.Select(m => Draw(ref random, m, referenceDate)).ToList();
            var head = people[0];

            // Residence tax: the head (or eldest adult) claims the others with low income.
            var firstTaxpayer = taxpayers.Count;
            var claimant = people.Where(p => p.Age >= 18).OrderByDescending(p => p.Income).FirstOrDefault() ?? head;
            var assessments = new Dictionary<IntegratedAddresseeNumber, ResidenceTaxAssessment>();
            foreach (var p in people.Where(p => p.Age >= 16))
            {
                var input = p == claimant ? ClaimantInput(p, people, referenceDate) : new ResidenceTaxInput(p.Income, SocialInsurance(p), false, 0, 0, 0);
                var current = ResidenceTaxRules.Assess(fiscalYear, input);
                var previousIncome = p.Income * (95 + random.Next(11)) / 100;
                var previous = ResidenceTaxRules.Assess(fiscalYear - 1, input with { TotalIncome = previousIncome, SocialInsurancePremiums = Math.Min(input.SocialInsurancePremiums, previousIncome) });
                assessments[p.Member.AddresseeNumber] = current;
                taxpayers.Add(new TaxpayerRecord(p.Member.AddresseeNumber, p.Member.ResidentSince, [previous, current]));
            }
            // Payments from their own stream, so the draws above stay what they were.
            var paying = new SplitMix64(SplitMix64.Derive(key, Fnv(household[0].HouseholdNumber), 0xB1));
            for (var k = firstTaxpayer; k < taxpayers.Count; k++)
            {
                var t = taxpayers[k];
                var missed = paying.PerMille(60) ? 1 + paying.Next(2) : 0; // the previous year's last installments left unpaid
                foreach (var a in t.Assessments)
                    foreach (var i in ResidenceTaxInstallments.Schedule(a.FiscalYear, a.TotalTax))
                        if (i.DueOn <= referenceDate && (a.FiscalYear == fiscalYear || i.Number <= ResidenceTaxInstallments.Count - missed))
                            payments.Add(new ResidenceTaxPaymentEntry(t.Subject, a.FiscalYear, i.Number,
                                Later(new DateOnly(a.FiscalYear, 4, 1), i.DueOn.AddDays(-paying.Between(0, 20))), i.Amount));
            }
            var householdTaxable = assessments.Values.Any(a => a.Status != ResidenceTaxStatus.NonTaxable);

            // Public assistance: a share of the fully non-taxable households.
            var elderlySingle = people.Count == 1 && head.Age >= 65;
            var onAssistance = !householdTaxable && random.PerMille(elderlySingle ? 300 : 200);
            if (onAssistance)
            {
                var aid = new List<AidType> { AidType.Living, AidType.Housing, AidType.Medical };
                if (people.Any(p => p.Age is >= 6 and <= 14)) aid.Add(AidType.Education);
                if (people.Any(p => p.CareLevel != CareLevel.None)) aid.Add(AidType.Care);
                var started = Later(head.Member.ResidentSince, referenceDate.AddDays(-random.Between(30, 3650)));
                var monthly = PublicAssistanceRules.MonthlyAmount(people.Select(p => p.Age).ToList(), people.Sum(p => p.Income) / 12, aid.ToHashSet());
                assistance.Add(new PublicAssistanceCase(household[0].HouseholdNumber, head.Member.AddresseeNumber,
                    people.Select(p => p.Member.AddresseeNumber).ToList(), started, aid, monthly));
            }

            // National health insurance: no employee in the household, not on public assistance; members under 75.
            if (!onAssistance && !people.Any(p => p.Employee))
            {
                var members = people.Where(p => p.Age < NationalHealthInsuranceRules.LateElderlyAge)
                    .Select(p => new NhiMemberInput(p.Member.AddresseeNumber, p.Age, p.Income)).ToList();
                if (members.Count > 0)
                    nhi.Add(new NhiHousehold(household[0].HouseholdNumber, head.Member.AddresseeNumber,
                        Later(head.Member.ResidentSince, new DateOnly(fiscalYear, 4, 1).AddYears(-random.Next(10))), fiscalYear, members,
                        NationalHealthInsuranceRules.HouseholdPremium(members)));
            }

            // Nursing care.
            foreach (var p in people)
            {
                if (p.Age >= NursingCarePremiumRules.FirstCategoryAge)
                {
                    var own = assessments.TryGetValue(p.Member.AddresseeNumber, out var a) ? a : null;
                    var stage = NursingCarePremiumRules.Stage(new NursingCarePremiumInput(onAssistance, householdTaxable,
                        own is { Status: not ResidenceTaxStatus.NonTaxable }, p.Pension + Math.Max(0, p.Income - Math.Max(0, p.Pension - 1_100_000)), p.Income));
                    var qualified = Later(p.Member.ResidentSince, p.Member.BirthDate.AddYears(65));
                    insured.Add(new NursingCareInsured(p.Member.AddresseeNumber, 1, qualified, p.CareLevel, fiscalYear, stage, NursingCarePremiumRules.AnnualPremium(stage)));
                }
                else if (p.CareLevel != CareLevel.None)
                {
                    insured.Add(new NursingCareInsured(p.Member.AddresseeNumber, 2, Later(p.Member.ResidentSince, referenceDate.AddDays(-random.Between(30, 1500))),
                        p.CareLevel, fiscalYear, null, 0));
                }
            }

            // Child allowance.
            var recipient = head.Age >= 18 ? head : people.Where(p => p.Age >= 18).OrderByDescending(p => p.Age).FirstOrDefault();
            if (recipient is not null)
            {
                var children = people.Where(p => p != recipient && ChildAllowanceRules.Counts(p.Member.BirthDate, referenceDate)).ToList();
                if (children.Count > 0)
                {
                    // Older siblings (to 22) count for the third-child rate, though they are not paid for.
                    var amounts = ChildAllowanceRules.Amounts(people.Where(p => p != recipient).Select(p => p.Member.BirthDate), referenceDate);
                    var ordered = children.OrderBy(c => c.Member.BirthDate).ThenBy(c => c.Member.ResidentId).ToList();
                    var certified = Later(recipient.Member.ResidentSince, ordered[0].Member.BirthDate);
                    awards.Add(new ChildAllowanceAward(recipient.Member.AddresseeNumber, household[0].HouseholdNumber, certified,
                        ordered.Select((c, i) => new ChildAllowanceChild(c.Member.AddresseeNumber, c.Member.BirthDate, amounts[i].Order, amounts[i].MonthlyAmount)).ToList()));
                }
            }
        }

        var assessed = systems.ResidenceTax.Import(taxpayers);
        var paid = systems.ResidenceTax.ImportPayments(payments, "demo");
        systems.ChildAllowance.Import(awards);
        systems.NursingCare.Import(insured);
        systems.NationalHealthInsurance.Import(nhi);
        systems.PublicAssistance.Import(assistance);
        return new DemoBusinessReport(sync.Issued, taxpayers.Count, assessed, paid, awards.Count, awards.Sum(a => a.Children.Count), insured.Count,
            nhi.Count, nhi.Sum(h => h.Members.Count), assistance.Count, watch.Elapsed);
    }

    private sealed record Person(PopulationMember Member, int Age, long Income, long Pension, bool Employee, CareLevel CareLevel);

    private static Person Draw(ref SplitMix64 random, PopulationMember m, DateOnly date)
    {
        var age = Math.Max(0, Age(m.BirthDate, date));
        var head = m.Relationship == Relationship.Head;
        var spouse = m.Relationship is Relationship.Wife or Relationship.Husband;
        long income = 0, pension = 0;
        var employee = false;
        if (age is >= 16 and < 23)
        {
            if (random.PerMille(age < 18 ? 60 : 400)) income = Math.Max(0, random.Between(300, 1_500) * 1_000L - 550_000);
        }
        else if (age is >= 23 and < 65)
        {
            var works = random.PerMille(head ? 900 : spouse ? 550 : 750);
            if (works)
            {
                var selfEmployed = random.PerMille(125);
                // Skewed: most between 1.2 M and 5 M, a tail up to 9 M.
                var u = random.NextDouble();
                income = (long)(1_200_000 + 7_800_000 * u * u * u) / 1_000 * 1_000;
                if (spouse && !head && random.PerMille(400)) income = random.Between(0, 480) * 1_000L; // part-time within the spouse limit
                employee = !selfEmployed && income > 480_000;
            }
        }
        else if (age >= 65)
        {
            pension = random.Between(600, 2_800) * 1_000L;
            income = Math.Max(0, pension - 1_100_000);
            if (age < 75 && random.PerMille(250)) income += random.Between(500, 4_000) * 1_000L;
        }
        var careChance = age >= 85 ? 550 : age >= 75 ? 200 : age >= 65 ? 40 : age >= 40 ? 4 : 0;
        var care = careChance > 0 && random.PerMille(careChance) ? (CareLevel)random.Between(1, 7) : CareLevel.None;
        return new Person(m, age, income, pension, employee, care);
    }

    private static ResidenceTaxInput ClaimantInput(Person claimant, List<Person> people, DateOnly date)
    {
        var spouse = people.Any(p => p != claimant && p.Member.Relationship is Relationship.Wife or Relationship.Husband && p.Income <= 480_000)
            && claimant.Member.Relationship == Relationship.Head;
        int general = 0, specified = 0, under16 = 0;
        foreach (var p in people)
        {
            if (p == claimant || p.Income > 480_000) continue;
            if (spouse && p.Member.Relationship is Relationship.Wife or Relationship.Husband) continue;
            if (p.Age < 16) under16++;
            else if (p.Age is >= 19 and <= 22) specified++;
            else general++;
        }
        return new ResidenceTaxInput(claimant.Income, SocialInsurance(claimant), spouse, general, specified, under16);
    }

    /// <summary>Social insurance premiums: ~15 % for employees, ~10 % for others with income.</summary>
    private static long SocialInsurance(Person p) => p.Employee ? p.Income * 15 / 100 : p.Income * 10 / 100;

    private static int Age(DateOnly birth, DateOnly day) =>
        day.Year - birth.Year - (day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) ? 1 : 0);

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    private static IEnumerable<List<PopulationMember>> Households(IEnumerable<PopulationMember> members)
    {
        List<PopulationMember>? current = null;
        foreach (var m in members)
        {
            if (current is not null && current[0].HouseholdNumber != m.HouseholdNumber)
            {
                yield return current;
                current = null;
            }
            (current ??= []).Add(m);
        }
        if (current is not null) yield return current;
    }

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text) { hash ^= c; hash *= 1099511628211UL; }
        return hash;
    }
}
