using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;

namespace Renkei.Municipality.Business;

/// <summary>One child counted for the allowance, with the monthly amount for that child.</summary>
public sealed record ChildAllowanceChild(IntegratedAddresseeNumber Child, DateOnly BirthDate, int Order, long MonthlyAmount);

/// <summary>A recipient (受給者) and the children the allowance is paid for.</summary>
public sealed record ChildAllowanceAward(IntegratedAddresseeNumber Recipient, string HouseholdNumber, DateOnly CertifiedOn, IReadOnlyList<ChildAllowanceChild> Children)
{
    public long MonthlyAmount => Children.Sum(c => c.MonthlyAmount);
}

/// <summary>The 児童手当等関係情報 body provided to other systems.</summary>
public sealed record ChildAllowanceInformation(bool Recipient, DateOnly? CertifiedOn, long MonthlyAmount, int Children, IReadOnlyList<string> ChildAddresseeNumbers, bool CountedAsChild);

/// <summary>
/// The child-allowance rules (児童手当法) by the day they apply to, in two periods:
/// <list type="bullet">
/// <item>From 2024-10-01 (令和6年10月分から, the 2024 reform): a child is paid for until the first 31 March on or after
/// the day they reach 18 (高校生年代まで); no income limit; per child per month 15,000 yen until the end of the month in
/// which they reach 3, then 10,000 yen, and 30,000 yen for the third and later child, where children are counted, eldest
/// first, until the first 31 March after they reach 22 (多子加算: 大学生年代まで, when the parent still supports them).</item>
/// <item>Before 2024-10-01: paid until the first 31 March after the child reaches 15 (中学校修了前); 15,000 yen under 3,
/// 10,000 yen from 3, 15,000 yen for the third and later child before the end of primary school (小学校修了前), children
/// counted until the first 31 March after they reach 18; the income limit is applied by the procedure, not here.</item>
/// </list>
/// One reaches an age the day before the birthday (年齢計算ニ関スル法律), so a child born on 1 April finishes a school year
/// earlier than one born on 2 April. Simplification: whether a child of 18–22 is still supported is the applicant's
/// declaration (the children the application names are counted).
/// </summary>
public static class ChildAllowanceRules
{
    public static readonly DateOnly Reform2024 = new(2024, 10, 1);

    /// <summary>The age after whose first 31 March a child is no longer paid for on <paramref name="date"/> (18, or 15 before the reform).</summary>
    public static int AgeLimit(DateOnly date) => date >= Reform2024 ? 18 : 15;

    /// <summary>The age after whose first 31 March a child no longer counts for the third-child rate (22, or 18 before the reform).</summary>
    public static int CountingLimit(DateOnly date) => date >= Reform2024 ? 22 : 18;

    /// <summary>The first 31 March on or after the day a person born on <paramref name="birthDate"/> reaches <paramref name="age"/>.</summary>
    public static DateOnly FirstMarch31AfterReaching(DateOnly birthDate, int age)
    {
        var reached = birthDate.AddYears(age).AddDays(-1);
        var march31 = new DateOnly(reached.Year, 3, 31);
        return reached <= march31 ? march31 : march31.AddYears(1);
    }

    /// <summary>Whether the allowance is paid for a child born on <paramref name="birthDate"/> on <paramref name="date"/>.</summary>
    public static bool Counts(DateOnly birthDate, DateOnly date) => birthDate <= date && date <= FirstMarch31AfterReaching(birthDate, AgeLimit(date));

    /// <summary>Whether the child is counted when children are numbered for the third-child rate.</summary>
    public static bool CountsForOrder(DateOnly birthDate, DateOnly date) =>
        birthDate <= date && date <= FirstMarch31AfterReaching(birthDate, CountingLimit(date));

    /// <summary>Under 3 for the amount: until the end of the month in which the child reaches 3.</summary>
    public static bool UnderThree(DateOnly birthDate, DateOnly date)
    {
        var reached = birthDate.AddYears(3).AddDays(-1);
        return date <= new DateOnly(reached.Year, reached.Month, DateTime.DaysInMonth(reached.Year, reached.Month));
    }

    /// <summary>
    /// Monthly amount for each child paid for, with the child's place in the count (eldest first among the children
    /// counted); children counted but not paid for (e.g. 18–22) and children who do not count are left out.
    /// </summary>
    public static IReadOnlyList<(DateOnly BirthDate, int Order, long MonthlyAmount)> Amounts(IEnumerable<DateOnly> birthDates, DateOnly date)
    {
        var counted = birthDates.Where(b => CountsForOrder(b, date)).OrderBy(b => b).ToList();
        var list = new List<(DateOnly, int, long)>(counted.Count);
        for (var i = 0; i < counted.Count; i++)
        {
            var (birth, order) = (counted[i], i + 1);
            if (!Counts(birth, date)) continue;
            long amount;
            if (date >= Reform2024) amount = order >= 3 ? 30_000 : UnderThree(birth, date) ? 15_000 : 10_000;
            else amount = UnderThree(birth, date) ? 15_000 : order >= 3 && date <= FirstMarch31AfterReaching(birth, 12) ? 15_000 : 10_000;
            list.Add((birth, order, amount));
        }
        return list;
    }
}

/// <summary>
/// The child allowance system (児童手当システム, tables <c>ca_*</c>): recipients with their certification and the children
/// they receive it for (by addressee number), monthly amounts per the rules in force. Serves <c>child-allowance</c>;
/// provides <c>child-allowance</c>. Recipients and children are both enrolled (numbers of both are collected at
/// application). Numbers are kept 5 years after the relationship ended (the period of the allowance's claims, 時効, plus margin).
/// </summary>
public sealed class ChildAllowanceSystem(AddresseeSystem addressee, RetentionPolicy? retention = null)
    : BusinessSystemStore(addressee, Code, "ca_", retention ?? DefaultRetention)
{
    public const string Code = "child-allowance";
    public const string Kind = "child-allowance";
    public static readonly RetentionPolicy DefaultRetention = new(5);

    public override string Name => "児童手当システム";
    public override IReadOnlyList<string> InformationKinds { get; } = [Kind];

    /// <summary>Bulk load (one transaction). Returns recipients stored.</summary>
    public long Import(IEnumerable<ChildAllowanceAward> awards)
    {
        var list = awards.ToList();
        return Database.InTransaction((connection, transaction) =>
        {
            var people = list.Select(a => (a.Recipient, a.CertifiedOn))
                .Concat(list.SelectMany(a => a.Children.Select(c => (c.Child, a.CertifiedOn)))).ToList();
            var ids = EnrolMany(connection, transaction, people);
            using (var recipients = BulkInsert.Begin(connection, "ca_recipients", "person_id", "household_number", "certified_on", "monthly_amount"))
            {
                foreach (var a in list) recipients.Row(ids[a.Recipient.ToInt64()], a.HouseholdNumber, Dates.Format(a.CertifiedOn), a.MonthlyAmount);
                recipients.Complete();
            }
            using (var children = BulkInsert.Begin(connection, "ca_children",
                "recipient_person_id", "child_person_id", "child_addressee_number", "child_birth_date", "child_order", "monthly_amount"))
            {
                foreach (var a in list)
                    foreach (var c in a.Children)
                        children.Row(ids[a.Recipient.ToInt64()], ids[c.Child.ToInt64()], c.Child.ToInt64(), Dates.Format(c.BirthDate), (long)c.Order, c.MonthlyAmount);
                children.Complete();
            }
            return (long)list.Count;
        });
    }

    /// <summary>The current award of a recipient, or null.</summary>
    public ChildAllowanceAward? Award(IntegratedAddresseeNumber recipient)
    {
        using var connection = Database.Open();
        long personId;
        string household;
        DateOnly certified;
        using (var command = connection.Command("""
            SELECT r.person_id, r.household_number, r.certified_on FROM ca_recipients r JOIN ca_persons p ON p.person_id = r.person_id
            WHERE p.addressee_number = @a AND r.ended_on IS NULL
            """).With("@a", recipient.ToInt64()))
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read()) return null;
            (personId, household, certified) = (reader.GetInt64(0), reader.GetString(1), Dates.Parse(reader.GetString(2)));
        }
        var children = new List<ChildAllowanceChild>();
        using (var command = connection.Command(
            "SELECT child_addressee_number, child_birth_date, child_order, monthly_amount FROM ca_children WHERE recipient_person_id = @p ORDER BY child_order")
            .With("@p", personId))
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                children.Add(new ChildAllowanceChild(IntegratedAddresseeNumber.FromInt64(reader.GetInt64(0)), Dates.Parse(reader.GetString(1)),
                    (int)reader.GetInt64(2), reader.GetInt64(3)));
        return new ChildAllowanceAward(recipient, household, certified, children);
    }

    protected override void OnRelationshipEnded(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        IntegratedAddresseeNumber addressee, DateOnly endedOn) =>
        connection.Command("UPDATE ca_recipients SET ended_on = @d WHERE ended_on IS NULL AND person_id = (SELECT person_id FROM ca_persons WHERE addressee_number = @a)", transaction)
            .With("@d", Dates.Format(endedOn)).With("@a", addressee.ToInt64()).ExecuteNonQuery();

    public override ProvidedInformation? Provide(string informationKind, IntegratedAddresseeNumber subject, DateOnly asOf)
    {
        RequireKind(informationKind);
        var award = Award(subject);
        if (award is not null)
            return Information(Kind, subject, asOf, new ChildAllowanceInformation(true, award.CertifiedOn, award.MonthlyAmount, award.Children.Count,
                award.Children.Select(c => c.Child.Digits).ToList(), false));
        using var connection = Database.Open();
        var asChild = connection.Command("SELECT COUNT(*) FROM ca_children WHERE child_addressee_number = @a").With("@a", subject.ToInt64()).ScalarInt64() > 0;
        return asChild ? Information(Kind, subject, asOf, new ChildAllowanceInformation(false, null, 0, 0, [], true)) : null;
    }
}
