using System.Data.Common;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Municipality.Addressee;

namespace Renkei.Municipality.Business;

/// <summary>
/// How long a business system keeps individual numbers after its relationship with the person ended (保管期間):
/// the number is deleted on the first day after <see cref="YearsAfterRelationshipEnded"/> years have passed.
/// </summary>
public sealed record RetentionPolicy(int YearsAfterRelationshipEnded)
{
    /// <summary>The first day the number may no longer be held.</summary>
    public DateOnly ExpiresOn(DateOnly relationshipEnded) => relationshipEnded.AddYears(YearsAfterRelationshipEnded).AddDays(1);

    public void Validate()
    {
        if (YearsAfterRelationshipEnded is < 1 or > 100) throw new ArgumentOutOfRangeException(nameof(YearsAfterRelationshipEnded), "a retention period is 1 to 100 years");
    }
}

/// <summary>Information one system provides about one person (by addressee number, never by individual number).</summary>
public sealed record ProvidedInformation(string InformationKind, string ProviderSystem, IntegratedAddresseeNumber Subject, DateOnly AsOf, JsonElement Body);

/// <summary>A system that can answer for information kinds about a person: business systems, and the resident register.</summary>
public interface IInformationProvider
{
    /// <summary>The business system code of the affair catalogue (<c>individual-residence-tax</c> …).</summary>
    string SystemCode { get; }

    IReadOnlyList<string> InformationKinds { get; }

    /// <summary>The information as of <paramref name="asOf"/>, or null if the system has nothing on the person.</summary>
    ProvidedInformation? Provide(string informationKind, IntegratedAddresseeNumber subject, DateOnly asOf);
}

/// <summary>A person as one business system knows them: its own person ID (宛名番号), whether it still holds their number.</summary>
public sealed record BusinessPerson(long PersonId, IntegratedAddresseeNumber AddresseeNumber, DateOnly EnrolledOn, DateOnly? RelationshipEndedOn,
    bool HoldsNumber, DateOnly? NumberDeletedOn);

/// <summary>One number a business system deleted because its retention period ended (never the number itself).</summary>
public sealed record NumberDeletion(string SystemCode, long PersonId, IntegratedAddresseeNumber AddresseeNumber, DateOnly RelationshipEndedOn, DateOnly DeletedOn);

/// <summary>A business-system operation was refused; the message is Japanese and carries no number.</summary>
public sealed class BusinessSystemException(string code, string message) : Exception(message)
{
    public const string UnknownAddressee = "unknown-addressee";
    public const string NotEnrolled = "not-enrolled";
    public const string InvalidInput = "invalid-input";
    public string Code { get; } = code;
}

/// <summary>
/// The common part of every business system (業務システム): its own person ID space (宛名番号, serials from 1 in
/// <c>&lt;prefix&gt;serials</c>), the persons table <c>&lt;prefix&gt;persons</c> linking each person ID to the integrated
/// addressee number and holding the person's individual number while the relationship lasts (plus the retention
/// period), the deletion record <c>&lt;prefix&gt;number_deletions</c>, and an outbox <c>&lt;prefix&gt;feed_outbox</c>
/// of people whose providable information changed (for the intermediate server's incremental feed).
/// <para>Separation: every business system keeps its own tables under its own prefix inside the ward's database
/// (<c>tax_</c>, <c>ca_</c>, <c>ltc_</c>, <c>nhi_</c>, <c>pa_</c>) and never reads another system's tables; what one
/// system needs from another goes through <see cref="IntraLinkage.IntraMunicipalLinkage"/>. A deployment that wants a
/// database per system can give each store its own <see cref="Database"/> with the register tables replicated.</para>
/// <para>Individual numbers are copied from the addressee system when a person is enrolled (既存システム連携).</para>
/// </summary>
public abstract class BusinessSystemStore : IInformationProvider
{
    protected BusinessSystemStore(AddresseeSystem addressee, string systemCode, string tablePrefix, RetentionPolicy retention)
    {
        retention.Validate();
        Addressee = addressee;
        Database = addressee.Database;
        SystemCode = systemCode;
        TablePrefix = tablePrefix;
        Retention = retention;
        Migrations.Apply(Database, MunicipalitySchema.Tables);
    }

    public AddresseeSystem Addressee { get; }
    public Database Database { get; }
    public string SystemCode { get; }

    /// <summary>The prefix of this system's tables, e.g. <c>tax_</c>.</summary>
    public string TablePrefix { get; }

    public RetentionPolicy Retention { get; }

    /// <summary>The system's Japanese name (as in the affair catalogue's <c>systems</c>).</summary>
    public abstract string Name { get; }

    public abstract IReadOnlyList<string> InformationKinds { get; }

    public abstract ProvidedInformation? Provide(string informationKind, IntegratedAddresseeNumber subject, DateOnly asOf);

    protected string Persons => TablePrefix + "persons";
    private string SerialTable => TablePrefix + "serials";
    internal string DeletionsTable => TablePrefix + "number_deletions";
    internal string OutboxTable => TablePrefix + "feed_outbox";

    protected ProvidedInformation Information<T>(string kind, IntegratedAddresseeNumber subject, DateOnly asOf, T body) =>
        new(kind, SystemCode, subject, asOf, JsonSerializer.SerializeToElement(body, JsonDefaults.Options));

    protected void RequireKind(string informationKind)
    {
        if (!InformationKinds.Contains(informationKind))
            throw new BusinessSystemException(BusinessSystemException.InvalidInput, $"{Name}は情報の種類「{informationKind}」を提供しません");
    }

    // ---------------------------------------------------------------- persons

    public BusinessPerson? FindPerson(IntegratedAddresseeNumber addressee)
    {
        using var connection = Database.Open();
        using var command = connection.Command(
            $"SELECT person_id, addressee_number, enrolled_on, relationship_ended_on, individual_number IS NOT NULL, number_deleted_on FROM {Persons} WHERE addressee_number = @a")
            .With("@a", addressee.ToInt64());
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new BusinessPerson(reader.GetInt64(0), IntegratedAddresseeNumber.FromInt64(reader.GetInt64(1)), Dates.Parse(reader.GetString(2)),
            Dates.ParseNullable(reader.NullableString(3)), Convert.ToBoolean(reader.GetValue(4), System.Globalization.CultureInfo.InvariantCulture),
            Dates.ParseNullable(reader.NullableString(5)));
    }

    public long CountPersons()
    {
        using var connection = Database.Open();
        return connection.Command($"SELECT COUNT(*) FROM {Persons}").ScalarInt64();
    }

    /// <summary>The person ID for an addressee, enrolling them (with their current number) if new.</summary>
    internal long Enrol(DbConnection connection, DbTransaction transaction, IntegratedAddresseeNumber addressee, DateOnly since)
    {
        var existing = connection.Command($"SELECT person_id FROM {Persons} WHERE addressee_number = @a", transaction).With("@a", addressee.ToInt64()).ScalarInt64();
        if (existing != 0) return existing;
        if (!AddresseeSystem.Exists(connection, transaction, addressee))
            throw new BusinessSystemException(BusinessSystemException.UnknownAddressee, "団体内統合宛名番号が登録されていません");
        var map = EnrolMany(connection, transaction, [(addressee, since)]);
        return map[addressee.ToInt64()];
    }

    /// <summary>
    /// Enrols many people in one go (bulk): new person IDs for those not yet enrolled, links in the addressee system,
    /// numbers copied from it. Returns addressee number → person ID for all of them.
    /// </summary>
    internal Dictionary<long, long> EnrolMany(DbConnection connection, DbTransaction transaction, IReadOnlyCollection<(IntegratedAddresseeNumber Addressee, DateOnly Since)> people)
    {
        var map = new Dictionary<long, long>(people.Count);
        if (people.Count == 0) return map;
        using (var command = connection.Command($"SELECT addressee_number, person_id FROM {Persons}", transaction))
        using (var reader = command.ExecuteReader())
        {
            var wanted = people.Select(p => p.Addressee.ToInt64()).ToHashSet();
            while (reader.Read())
                if (wanted.Contains(reader.GetInt64(0))) map[reader.GetInt64(0)] = reader.GetInt64(1);
        }
        var fresh = people.Where(p => !map.ContainsKey(p.Addressee.ToInt64())).DistinctBy(p => p.Addressee).ToList();
        if (fresh.Count == 0) return map;

        var first = Serials.Take(connection, transaction, SerialTable, "person-id", fresh.Count);
        var now = Dates.Now();
        using (var persons = BulkInsert.Begin(connection, Persons, "person_id", "addressee_number", "enrolled_on"))
        {
            for (var i = 0; i < fresh.Count; i++)
            {
                persons.Row(first + i, fresh[i].Addressee.ToInt64(), Dates.Format(fresh[i].Since));
                map[fresh[i].Addressee.ToInt64()] = first + i;
            }
            persons.Complete();
        }
        using (var links = BulkInsert.Begin(connection, "addressee_links", "system_code", "system_person_id", "addressee_number", "linked_at"))
        {
            for (var i = 0; i < fresh.Count; i++) links.Row(SystemCode, first + i, fresh[i].Addressee.ToInt64(), now);
            links.Complete();
        }
        var last = first + fresh.Count - 1;
        var unknown = connection.Command(
            $"SELECT COUNT(*) FROM {Persons} p WHERE p.person_id BETWEEN @first AND @last AND NOT EXISTS (SELECT 1 FROM addressee_persons a WHERE a.addressee_number = p.addressee_number)",
            transaction).With("@first", first).With("@last", last).ScalarInt64();
        if (unknown > 0)
            throw new BusinessSystemException(BusinessSystemException.UnknownAddressee, $"団体内統合宛名番号が登録されていない人が{unknown}人含まれています");
        connection.Command($"UPDATE {Persons} SET individual_number = {AddresseeSystem.CurrentNumberSql(Persons + ".addressee_number")} WHERE person_id BETWEEN @first AND @last",
            transaction).With("@first", first).With("@last", last).ExecuteNonQuery();
        return map;
    }

    /// <summary>
    /// The relationship with the person ended on <paramref name="endedOn"/> (moved out, lost eligibility, died); the
    /// retention period of their number starts to run. Non-number data is kept.
    /// </summary>
    /// <exception cref="BusinessSystemException">the person is not enrolled in this system (not-enrolled).</exception>
    public void EndRelationship(IntegratedAddresseeNumber addressee, DateOnly endedOn)
    {
        Database.InTransaction((connection, transaction) =>
        {
            var changed = connection.Command($"UPDATE {Persons} SET relationship_ended_on = @d WHERE addressee_number = @a", transaction)
                .With("@d", Dates.Format(endedOn)).With("@a", addressee.ToInt64()).ExecuteNonQuery();
            if (changed == 0) throw new BusinessSystemException(BusinessSystemException.NotEnrolled, $"{Name}に登録されていない人です");
            OnRelationshipEnded(connection, transaction, addressee, endedOn);
            Changed(connection, transaction, addressee);
        });
    }

    /// <summary>Lets a system close its own records (benefit end dates) when the relationship ends.</summary>
    protected virtual void OnRelationshipEnded(DbConnection connection, DbTransaction transaction, IntegratedAddresseeNumber addressee, DateOnly endedOn) { }

    /// <summary>Marks the person's providable information as changed, for the intermediate server's incremental feed.</summary>
    protected void Changed(DbConnection connection, DbTransaction transaction, IntegratedAddresseeNumber addressee) =>
        connection.Command($"INSERT INTO {OutboxTable} (addressee_number, changed_at) VALUES (@a, @now)", transaction)
            .With("@a", addressee.ToInt64()).With("@now", Dates.Now()).ExecuteNonQuery();

    /// <summary>Addressee numbers of every enrolled person (for the bulk feed), in person-ID order.</summary>
    public IEnumerable<IntegratedAddresseeNumber> EnrolledAddressees()
    {
        using var connection = Database.Open();
        using var command = connection.Command($"SELECT addressee_number FROM {Persons} ORDER BY person_id");
        using var reader = command.ExecuteReader();
        while (reader.Read()) yield return IntegratedAddresseeNumber.FromInt64(reader.GetInt64(0));
    }

    /// <summary>Outbox entries after <paramref name="afterSequence"/>: (sequence, addressee), oldest first, at most <paramref name="limit"/>.</summary>
    public IReadOnlyList<(long Sequence, IntegratedAddresseeNumber Addressee)> ChangesAfter(long afterSequence, int limit = 10_000)
    {
        using var connection = Database.Open();
        using var command = connection.Command($"SELECT seq, addressee_number FROM {OutboxTable} WHERE seq > @after ORDER BY seq LIMIT @limit")
            .With("@after", afterSequence).With("@limit", limit);
        using var reader = command.ExecuteReader();
        var list = new List<(long, IntegratedAddresseeNumber)>();
        while (reader.Read()) list.Add((reader.GetInt64(0), IntegratedAddresseeNumber.FromInt64(reader.GetInt64(1))));
        return list;
    }

    // ---------------------------------------------------------------- retention

    /// <summary>
    /// Deletes, in one transaction, every individual number whose retention period has ended on <paramref name="date"/>
    /// (relationship ended more than <see cref="RetentionPolicy.YearsAfterRelationshipEnded"/> years before), keeping
    /// the person ID and all non-number data, and records each deletion in <c>&lt;prefix&gt;number_deletions</c>
    /// (not yet logged). Returns the deletions made now.
    /// </summary>
    internal IReadOnlyList<NumberDeletion> DeleteExpiredNumbers(DateOnly date)
    {
        // Expired when date >= ended + years + 1 day, i.e. ended <= date - 1 day - years.
        var latestEnded = date.AddDays(-1).AddYears(-Retention.YearsAfterRelationshipEnded);
        return Database.InTransaction((connection, transaction) =>
        {
            var list = new List<NumberDeletion>();
            using (var command = connection.Command(
                $"SELECT person_id, addressee_number, relationship_ended_on FROM {Persons} WHERE individual_number IS NOT NULL AND relationship_ended_on IS NOT NULL AND relationship_ended_on <= @latest ORDER BY person_id",
                transaction).With("@latest", Dates.Format(latestEnded)))
            using (var reader = command.ExecuteReader())
                while (reader.Read())
                    list.Add(new NumberDeletion(SystemCode, reader.GetInt64(0), IntegratedAddresseeNumber.FromInt64(reader.GetInt64(1)), Dates.Parse(reader.GetString(2)), date));
            if (list.Count == 0) return list;
            connection.Command(
                $"UPDATE {Persons} SET individual_number = NULL, number_deleted_on = @today WHERE individual_number IS NOT NULL AND relationship_ended_on IS NOT NULL AND relationship_ended_on <= @latest",
                transaction).With("@today", Dates.Format(date)).With("@latest", Dates.Format(latestEnded)).ExecuteNonQuery();
            using var insert = BulkInsert.Begin(connection, DeletionsTable, "person_id", "addressee_number", "relationship_ended_on", "deleted_on", "logged");
            foreach (var d in list) insert.Row(d.PersonId, d.AddresseeNumber.ToInt64(), Dates.Format(d.RelationshipEndedOn), Dates.Format(date), 0L);
            insert.Complete();
            return list;
        });
    }

    /// <summary>Deletions recorded but not yet in the operation log (after a crash between the two), oldest first.</summary>
    internal IReadOnlyList<NumberDeletion> UnloggedDeletions()
    {
        using var connection = Database.Open();
        using var command = connection.Command(
            $"SELECT person_id, addressee_number, relationship_ended_on, deleted_on FROM {DeletionsTable} WHERE logged = 0 ORDER BY deleted_on, person_id");
        using var reader = command.ExecuteReader();
        var list = new List<NumberDeletion>();
        while (reader.Read())
            list.Add(new NumberDeletion(SystemCode, reader.GetInt64(0), IntegratedAddresseeNumber.FromInt64(reader.GetInt64(1)),
                Dates.Parse(reader.GetString(2)), Dates.Parse(reader.GetString(3))));
        return list;
    }

    internal void MarkLogged(IReadOnlyList<NumberDeletion> deletions)
    {
        if (deletions.Count == 0) return;
        Database.InTransaction((connection, transaction) =>
        {
            using var command = connection.Command($"UPDATE {DeletionsTable} SET logged = 1 WHERE person_id = @p", transaction);
            var p = command.Parameter("@p", System.Data.DbType.Int64);
            foreach (var d in deletions) { p.Value = d.PersonId; command.ExecuteNonQuery(); }
        });
    }
}
