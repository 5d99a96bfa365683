using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;

namespace Renkei.Municipality.Business;

/// <summary>Kinds of aid (扶助の種類) under the Public Assistance Act.</summary>
public enum AidType
{
    /// <summary>生活扶助</summary>
    Living,
    /// <summary>住宅扶助</summary>
    Housing,
    /// <summary>教育扶助</summary>
    Education,
    /// <summary>医療扶助</summary>
    Medical,
    /// <summary>介護扶助</summary>
    Care,
}

/// <summary>
/// Simplified monthly public-assistance amounts for Tokyo's 23 wards (1級地-1), demo figures of the FY2024 standard:
/// living aid per member by age (under 12: 44,000; 12–19: 48,000; 20–64: 46,000; 65+: 43,000) plus a household part
/// (1 person 28,000 rising by 4,000 per additional member, at most 48,000); housing aid up to 53,700 (1 person), 64,000
/// (2) or 69,800 (3+); education aid 2,600 per child aged 6–14. Income is deducted from the total (never below zero).
/// Medical and care aid are paid in kind to providers and count 0 here.
/// </summary>
public static class PublicAssistanceRules
{
    public static long MonthlyAmount(IReadOnlyList<int> ages, long monthlyIncome, IReadOnlySet<AidType> aid)
    {
        if (ages.Count == 0) throw new BusinessSystemException(BusinessSystemException.InvalidInput, "保護世帯に世帯員がいません");
        long total = 0;
        if (aid.Contains(AidType.Living))
            total += ages.Sum(a => a < 12 ? 44_000L : a < 20 ? 48_000L : a < 65 ? 46_000L : 43_000L) + Math.Min(48_000, 28_000 + 4_000L * (ages.Count - 1));
        if (aid.Contains(AidType.Housing)) total += ages.Count == 1 ? 53_700 : ages.Count == 2 ? 64_000 : 69_800;
        if (aid.Contains(AidType.Education)) total += 2_600L * ages.Count(a => a is >= 6 and <= 14);
        return Math.Max(0, total - Math.Max(0, monthlyIncome));
    }

    public static string Code(this AidType aid) => aid switch
    {
        AidType.Living => "living",
        AidType.Housing => "housing",
        AidType.Education => "education",
        AidType.Medical => "medical",
        AidType.Care => "care",
        _ => throw new ArgumentOutOfRangeException(nameof(aid)),
    };

    public static AidType FromCode(string code) => code switch
    {
        "living" => AidType.Living,
        "housing" => AidType.Housing,
        "education" => AidType.Education,
        "medical" => AidType.Medical,
        "care" => AidType.Care,
        _ => throw new FormatException("unknown aid type"),
    };
}

/// <summary>A public-assistance case (保護世帯) to load.</summary>
public sealed record PublicAssistanceCase(string HouseholdNumber, IntegratedAddresseeNumber Head, IReadOnlyList<IntegratedAddresseeNumber> Members,
    DateOnly StartedOn, IReadOnlyList<AidType> AidTypes, long MonthlyAmount);

/// <summary>The 生活保護関係情報 body provided to other systems.</summary>
public sealed record PublicAssistanceInformation(bool Receiving, DateOnly StartedOn, IReadOnlyList<AidType> AidTypes, long MonthlyAmount, int HouseholdMembers);

/// <summary>
/// The public assistance system (生活保護システム, tables <c>pa_*</c>): cases by household, members, aid types and monthly
/// amounts. Serves <c>public-assistance</c>, <c>china-returnee-support</c> and <c>ord-foreign-resident-assistance</c>;
/// provides <c>public-assistance</c>. Numbers are kept 5 years after the case closed.
/// </summary>
public sealed class PublicAssistanceSystem(AddresseeSystem addressee, RetentionPolicy? retention = null)
    : BusinessSystemStore(addressee, Code, "pa_", retention ?? DefaultRetention)
{
    public const string Code = "public-assistance";
    public const string Kind = "public-assistance";
    public static readonly RetentionPolicy DefaultRetention = new(5);

    public override string Name => "生活保護システム";
    public override IReadOnlyList<string> InformationKinds { get; } = [Kind];

    public long Import(IEnumerable<PublicAssistanceCase> cases)
    {
        var list = cases.ToList();
        return Database.InTransaction((connection, transaction) =>
        {
            var ids = EnrolMany(connection, transaction, list.SelectMany(c => c.Members.Append(c.Head).Select(m => (m, c.StartedOn))).ToList());
            var first = connection.Command("SELECT COALESCE(MAX(case_id), 0) FROM pa_cases", transaction).ScalarInt64() + 1;
            using (var insert = BulkInsert.Begin(connection, "pa_cases", "case_id", "household_number", "head_person_id", "started_on", "aid_types", "monthly_amount"))
            {
                for (var i = 0; i < list.Count; i++)
                    insert.Row(first + i, list[i].HouseholdNumber, ids[list[i].Head.ToInt64()], Dates.Format(list[i].StartedOn),
                        string.Join(",", list[i].AidTypes.Select(a => a.Code())), list[i].MonthlyAmount);
                insert.Complete();
            }
            using (var insert = BulkInsert.Begin(connection, "pa_members", "person_id", "case_id"))
            {
                for (var i = 0; i < list.Count; i++)
                    foreach (var member in list[i].Members.Append(list[i].Head).Distinct())
                        insert.Row(ids[member.ToInt64()], first + i);
                insert.Complete();
            }
            return (long)list.Count;
        });
    }

    public bool IsReceiving(IntegratedAddresseeNumber subject) => Provide(Kind, subject, DateOnly.MaxValue) is not null;

    public override ProvidedInformation? Provide(string informationKind, IntegratedAddresseeNumber subject, DateOnly asOf)
    {
        RequireKind(informationKind);
        using var connection = Database.Open();
        using var command = connection.Command("""
            SELECT c.started_on, c.aid_types, c.monthly_amount, (SELECT COUNT(*) FROM pa_members x WHERE x.case_id = c.case_id)
            FROM pa_members m JOIN pa_persons p ON p.person_id = m.person_id JOIN pa_cases c ON c.case_id = m.case_id
            WHERE p.addressee_number = @a AND c.ended_on IS NULL AND c.started_on <= @d
            """).With("@a", subject.ToInt64()).With("@d", asOf == DateOnly.MaxValue ? "9999-12-31" : Dates.Format(asOf));
        using var r = command.ExecuteReader();
        if (!r.Read()) return null;
        var aid = r.GetString(1).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(PublicAssistanceRules.FromCode).ToList();
        return Information(Kind, subject, asOf, new PublicAssistanceInformation(true, Dates.Parse(r.GetString(0)), aid, r.GetInt64(2), (int)r.GetInt64(3)));
    }

    protected override void OnRelationshipEnded(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction,
        IntegratedAddresseeNumber addressee, DateOnly endedOn) =>
        connection.Command("UPDATE pa_cases SET ended_on = @d WHERE ended_on IS NULL AND head_person_id = (SELECT person_id FROM pa_persons WHERE addressee_number = @a)", transaction)
            .With("@d", Dates.Format(endedOn)).With("@a", addressee.ToInt64()).ExecuteNonQuery();
}
