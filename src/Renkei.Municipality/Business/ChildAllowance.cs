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
/// Simplified child-allowance rules (児童手当法), two periods:
/// <list type="bullet">
/// <item>From 2024-10-01 (the 2024 reform): every child under 18 on the day counts (a simplification of "until the first
/// 31 March after the 18th birthday"); no income limit; per child per month 15,000 yen under 3 and 10,000 yen from 3,
/// and 30,000 yen for the third and later child (order by birth date, eldest first, among the counted children).</item>
/// <item>Before 2024-10-01: children under 15; 15,000 yen under 3, 10,000 yen from 3, 15,000 yen for the third and later
/// child of primary-school age (under 12); the income limit is left out.</item>
/// </list>
/// The recipient is the household head, or the eldest adult (18+) when the head is not a parent-age adult.
/// </summary>
public static class ChildAllowanceRules
{
    public static readonly DateOnly Reform2024 = new(2024, 10, 1);

    /// <summary>The age up to which (exclusive) a child counts on <paramref name="date"/>.</summary>
    public static int AgeLimit(DateOnly date) => date >= Reform2024 ? 18 : 15;

    public static bool Counts(DateOnly birthDate, DateOnly date) => birthDate <= date && Dates.Age(birthDate, date) < AgeLimit(date);

    /// <summary>Monthly amount for each counted child (eldest first); children who do not count are left out.</summary>
    public static IReadOnlyList<(DateOnly BirthDate, int Order, long MonthlyAmount)> Amounts(IEnumerable<DateOnly> birthDates, DateOnly date)
    {
        var counted = birthDates.Where(b => Counts(b, date)).OrderBy(b => b).ToList();
        var list = new List<(DateOnly, int, long)>(counted.Count);
        for (var i = 0; i < counted.Count; i++)
        {
            var order = i + 1;
            var age = Dates.Age(counted[i], date);
            long amount;
            if (date >= Reform2024) amount = order >= 3 ? 30_000 : age < 3 ? 15_000 : 10_000;
            else amount = age < 3 ? 15_000 : order >= 3 && age < 12 ? 15_000 : 10_000;
            list.Add((counted[i], order, amount));
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
