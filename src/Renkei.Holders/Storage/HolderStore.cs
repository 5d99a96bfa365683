using System.Data;
using System.Data.Common;
using System.Globalization;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Storage;

/// <summary>A copy whose version has not reached the intermediate server yet.</summary>
public sealed record PendingCopy(long PersonId, string Kind, long Version);

/// <summary>
/// The holder's own database (SQLite or PostgreSQL), separate from its intermediate server's:
/// <code>
/// holder_people            (person_id, individual_number, display_name, birth_date, sex, created_at, token_acquired_at)
/// pension_members          (person_id, basic_pension_number, amount_fiscal_year)             日本年金機構
/// pension_benefits         (person_id, seq, pension_type, scheme, disability_grade, annual_amount, right_acquired_on,
///                           payment_from, payment_until, suspended, suspended_from)
/// insurance_qualifications (qualification_id, person_id, category, insured_person_id, acquired_on, lost_on, loss_reason)  健康保険組合
/// holder_copy_state        (person_id, kind, version, fed_version)   the outbox of the feed to the intermediate server
/// holder_requests          request ids of the staff API (idempotent retries)
/// </code>
/// The person ID is the holder's own and is what its intermediate server knows the person by (the addressee-number
/// field); the individual number stays here. Methods taking a connection and transaction run inside the caller's.
/// </summary>
public sealed class HolderStore(Database database)
{
    private const string DateFormat = "yyyy-MM-dd";
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public Database Database { get; } = database;

    internal RequestLedger Requests { get; } = new("holder_requests");

    /// <summary>Creates or upgrades the holder's tables (<see cref="HoldersSchema"/>).</summary>
    public void EnsureSchema() => Migrations.Apply(Database, HoldersSchema.Tables);

    // ---------------------------------------------------------------- people

    public long? FindPerson(DbConnection c, DbTransaction? t, IndividualNumber number)
    {
        using var command = FindPersonCommand(c, t, number);
        return ToPersonId(command.ExecuteScalar());
    }

    /// <summary><see cref="FindPerson"/> for request paths, on its own connection (asynchronous on PostgreSQL).</summary>
    public async Task<long?> FindPersonAsync(IndividualNumber number, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var command = FindPersonCommand(c, null, number);
        return ToPersonId(await command.ScalarAsync(cancellationToken));
    }

    private static DbCommand FindPersonCommand(DbConnection c, DbTransaction? t, IndividualNumber number) =>
        c.Command("SELECT person_id FROM holder_people WHERE individual_number = @n", t).With("n", number.ToInt64());

    private static long? ToPersonId(object? value) => value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    /// <summary>The person's ID, creating the person (with <paramref name="details"/>) when new; known people get the details given (non-null parts).</summary>
    public (long PersonId, bool Created) EnsurePerson(DbConnection c, DbTransaction t, IndividualNumber number, PersonDetails? details, DateTimeOffset now)
    {
        if (FindPerson(c, t, number) is { } existing)
        {
            if (details is not null)
                using (var update = c.Command("""
                    UPDATE holder_people SET display_name = COALESCE(@name, display_name), birth_date = COALESCE(@birth, birth_date),
                        sex = COALESCE(@sex, sex) WHERE person_id = @p
                    """, t))
                    update.With("name", details.Name).With("birth", FormatDate(details.BirthDate)).With("sex", (int?)details.Sex)
                        .With("p", existing).ExecuteNonQuery();
            return (existing, false);
        }
        using var insert = c.Command("""
            INSERT INTO holder_people (individual_number, display_name, birth_date, sex, created_at)
            VALUES (@n, @name, @birth, @sex, @at) RETURNING person_id
            """, t);
        insert.With("n", number.ToInt64()).With("name", details?.Name).With("birth", FormatDate(details?.BirthDate))
            .With("sex", (int?)details?.Sex).With("at", FormatTime(now));
        return (insert.ScalarInt64(), true);
    }

    public PersonDetails? ReadDetails(DbConnection c, DbTransaction? t, long personId, out bool tokenAcquired)
    {
        using var command = c.Command("SELECT display_name, birth_date, sex, token_acquired_at FROM holder_people WHERE person_id = @p", t).With("p", personId);
        using var reader = command.ExecuteReader();
        tokenAcquired = false;
        if (!reader.Read()) return null;
        tokenAcquired = !reader.IsDBNull(3);
        return new PersonDetails(reader.NullableString(0), ParseDate(reader.NullableString(1)), reader.IsDBNull(2) ? null : (Sex)reader.GetInt32(2));
    }

    public DateOnly? BirthDate(DbConnection c, DbTransaction? t, long personId)
    {
        using var command = c.Command("SELECT birth_date FROM holder_people WHERE person_id = @p", t).With("p", personId);
        return ParseDate(command.ExecuteScalar() as string);
    }

    public long CountPeople()
    {
        using var c = Database.Open();
        using var command = c.Command("SELECT COUNT(*) FROM holder_people");
        return command.ScalarInt64();
    }

    // ---------------------------------------------------------------- tokens

    /// <summary>People without a token, by person ID, after <paramref name="afterPersonId"/> (for paging through everyone).</summary>
    public List<(long PersonId, IndividualNumber Number)> PeopleWithoutToken(long afterPersonId, int limit)
    {
        using var c = Database.Open();
        using var command = c.Command("""
            SELECT person_id, individual_number FROM holder_people
            WHERE token_acquired_at IS NULL AND person_id > @after ORDER BY person_id LIMIT @limit
            """).With("after", afterPersonId).With("limit", limit);
        using var reader = command.ExecuteReader();
        var people = new List<(long, IndividualNumber)>();
        while (reader.Read()) people.Add((reader.GetInt64(0), IndividualNumber.FromInt64(reader.GetInt64(1))));
        return people;
    }

    public void MarkTokenAcquired(IReadOnlyCollection<long> personIds, DateTimeOffset now)
    {
        if (personIds.Count == 0) return;
        Database.InTransaction((c, t) =>
        {
            using var update = c.Command("UPDATE holder_people SET token_acquired_at = @at WHERE person_id = @p AND token_acquired_at IS NULL", t);
            update.With("at", FormatTime(now));
            var id = update.Parameter("p", DbType.Int64);
            foreach (var personId in personIds)
            {
                id.Value = personId;
                update.ExecuteNonQuery();
            }
        });
    }

    // ---------------------------------------------------------------- pension (日本年金機構)

    /// <summary>The person who holds <paramref name="basicPensionNumber"/>, if anyone.</summary>
    public long? PersonWithBasicPensionNumber(DbConnection c, DbTransaction t, string basicPensionNumber)
    {
        using var command = c.Command("SELECT person_id FROM pension_members WHERE basic_pension_number = @b", t).With("b", basicPensionNumber);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? null : Convert.ToInt64(value, CultureInfo.InvariantCulture);
    }

    public void WritePension(DbConnection c, DbTransaction t, long personId, string basicPensionNumber, int amountFiscalYear, IReadOnlyList<PensionBenefitItem> benefits)
    {
        using (var member = c.Command("""
            INSERT INTO pension_members (person_id, basic_pension_number, amount_fiscal_year) VALUES (@p, @b, @y)
            ON CONFLICT (person_id) DO UPDATE SET basic_pension_number = excluded.basic_pension_number, amount_fiscal_year = excluded.amount_fiscal_year
            """, t))
            member.With("p", personId).With("b", basicPensionNumber).With("y", amountFiscalYear).ExecuteNonQuery();
        using (var delete = c.Command("DELETE FROM pension_benefits WHERE person_id = @p", t))
            delete.With("p", personId).ExecuteNonQuery();
        using var insert = c.Command("""
            INSERT INTO pension_benefits (person_id, seq, pension_type, scheme, disability_grade, annual_amount, right_acquired_on,
                payment_from, payment_until, suspended, suspended_from)
            VALUES (@p, @seq, @type, @scheme, @grade, @amount, @right, @from, @until, @suspended, @suspendedFrom)
            """, t);
        var p = insert.Parameter("p", DbType.Int64);
        var seq = insert.Parameter("seq", DbType.Int32);
        var type = insert.Parameter("type", DbType.String);
        var scheme = insert.Parameter("scheme", DbType.String);
        var grade = insert.Parameter("grade", DbType.Int32);
        var amount = insert.Parameter("amount", DbType.Int64);
        var right = insert.Parameter("right", DbType.String);
        var from = insert.Parameter("from", DbType.String);
        var until = insert.Parameter("until", DbType.String);
        var suspended = insert.Parameter("suspended", DbType.Int32);
        var suspendedFrom = insert.Parameter("suspendedFrom", DbType.String);
        for (var i = 0; i < benefits.Count; i++)
        {
            var b = benefits[i];
            p.Value = personId;
            seq.Value = i + 1;
            type.Value = Code(b.PensionType);
            scheme.Value = Code(b.Scheme);
            grade.Value = (object?)b.DisabilityGrade ?? DBNull.Value;
            amount.Value = b.AnnualAmount;
            right.Value = FormatDate(b.RightAcquiredOn);
            from.Value = FormatDate(b.PaymentFrom);
            until.Value = (object?)FormatDate(b.PaymentUntil) ?? DBNull.Value;
            suspended.Value = b.Suspended ? 1 : 0;
            suspendedFrom.Value = (object?)FormatDate(b.SuspendedFrom) ?? DBNull.Value;
            insert.ExecuteNonQuery();
        }
    }

    public PensionView? ReadPension(DbConnection c, DbTransaction? t, long personId)
    {
        string basicPensionNumber;
        int fiscalYear;
        using (var member = c.Command("SELECT basic_pension_number, amount_fiscal_year FROM pension_members WHERE person_id = @p", t).With("p", personId))
        using (var reader = member.ExecuteReader())
        {
            if (!reader.Read()) return null;
            basicPensionNumber = reader.GetString(0);
            fiscalYear = reader.GetInt32(1);
        }
        using var command = c.Command("""
            SELECT pension_type, scheme, disability_grade, annual_amount, right_acquired_on, payment_from, payment_until, suspended, suspended_from
            FROM pension_benefits WHERE person_id = @p ORDER BY seq
            """, t).With("p", personId);
        using var rows = command.ExecuteReader();
        var benefits = new List<PensionBenefitItem>();
        while (rows.Read())
            benefits.Add(new PensionBenefitItem(
                Enum.Parse<PensionType>(rows.GetString(0), ignoreCase: true),
                Enum.Parse<PensionScheme>(rows.GetString(1), ignoreCase: true),
                rows.IsDBNull(2) ? null : rows.GetInt32(2),
                rows.GetInt64(3),
                ParseDate(rows.GetString(4))!.Value,
                ParseDate(rows.GetString(5))!.Value,
                ParseDate(rows.NullableString(6)),
                rows.GetInt64(7) != 0,
                ParseDate(rows.NullableString(8))));
        return new PensionView(basicPensionNumber, fiscalYear, benefits);
    }

    // ---------------------------------------------------------------- insurance (健康保険組合)

    public List<QualificationView> ReadQualifications(DbConnection c, DbTransaction? t, long personId)
    {
        using var command = c.Command("""
            SELECT qualification_id, category, insured_person_id, acquired_on, lost_on, loss_reason
            FROM insurance_qualifications WHERE person_id = @p ORDER BY acquired_on, qualification_id
            """, t).With("p", personId);
        using var reader = command.ExecuteReader();
        var list = new List<QualificationView>();
        while (reader.Read()) list.Add(ReadQualification(reader));
        return list;
    }

    /// <summary>The qualification not yet lost, if any (a person holds at most one at a time).</summary>
    public QualificationView? CurrentQualification(DbConnection c, DbTransaction? t, long personId) =>
        ReadQualifications(c, t, personId).LastOrDefault(q => q.LostOn is null);

    /// <summary>Current (not lost) dependants of insured person <paramref name="insuredPersonId"/>.</summary>
    public List<QualificationView> CurrentDependants(DbConnection c, DbTransaction t, long insuredPersonId)
    {
        using var command = c.Command("""
            SELECT qualification_id, category, insured_person_id, acquired_on, lost_on, loss_reason, person_id
            FROM insurance_qualifications WHERE insured_person_id = @p AND lost_on IS NULL ORDER BY qualification_id
            """, t).With("p", insuredPersonId);
        using var reader = command.ExecuteReader();
        var list = new List<QualificationView>();
        while (reader.Read()) list.Add(ReadQualification(reader));
        return list;
    }

    /// <summary>The person a qualification belongs to.</summary>
    public long PersonOfQualification(DbConnection c, DbTransaction t, long qualificationId)
    {
        using var command = c.Command("SELECT person_id FROM insurance_qualifications WHERE qualification_id = @q", t).With("q", qualificationId);
        return command.ScalarInt64();
    }

    public long InsertQualification(DbConnection c, DbTransaction t, long personId, HealthInsuranceMemberCategory category, long? insuredPersonId,
        DateOnly acquiredOn, DateOnly? lostOn = null, QualificationLossReason? lossReason = null)
    {
        using var insert = c.Command("""
            INSERT INTO insurance_qualifications (person_id, category, insured_person_id, acquired_on, lost_on, loss_reason)
            VALUES (@p, @c, @i, @a, @l, @r) RETURNING qualification_id
            """, t);
        insert.With("p", personId).With("c", Code(category)).With("i", insuredPersonId).With("a", FormatDate(acquiredOn))
            .With("l", FormatDate(lostOn)).With("r", lossReason is { } reason ? Code(reason) : null);
        return insert.ScalarInt64();
    }

    public void MarkLost(DbConnection c, DbTransaction t, long qualificationId, DateOnly lostOn, QualificationLossReason reason)
    {
        using var update = c.Command("UPDATE insurance_qualifications SET lost_on = @l, loss_reason = @r WHERE qualification_id = @q AND lost_on IS NULL", t);
        update.With("l", FormatDate(lostOn)).With("r", Code(reason)).With("q", qualificationId).ExecuteNonQuery();
    }

    private static QualificationView ReadQualification(DbDataReader reader) => new(
        reader.GetInt64(0),
        Enum.Parse<HealthInsuranceMemberCategory>(reader.GetString(1), ignoreCase: true),
        reader.NullableInt64(2),
        ParseDate(reader.GetString(3))!.Value,
        ParseDate(reader.NullableString(4)),
        reader.IsDBNull(5) ? null : Enum.Parse<QualificationLossReason>(reader.GetString(5), ignoreCase: true));

    // ---------------------------------------------------------------- the feed's outbox

    /// <summary>Raises the version of the person's copy of <paramref name="kind"/> (the record changed); returns the new version.</summary>
    public long BumpCopyVersion(DbConnection c, DbTransaction t, long personId, string kind)
    {
        using var command = c.Command("""
            INSERT INTO holder_copy_state (person_id, kind, version, fed_version) VALUES (@p, @k, 1, 0)
            ON CONFLICT (person_id, kind) DO UPDATE SET version = holder_copy_state.version + 1
            RETURNING version
            """, t).With("p", personId).With("k", kind);
        return command.ScalarInt64();
    }

    public long CopyVersion(DbConnection c, DbTransaction? t, long personId, string kind)
    {
        using var command = c.Command("SELECT version FROM holder_copy_state WHERE person_id = @p AND kind = @k", t).With("p", personId).With("k", kind);
        return command.ScalarInt64();
    }

    /// <summary>Copies whose current version has not been sent, in person order, at most <paramref name="limit"/>, optionally only for <paramref name="personIds"/>.</summary>
    public List<PendingCopy> PendingCopies(DbConnection c, DbTransaction? t, int limit, IReadOnlyCollection<long>? personIds = null)
    {
        var filter = personIds is null ? "" : " AND person_id IN (" + string.Join(",", personIds.Select(p => p.ToString(CultureInfo.InvariantCulture))) + ")";
        using var command = c.Command(
            $"SELECT person_id, kind, version FROM holder_copy_state WHERE version > fed_version{filter} ORDER BY person_id, kind LIMIT @limit", t)
            .With("limit", limit);
        using var reader = command.ExecuteReader();
        var pending = new List<PendingCopy>();
        while (reader.Read()) pending.Add(new PendingCopy(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
        return pending;
    }

    /// <summary>Records that these versions reached the intermediate server (a later version stays pending).</summary>
    public void MarkFed(IReadOnlyList<PendingCopy> copies) => Database.InTransaction((c, t) =>
    {
        using var update = c.Command("UPDATE holder_copy_state SET fed_version = @v WHERE person_id = @p AND kind = @k AND fed_version < @v", t);
        var v = update.Parameter("v", DbType.Int64);
        var p = update.Parameter("p", DbType.Int64);
        var k = update.Parameter("k", DbType.String);
        foreach (var copy in copies)
        {
            v.Value = copy.Version;
            p.Value = copy.PersonId;
            k.Value = copy.Kind;
            update.ExecuteNonQuery();
        }
    });

    // ---------------------------------------------------------------- formats

    internal static string Code<TEnum>(TEnum value) where TEnum : struct, Enum => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());

    internal static string? FormatDate(DateOnly? date) => date?.ToString(DateFormat, CultureInfo.InvariantCulture);

    internal static string FormatDate(DateOnly date) => date.ToString(DateFormat, CultureInfo.InvariantCulture);

    internal static DateOnly? ParseDate(string? text) =>
        text is null ? null : DateOnly.ParseExact(text, DateFormat, CultureInfo.InvariantCulture);

    internal static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);
}
