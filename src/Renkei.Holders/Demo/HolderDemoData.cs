using System.Diagnostics;
using System.Globalization;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Holders.Records;
using Renkei.Intermediate.Contracts;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Demo;

/// <summary>
/// A demo person as the wards know them: number, birth date, sex, a stable random seed, and (optionally) the household
/// key, so an insurer can make the other members dependants of the insured person. <see cref="ToString"/> hides the number.
/// </summary>
/// <param name="Household">Unique across wards (e.g. the ward's code and its household number); null: the person alone.</param>
public sealed record HolderDemoPerson(IndividualNumber Number, DateOnly BirthDate, Sex Sex, ulong Seed, string? Household = null)
{
    public override string ToString() => $"HolderDemoPerson {{ born {BirthDate:yyyy-MM-dd}, {Sex} }}";
}

/// <summary>A pension record the demo would store.</summary>
public sealed record DemoPensionRecord(HolderDemoPerson Person, string BasicPensionNumber, int AmountFiscalYear, IReadOnlyList<PensionBenefitItem> Benefits);

/// <summary>One qualification the demo would store (a person may have a lost one and a current one).</summary>
/// <param name="Insured">For a dependant: the insured person.</param>
public sealed record DemoQualification(
    HolderDemoPerson Person,
    HealthInsuranceMemberCategory Category,
    HolderDemoPerson? Insured,
    DateOnly AcquiredOn,
    DateOnly? LostOn,
    QualificationLossReason? LossReason);

/// <summary>What <see cref="HolderDemoData.Seed"/> stored (people already recorded are skipped, so seeding again adds nothing).</summary>
/// <param name="Recipients">Pension: people with at least one benefit.</param>
/// <param name="LostRecently">Insurer: people whose qualification was lost in the 90 days before the reference date.</param>
public sealed record HolderDemoReport(
    HolderKind Kind,
    int People,
    int Skipped,
    int Recipients,
    int Benefits,
    int Insured,
    int Dependants,
    int LostRecently,
    TimeSpan Elapsed);

/// <summary>
/// Plausible records for the demo country, deterministic for the people given (each person's draws come from their own
/// seed; a household's from its members' seeds), so the same residents give the same records on every machine.
/// <para><b>Pension organisation</b> (everyone 20 and over is a member with a basic pension number; amounts per
/// <see cref="PensionRules"/>, for the fiscal year of the reference date): 65 and over: old-age basic pension for 97 %
/// (300–480 contribution months) and old-age employees' pension for 72 % (men 0.8–2.2 M yen, women 0.3–1.2 M), fully
/// suspended for 6 % of those under 70 (在職老齢年金), and a survivor's employees' pension for 18 % of women. 20–64:
/// disability pensions for about 2 % (basic grade 1 or 2, half of them with the employees' part; grade 3 employees-only
/// for 0.5 %), survivor's pensions for 1.5 % of women and 0.3 % of men aged 30–64 (with the survivor's basic pension for
/// a parent under 50, ended when the youngest child grew up for a fifth of them).</para>
/// <para><b>Health insurer</b> (a 健康保険組合 covering about a quarter of the working households): the oldest member
/// aged 23–64 is insured for 28 % of households, another adult of working age for 12 % of those; children under 22 and
/// (55 %) adults under 75 who are not insured themselves are dependants. 7 % of insured persons lost their
/// qualification in the last 90 days by retirement, with their dependants (for 国民健康保険 資格取得 after leaving
/// employee insurance), 4 % years ago, and 2 % lost one and acquired a new one later; 4 % of dependants aged 18–21 left
/// dependency recently.</para>
/// </summary>
public static class HolderDemoData
{
    private const ulong PensionSalt = 0x50454E53494F4E31UL; // "PENSION1"
    private const ulong InsurerSalt = 0x494E535552455231UL; // "INSURER1"

    /// <summary>Stands in for a request id when the demo checks its records with the staff API's rules.</summary>
    private static readonly Guid ValidationRequestId = new("00000000-0000-0000-0000-000000000001");

    /// <summary>The pension records for <paramref name="people"/> as of <paramref name="referenceDate"/> (people under 20 have none).</summary>
    public static IReadOnlyList<DemoPensionRecord> PlanPension(IReadOnlyList<HolderDemoPerson> people, DateOnly referenceDate)
    {
        ArgumentNullException.ThrowIfNull(people);
        var fiscalYear = referenceDate.Month >= 4 ? referenceDate.Year : referenceDate.Year - 1;
        var usedNumbers = new HashSet<long>();
        var records = new List<DemoPensionRecord>();
        foreach (var person in people.OrderBy(p => p.Number))
        {
            var age = AgeOn(person.BirthDate, referenceDate);
            if (age < 20) continue;
            var random = RandomFor(person.Seed, PensionSalt);
            var basicPensionNumber = UniqueBasicPensionNumber(random, usedNumbers);
            records.Add(new DemoPensionRecord(person, basicPensionNumber, fiscalYear, PlanBenefits(person, age, referenceDate, random)));
        }
        return records;
    }

    private static List<PensionBenefitItem> PlanBenefits(HolderDemoPerson person, int age, DateOnly referenceDate, Random random)
    {
        var benefits = new List<PensionBenefitItem>();
        var female = person.Sex == Sex.Female;
        if (age >= 65)
        {
            // 65歳に達した日 is the day before the 65th birthday; payment starts the month after.
            var right = person.BirthDate.AddYears(65).AddDays(-1);
            if (random.Next(100) < 97)
            {
                var months = random.Next(100) < 40 ? PensionRules.FullContributionMonths : random.Next(300, PensionRules.FullContributionMonths);
                benefits.Add(Benefit(PensionType.OldAge, PensionScheme.Basic, null, PensionRules.OldAgeBasic(person.BirthDate, months), right));
            }
            if (random.Next(100) < 72)
            {
                var amount = female ? random.Next(300, 1_201) * 1_000L : random.Next(800, 2_201) * 1_000L;
                var suspended = age < 70 && random.Next(100) < 6;
                benefits.Add(Benefit(PensionType.OldAge, PensionScheme.Employees, null, amount, right,
                    suspendedFrom: suspended ? Later(right, referenceDate, random) : null));
            }
            if (female && random.Next(100) < 18)
                benefits.Add(Benefit(PensionType.Survivor, PensionScheme.Employees, null, random.Next(400, 1_201) * 1_000L,
                    Between(person.BirthDate.AddYears(50), referenceDate.AddDays(-30), random)));
            return benefits;
        }

        var draw = random.Next(1000);
        if (draw < 16)
        {
            var grade = random.Next(100) < 35 ? 1 : 2;
            var right = Between(person.BirthDate.AddYears(20), referenceDate.AddDays(-30), random);
            benefits.Add(Benefit(PensionType.Disability, PensionScheme.Basic, grade, PensionRules.DisabilityBasic(grade, 0), right));
            if (random.Next(100) < 55)
                benefits.Add(Benefit(PensionType.Disability, PensionScheme.Employees, grade, random.Next(500, 1_201) * 1_000L, right));
        }
        else if (draw < 21)
        {
            var right = Between(person.BirthDate.AddYears(20), referenceDate.AddDays(-30), random);
            benefits.Add(Benefit(PensionType.Disability, PensionScheme.Employees, 3,
                Math.Max(PensionRules.EmployeesDisabilityGrade3Minimum, random.Next(623, 901) * 1_000L), right));
        }
        else if (age >= 30 && random.Next(1000) < (female ? 15 : 3))
        {
            var right = Between(person.BirthDate.AddYears(25), referenceDate.AddDays(-30), random);
            benefits.Add(Benefit(PensionType.Survivor, PensionScheme.Employees, null, random.Next(400, 1_001) * 1_000L, right));
            if (AgeOn(person.BirthDate, right) < 50 && random.Next(100) < 60)
            {
                var children = random.Next(1, 3);
                // The survivor's basic pension ends when the youngest child reaches the end of the fiscal year of 18.
                DateOnly? until = random.Next(100) < 20 ? PensionRules.PaymentStart(Between(right.AddYears(1), referenceDate.AddDays(-1), random)) : null;
                if (until is { } end && end > referenceDate) until = null;
                benefits.Add(Benefit(PensionType.Survivor, PensionScheme.Basic, null, PensionRules.SurvivorBasic(children), right, until));
            }
        }
        return benefits;
    }

    private static PensionBenefitItem Benefit(PensionType type, PensionScheme scheme, int? grade, long amount, DateOnly right,
        DateOnly? paymentUntil = null, DateOnly? suspendedFrom = null) =>
        new(type, scheme, grade, amount, right, PensionRules.PaymentStart(right), paymentUntil, suspendedFrom is not null, suspendedFrom);

    /// <summary>A basic pension number (4-digit office part, 6-digit serial) from the person's draws; a collision moves on deterministically.</summary>
    private static string UniqueBasicPensionNumber(Random random, HashSet<long> used)
    {
        var value = random.Next(1000, 10_000) * 1_000_000L + random.Next(0, 1_000_000);
        while (!used.Add(value)) value = value >= 9_999_999_999L ? 1_000_000_000L : value + 1;
        return value.ToString("D10", CultureInfo.InvariantCulture);
    }

    /// <summary>The insurer's qualifications for <paramref name="people"/>: insured persons before their dependants.</summary>
    public static IReadOnlyList<DemoQualification> PlanInsurer(IReadOnlyList<HolderDemoPerson> people, DateOnly referenceDate)
    {
        ArgumentNullException.ThrowIfNull(people);
        var plan = new List<DemoQualification>();
        var households = people
            .GroupBy(p => p.Household ?? "person:" + p.Number.Digits, StringComparer.Ordinal)
            .Select(g => g.OrderBy(p => p.BirthDate).ThenBy(p => p.Number).ToList())
            .OrderBy(members => members[0].Number)
            .ToList();
        foreach (var members in households)
        {
            var random = RandomFor(members.Aggregate(0UL, (seed, p) => seed ^ p.Seed), InsurerSalt);
            if (random.Next(100) >= 28) continue;
            var workers = members.Where(p => AgeOn(p.BirthDate, referenceDate) is >= 23 and <= 64).ToList();
            if (workers.Count == 0) continue;
            var insured = new List<HolderDemoPerson> { workers[0] };
            if (workers.Count > 1 && random.Next(100) < 12) insured.Add(workers[1]);

            var primary = PlanInsured(plan, workers[0], referenceDate, random);
            foreach (var other in insured.Skip(1)) PlanInsured(plan, other, referenceDate, random);

            foreach (var member in members)
            {
                if (insured.Contains(member)) continue;
                var age = AgeOn(member.BirthDate, referenceDate);
                var dependant = age < 22 ? random.Next(100) < 95 : age < 75 && random.Next(100) < 55;
                if (!dependant) continue;
                var acquired = member.BirthDate > primary.AcquiredOn ? member.BirthDate : primary.AcquiredOn;
                if (primary.LostOn is { } lost)
                {
                    if (acquired >= lost) continue; // born after the insured person left: never a dependant here
                    plan.Add(new DemoQualification(member, HealthInsuranceMemberCategory.Dependant, primary.Person, acquired, lost, QualificationLossReason.InsuredLost));
                }
                else if (age is >= 18 and < 22 && random.Next(100) < 4 && referenceDate.AddDays(-120) > acquired)
                {
                    var left = Between(referenceDate.AddDays(-120), referenceDate.AddDays(-1), random);
                    plan.Add(new DemoQualification(member, HealthInsuranceMemberCategory.Dependant, primary.Person, acquired, left, QualificationLossReason.DependencyEnded));
                }
                else
                    plan.Add(new DemoQualification(member, HealthInsuranceMemberCategory.Dependant, primary.Person, acquired, null, null));
            }
        }
        return plan;
    }

    /// <summary>An insured person's qualification(s); returns the one dependants attach to (the latest).</summary>
    private static DemoQualification PlanInsured(List<DemoQualification> plan, HolderDemoPerson person, DateOnly referenceDate, Random random)
    {
        var earliest = Max(person.BirthDate.AddYears(22), referenceDate.AddYears(-25));
        var latest = referenceDate.AddDays(-180);
        var acquired = Between(earliest, latest > earliest ? latest : earliest, random);
        var draw = random.Next(100);
        DemoQualification qualification;
        if (draw < 7)
        {
            // Left employee insurance recently: 資格喪失日 is the day after the last day of work.
            var lost = Between(referenceDate.AddDays(-90), referenceDate.AddDays(-1), random);
            qualification = new DemoQualification(person, HealthInsuranceMemberCategory.Insured, null, acquired, lost, QualificationLossReason.Retirement);
        }
        else if (draw < 11 && acquired < referenceDate.AddYears(-2))
        {
            var lost = Between(acquired.AddDays(180), referenceDate.AddYears(-1), random);
            qualification = new DemoQualification(person, HealthInsuranceMemberCategory.Insured, null, acquired, lost,
                random.Next(2) == 0 ? QualificationLossReason.Transfer : QualificationLossReason.Retirement);
        }
        else if (draw < 13 && acquired < referenceDate.AddYears(-3))
        {
            // Left, worked elsewhere, came back: a lost qualification and a current one.
            var lost = Between(acquired.AddDays(180), referenceDate.AddYears(-2), random);
            plan.Add(new DemoQualification(person, HealthInsuranceMemberCategory.Insured, null, acquired, lost, QualificationLossReason.Transfer));
            qualification = new DemoQualification(person, HealthInsuranceMemberCategory.Insured, null,
                Between(lost.AddDays(30), referenceDate.AddDays(-180), random), null, null);
        }
        else
            qualification = new DemoQualification(person, HealthInsuranceMemberCategory.Insured, null, acquired, null, null);
        plan.Add(qualification);
        return qualification;
    }

    /// <summary>
    /// Stores the plan for the holder's kind in one transaction. People already recorded are skipped (a second run adds
    /// nothing). Copies are left pending for the feed (<see cref="HolderNode.FeedCopiesAsync"/>).
    /// </summary>
    public static HolderDemoReport Seed(HolderRecords records, IReadOnlyList<HolderDemoPerson> people, DateOnly referenceDate, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var watch = Stopwatch.StartNew();
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var store = records.Store;
        var kind = records.InformationKind;
        return store.Database.InTransaction((c, t) =>
        {
            int stored = 0, skipped = 0, recipients = 0, benefits = 0, insured = 0, dependants = 0, lostRecently = 0;
            if (records.Kind == HolderKind.PensionOrganisation)
            {
                foreach (var record in PlanPension(people, referenceDate))
                {
                    if (store.FindPerson(c, t, record.Person.Number) is not null) { skipped++; continue; }
                    PensionRules.Validate(new PensionRecordRequest(ValidationRequestId, record.Person.Number, record.BasicPensionNumber,
                        record.AmountFiscalYear, record.Benefits, Details(record.Person)));
                    var (personId, _) = store.EnsurePerson(c, t, record.Person.Number, Details(record.Person), now);
                    store.WritePension(c, t, personId, record.BasicPensionNumber, record.AmountFiscalYear, record.Benefits);
                    if (record.Benefits.Count > 0)
                    {
                        store.BumpCopyVersion(c, t, personId, kind);
                        recipients++;
                        benefits += record.Benefits.Count;
                    }
                    stored++;
                }
            }
            else
            {
                var ids = new Dictionary<IndividualNumber, long>();
                foreach (var q in PlanInsurer(people, referenceDate))
                {
                    long? insuredId = null;
                    if (q.Insured is { } insuredPerson)
                    {
                        // The insured person was recorded before this run: leave that family as it is.
                        if (!ids.TryGetValue(insuredPerson.Number, out var id)) { skipped++; continue; }
                        insuredId = id;
                    }
                    if (!ids.TryGetValue(q.Person.Number, out var personId))
                    {
                        if (store.FindPerson(c, t, q.Person.Number) is not null) { skipped++; continue; }
                        personId = store.EnsurePerson(c, t, q.Person.Number, Details(q.Person), now).PersonId;
                        ids[q.Person.Number] = personId;
                        stored++;
                        if (q.Category == HealthInsuranceMemberCategory.Insured) insured++; else dependants++;
                    }
                    store.InsertQualification(c, t, personId, q.Category, insuredId, q.AcquiredOn, q.LostOn, q.LossReason);
                    store.BumpCopyVersion(c, t, personId, kind);
                    if (q.LostOn is { } lost && lost > referenceDate.AddDays(-90) && lost <= referenceDate) lostRecently++;
                }
            }
            return new HolderDemoReport(records.Kind, stored, skipped, recipients, benefits, insured, dependants, lostRecently, watch.Elapsed);
        });
    }

    private static PersonDetails Details(HolderDemoPerson person) => new(null, person.BirthDate, person.Sex);

    private static int AgeOn(DateOnly birthDate, DateOnly date)
    {
        var age = date.Year - birthDate.Year;
        return date < birthDate.AddYears(age) ? age - 1 : age;
    }

    /// <summary>A generator for one person's (or household's) draws: seeded from the stable seed, so the same in every run.</summary>
    private static Random RandomFor(ulong seed, ulong salt)
    {
        var mixed = Mix(seed ^ salt);
        return new Random((int)(mixed ^ (mixed >> 32)) & int.MaxValue);
    }

    /// <summary>A 64-bit finaliser (the SplitMix64 output function): nearby seeds give unrelated generators.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static DateOnly Between(DateOnly from, DateOnly to, Random random) =>
        to <= from ? from : from.AddDays(random.Next(to.DayNumber - from.DayNumber + 1));

    private static DateOnly Later(DateOnly from, DateOnly referenceDate, Random random) => Between(from, Max(from, referenceDate.AddDays(-1)), random);

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
}
