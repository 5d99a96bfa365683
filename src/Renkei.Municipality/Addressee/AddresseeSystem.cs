using System.Data.Common;
using System.Diagnostics;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Addressee;

public sealed record AddresseeSystemOptions
{
    /// <summary>The terminal recorded in the operation log when a call does not name one.</summary>
    public string Terminal { get; init; } = "renkei-server";

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>
/// The integrated addressee system (団体内統合宛名システム) of one ward, in the ward's database (tables <c>addressee_*</c>).
/// One <see cref="IntegratedAddresseeNumber"/> per person: register people are linked by resident id (their four facts
/// and current number stay in the register and are read from it, so they are never stale); people not on the register
/// (住登外者) are held here with their number and four facts. Each business system's own person ID (宛名番号) is linked
/// to the addressee number in <c>addressee_links</c>.
/// <para>Number lookups take the staff member's <see cref="StaffSession"/> and are refused unless
/// <see cref="NumberVisibility.Decide"/> allows numbers; every lookup, view, search and registration is appended to the
/// operation log (who, terminal, affair, subject by addressee number, result), refusals included.</para>
/// <para>The system reads the register's tables directly: both belong to the ward's own module and database.</para>
/// </summary>
public sealed class AddresseeSystem
{
    public const string SystemCode = "addressee";
    private const string SerialTable = "addressee_serials";
    private const string SerialName = "addressee-number";

    private readonly OperationRecorder _recorder;

    public AddresseeSystem(ResidentRegister register, OperationLog log, AddresseeSystemOptions? options = null)
    {
        Register = register;
        Database = register.Database;
        Options = options ?? new AddresseeSystemOptions();
        _recorder = new OperationRecorder(log, Options.Clock, Options.Terminal);
        Migrations.Apply(Database, MunicipalitySchema.Tables);
    }

    public ResidentRegister Register { get; }
    public Database Database { get; }
    public AddresseeSystemOptions Options { get; }
    public OperationLog Log => _recorder.Log;
    internal OperationRecorder Recorder => _recorder;

    /// <summary>
    /// SQL for the current individual number of the addressee in column <paramref name="addresseeColumn"/>: the register's
    /// open number row for register people, the held number for non-residents. For business systems copying numbers.
    /// </summary>
    internal static string CurrentNumberSql(string addresseeColumn) =>
        $"(SELECT COALESCE(n.individual_number, a.individual_number) FROM addressee_persons a " +
        $"LEFT JOIN resident_numbers n ON n.resident_id = a.resident_id AND n.valid_to IS NULL WHERE a.addressee_number = {addresseeColumn})";

    // ---------------------------------------------------------------- sync with the register

    /// <summary>
    /// Gives every person of the register (residents and former residents) an addressee number, in resident-id order, in
    /// one transaction. A 住登外者 who has since come onto the register (same current number) keeps their addressee number
    /// and is linked to the resident record instead. Idempotent: people already linked keep their number.
    /// A sync that collides with a concurrent one is retried (twice).
    /// </summary>
    public AddresseeSyncReport SyncFromRegister()
    {
        for (var attempt = 0; ; attempt++)
        {
            try { return SyncOnce(); }
            catch (System.Data.Common.DbException) when (attempt < 2)
            {
                // Another sync (or an EnsureForResident) numbered some of the same people first: the next attempt skips them.
            }
        }
    }

    private AddresseeSyncReport SyncOnce()
    {
        var watch = Stopwatch.StartNew();
        return Database.InTransaction((connection, transaction) =>
        {
            // 住登外者 who moved in: link the existing addressee to the resident record, and let the register hold the number.
            var linked = connection.Command("""
                UPDATE addressee_persons SET
                    resident_id = (SELECT n.resident_id FROM resident_numbers n WHERE n.individual_number = addressee_persons.individual_number AND n.valid_to IS NULL),
                    individual_number = NULL
                WHERE resident_id IS NULL AND individual_number IS NOT NULL
                  AND EXISTS (SELECT 1 FROM resident_numbers n WHERE n.individual_number = addressee_persons.individual_number AND n.valid_to IS NULL
                              AND NOT EXISTS (SELECT 1 FROM addressee_persons b WHERE b.resident_id = n.resident_id))
                """, transaction).ExecuteNonQuery();

            var missing = new List<long>();
            using (var command = connection.Command(
                "SELECT r.id FROM residents r WHERE NOT EXISTS (SELECT 1 FROM addressee_persons a WHERE a.resident_id = r.id) ORDER BY r.id", transaction))
            using (var reader = command.ExecuteReader())
                while (reader.Read()) missing.Add(reader.GetInt64(0));

            var already = connection.Command("SELECT COUNT(*) FROM addressee_persons WHERE resident_id IS NOT NULL", transaction).ScalarInt64() - linked;
            if (missing.Count > 0)
            {
                var first = Serials.Take(connection, transaction, SerialTable, SerialName, missing.Count);
                if (first + missing.Count - 1 > IntegratedAddresseeNumber.MaxSerial)
                    throw new InvalidOperationException("the addressee number space is exhausted");
                var now = Dates.Now();
                using var insert = BulkInsert.Begin(connection, "addressee_persons",
                    "addressee_number", "resident_id", "origin", "registered_by", "created_at");
                for (var i = 0; i < missing.Count; i++)
                    insert.Row(IntegratedAddresseeNumber.FromSerial(first + i).ToInt64(), missing[i], (long)AddresseeOrigin.Register, "register-sync", now);
                insert.Complete();
            }
            return new AddresseeSyncReport(missing.Count, linked, already, watch.Elapsed);
        });
    }

    /// <summary>
    /// The addressee number of one register person, issued now when they have none yet (a newcomer since the last
    /// <see cref="SyncFromRegister"/>). A 住登外者 with the same current number becomes this person, as in a sync.
    /// </summary>
    /// <exception cref="AddresseeException">no register person with this id (not-found).</exception>
    public IntegratedAddresseeNumber EnsureForResident(long residentId)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return Database.InTransaction((connection, transaction) =>
                {
                    var existing = connection.Command("SELECT addressee_number FROM addressee_persons WHERE resident_id = @id", transaction)
                        .With("@id", residentId).ScalarInt64();
                    if (existing != 0) return IntegratedAddresseeNumber.FromInt64(existing);
                    if (connection.Command("SELECT COUNT(*) FROM residents WHERE id = @id", transaction).With("@id", residentId).ScalarInt64() == 0)
                        throw new AddresseeException(AddresseeException.NotFound, "該当する住民がいません");
                    var linked = connection.Command("""
                        UPDATE addressee_persons SET resident_id = @id, individual_number = NULL
                        WHERE resident_id IS NULL AND individual_number IS NOT NULL
                          AND individual_number = (SELECT n.individual_number FROM resident_numbers n WHERE n.resident_id = @id AND n.valid_to IS NULL)
                        RETURNING addressee_number
                        """, transaction).With("@id", residentId).ScalarInt64();
                    if (linked != 0) return IntegratedAddresseeNumber.FromInt64(linked);
                    var number = IntegratedAddresseeNumber.FromSerial(Serials.Take(connection, transaction, SerialTable, SerialName, 1));
                    connection.Command("""
                        INSERT INTO addressee_persons (addressee_number, resident_id, origin, registered_by, created_at)
                        VALUES (@a, @id, @origin, 'register-event', @now)
                        """, transaction)
                        .With("@a", number.ToInt64()).With("@id", residentId).With("@origin", (long)AddresseeOrigin.Register).With("@now", Dates.Now())
                        .ExecuteNonQuery();
                    return number;
                });
            }
            catch (System.Data.Common.DbException) when (attempt < 2)
            {
                // Issued concurrently for the same person (unique resident_id): read theirs.
            }
        }
    }

    // ---------------------------------------------------------------- system reads (no number)

    public IntegratedAddresseeNumber? ForResident(long residentId)
    {
        using var connection = Database.Open();
        using var command = ForResidentCommand(connection, residentId);
        var value = command.ScalarInt64();
        return value == 0 ? null : IntegratedAddresseeNumber.FromInt64(value);
    }

    /// <summary><see cref="ForResident"/> for request paths (asynchronous on PostgreSQL).</summary>
    public async Task<IntegratedAddresseeNumber?> ForResidentAsync(long residentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        using var command = ForResidentCommand(connection, residentId);
        var value = await command.ScalarInt64Async(cancellationToken);
        return value == 0 ? null : IntegratedAddresseeNumber.FromInt64(value);
    }

    private static DbCommand ForResidentCommand(DbConnection connection, long residentId) =>
        connection.Command("SELECT addressee_number FROM addressee_persons WHERE resident_id = @id").With("@id", residentId);

    /// <summary>The person's four facts (no number), or null. For systems; staff screens use <see cref="View"/>, which is logged.</summary>
    public AddresseePerson? Find(IntegratedAddresseeNumber addressee)
    {
        using var connection = Database.Open();
        using var command = connection.Command(PersonSelect + " WHERE a.addressee_number = @a").With("@a", addressee.ToInt64());
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadPerson(reader) : null;
    }

    private const string PersonSelect = """
        SELECT a.addressee_number, a.origin, a.resident_id,
               COALESCE(r.family_name, a.family_name), COALESCE(r.given_name, a.given_name),
               COALESCE(r.family_name_kana, a.family_name_kana), COALESCE(r.given_name_kana, a.given_name_kana),
               COALESCE(r.birth_date, a.birth_date), COALESCE(r.sex, a.sex), COALESCE(r.address, a.address), r.status
        FROM addressee_persons a LEFT JOIN residents r ON r.id = a.resident_id
        """;

    private static AddresseePerson ReadPerson(DbDataReader r) => new(
        IntegratedAddresseeNumber.FromInt64(r.GetInt64(0)),
        (AddresseeOrigin)r.GetInt64(1),
        r.NullableInt64(2),
        new PersonName(r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6)),
        Dates.Parse(r.GetString(7)),
        (Sex)Convert.ToInt32(r.GetValue(8), System.Globalization.CultureInfo.InvariantCulture),
        r.GetString(9),
        r.IsDBNull(10) ? null : (RegisterStatus)Convert.ToInt32(r.GetValue(10), System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Every register resident with an addressee number, as business systems need them for enrolment (households in
    /// order, head first). No names and no numbers. Run <see cref="SyncFromRegister"/> first.
    /// </summary>
    public IEnumerable<PopulationMember> Population(bool includeFormerResidents = false)
    {
        using var connection = Database.Open();
        using var command = connection.Command($"""
            SELECT a.addressee_number, r.id, r.household_number, r.relationship, r.birth_date, r.sex, r.resident_since, r.status, r.status_date, r.foreign_resident
            FROM residents r JOIN addressee_persons a ON a.resident_id = r.id
            {(includeFormerResidents ? "" : "WHERE r.status = 0")}
            ORDER BY r.household_number, CASE WHEN r.relationship = 1 THEN 0 ELSE 1 END, r.birth_date, r.id
            """);
        using var reader = command.ExecuteReader();
        while (reader.Read())
            yield return new PopulationMember(IntegratedAddresseeNumber.FromInt64(reader.GetInt64(0)), reader.GetInt64(1), reader.GetString(2),
                (Relationship)reader.GetInt32(3), Dates.Parse(reader.GetString(4)), (Sex)reader.GetInt32(5), Dates.Parse(reader.GetString(6)),
                (RegisterStatus)reader.GetInt32(7), Dates.ParseNullable(reader.NullableString(8)), reader.GetInt32(9) != 0);
    }

    // ---------------------------------------------------------------- links to business systems

    public IReadOnlyList<AddresseeLink> Links(IntegratedAddresseeNumber addressee)
    {
        using var connection = Database.Open();
        using var command = connection.Command("SELECT system_code, system_person_id FROM addressee_links WHERE addressee_number = @a ORDER BY system_code")
            .With("@a", addressee.ToInt64());
        using var reader = command.ExecuteReader();
        var list = new List<AddresseeLink>();
        while (reader.Read()) list.Add(new AddresseeLink(reader.GetString(0), reader.GetInt64(1)));
        return list;
    }

    public IntegratedAddresseeNumber? FindBySystemPerson(string systemCode, long systemPersonId)
    {
        using var connection = Database.Open();
        var value = connection.Command("SELECT addressee_number FROM addressee_links WHERE system_code = @s AND system_person_id = @p")
            .With("@s", systemCode).With("@p", systemPersonId).ScalarInt64();
        return value == 0 ? null : IntegratedAddresseeNumber.FromInt64(value);
    }

    internal static bool Exists(DbConnection connection, DbTransaction? transaction, IntegratedAddresseeNumber addressee) =>
        connection.Command("SELECT COUNT(*) FROM addressee_persons WHERE addressee_number = @a", transaction).With("@a", addressee.ToInt64()).ScalarInt64() > 0;

    // ---------------------------------------------------------------- staff operations (logged)

    /// <summary>The person's page: four facts, links, and the number — shown only when the session may see numbers, masked otherwise.</summary>
    /// <exception cref="AddresseeException">no such addressee (not-found).</exception>
    public AddresseeView View(StaffSession session, IntegratedAddresseeNumber addressee, DateOnly date, string? terminal = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        var person = Find(addressee);
        if (person is null)
        {
            _recorder.Record(session, terminal, null, OperationAction.View, OperationResult.Failed, "宛名: 該当者なし");
            throw new AddresseeException(AddresseeException.NotFound, "該当する宛名がありません");
        }
        var decision = NumberVisibility.Decide(session, date);
        var number = CurrentNumber(addressee);
        _recorder.Record(session, terminal, addressee, OperationAction.View, OperationResult.Success,
            decision.Visible ? "宛名照会（個人番号表示）" : $"宛名照会（個人番号非表示: {decision.ReasonCode}）");
        return new AddresseeView(person, NumberMask.Display(number, decision), decision.Visible && number is not null, Links(addressee));
    }

    /// <summary>The addressee number of the person with this individual number (番号→宛名番号).</summary>
    /// <exception cref="NumberAccessRefusedException">the session may not use numbers now (the reason code says why).</exception>
    /// <exception cref="AddresseeException">nobody here has that number (not-found).</exception>
    public IntegratedAddresseeNumber FindByNumber(StaffSession session, IndividualNumber number, DateOnly date, string? terminal = null)
    {
        RequireNumbers(session, date, terminal, null, OperationAction.Search, "個人番号による宛名検索");
        using var connection = Database.Open();
        var value = connection.Command("""
            SELECT COALESCE(
                (SELECT a.addressee_number FROM resident_numbers n JOIN addressee_persons a ON a.resident_id = n.resident_id
                 WHERE n.individual_number = @n AND n.valid_to IS NULL),
                (SELECT addressee_number FROM addressee_persons WHERE individual_number = @n))
            """).With("@n", number.ToInt64()).ScalarInt64();
        if (value == 0)
        {
            _recorder.Record(session, terminal, null, OperationAction.Search, OperationResult.Success, "個人番号による宛名検索: 該当なし");
            throw new AddresseeException(AddresseeException.NotFound, "この個人番号の宛名は登録されていません");
        }
        var addressee = IntegratedAddresseeNumber.FromInt64(value);
        _recorder.Record(session, terminal, addressee, OperationAction.Search, OperationResult.Success, "個人番号による宛名検索");
        return addressee;
    }

    /// <summary>The current individual number of an addressee (宛名番号→番号).</summary>
    /// <exception cref="NumberAccessRefusedException">the session may not use numbers now (the reason code says why).</exception>
    /// <exception cref="AddresseeException">no such addressee, or no number recorded (not-found).</exception>
    public IndividualNumber NumberOf(StaffSession session, IntegratedAddresseeNumber addressee, DateOnly date, string? terminal = null)
    {
        RequireNumbers(session, date, terminal, addressee, OperationAction.View, "宛名番号による個人番号照会");
        var number = CurrentNumber(addressee);
        if (number is null)
        {
            _recorder.Record(session, terminal, addressee, OperationAction.View, OperationResult.Failed, "宛名番号による個人番号照会: 個人番号なし");
            throw new AddresseeException(AddresseeException.NotFound, "この宛名には個人番号が記録されていません");
        }
        _recorder.Record(session, terminal, addressee, OperationAction.View, OperationResult.Success, "宛名番号による個人番号照会");
        return number.Value;
    }

    private IndividualNumber? CurrentNumber(IntegratedAddresseeNumber addressee)
    {
        using var connection = Database.Open();
        var value = connection.Command("SELECT " + CurrentNumberSql("@a")).With("@a", addressee.ToInt64()).ScalarInt64();
        return value == 0 ? null : IndividualNumber.FromInt64(value);
    }

    private void RequireNumbers(StaffSession session, DateOnly date, string? terminal, IntegratedAddresseeNumber? subject, OperationAction action, string what)
    {
        ArgumentNullException.ThrowIfNull(session);
        var decision = NumberVisibility.Decide(session, date);
        if (decision.Visible) return;
        _recorder.Record(session, terminal, subject, action, OperationResult.Refused, $"{what}: 拒否 ({decision.ReasonCode})");
        throw new NumberAccessRefusedException(decision.ReasonCode, decision.Message);
    }

    /// <summary>Search by name, kana, birth date and/or address over register people and 住登外者. Returns no numbers; logged.</summary>
    /// <exception cref="AddresseeException">no search term given (invalid-input).</exception>
    public IReadOnlyList<AddresseeSummary> Search(StaffSession session, AddresseeSearch search, string? terminal = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        var name = Strip(search.Name);
        var kana = Strip(search.Kana);
        var address = Strip(search.Address);
        if (name is null && kana is null && address is null && search.BirthDate is null)
            throw new AddresseeException(AddresseeException.InvalidInput, "氏名・カナ・生年月日・住所のいずれかを入力してください");

        using var connection = Database.Open();
        using var command = connection.Command("");
        var sql = new StringBuilder("""
            SELECT addressee_number, origin, resident_id, family_name, given_name, family_name_kana, given_name_kana, birth_date, sex, address, status FROM (
              SELECT a.addressee_number AS addressee_number, a.origin AS origin, a.resident_id AS resident_id,
                     COALESCE(r.family_name, a.family_name) AS family_name, COALESCE(r.given_name, a.given_name) AS given_name,
                     COALESCE(r.family_name_kana, a.family_name_kana) AS family_name_kana, COALESCE(r.given_name_kana, a.given_name_kana) AS given_name_kana,
                     COALESCE(r.birth_date, a.birth_date) AS birth_date, COALESCE(r.sex, a.sex) AS sex, COALESCE(r.address, a.address) AS address, r.status AS status
              FROM addressee_persons a LEFT JOIN residents r ON r.id = a.resident_id) p WHERE 1 = 1
            """);
        var used = new List<string>();
        if (name is not null) { sql.Append(" AND (family_name || given_name) LIKE @name"); command.With("@name", "%" + name + "%"); used.Add("氏名"); }
        if (kana is not null) { sql.Append(" AND (family_name_kana || given_name_kana) LIKE @kana"); command.With("@kana", "%" + kana + "%"); used.Add("カナ"); }
        if (search.BirthDate is { } birth) { sql.Append(" AND birth_date = @birth"); command.With("@birth", Dates.Format(birth)); used.Add("生年月日"); }
        if (address is not null) { sql.Append(" AND address LIKE @address"); command.With("@address", "%" + address + "%"); used.Add("住所"); }
        sql.Append(" ORDER BY family_name_kana, given_name_kana, birth_date, addressee_number LIMIT @limit");
        command.With("@limit", Math.Clamp(search.Limit, 1, 1000));
        command.CommandText = sql.ToString();
        var list = new List<AddresseeSummary>();
        using (var reader = command.ExecuteReader())
            while (reader.Read())
            {
                var p = ReadPerson(reader);
                list.Add(new AddresseeSummary(p.AddresseeNumber, p.Origin, p.Name.Full, p.Name.FullKana, p.BirthDate, p.Sex, p.Address, p.Status));
            }
        _recorder.Record(session, terminal, list.Count == 1 ? list[0].AddresseeNumber : null, OperationAction.Search, OperationResult.Success,
            $"宛名検索（{string.Join("・", used)}）: {list.Count}件");
        return list;
    }

    private static string? Strip(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var stripped = string.Concat(text.Where(c => !char.IsWhiteSpace(c) && c is not ('%' or '_')));
        return stripped.Length == 0 ? null : stripped;
    }

    // ---------------------------------------------------------------- 住登外者

    /// <summary>
    /// Registers a person who is not on the register (住登外者) with their number and four facts, and returns their new
    /// addressee number. A person already known by that number keeps theirs (<see cref="NonResidentRegistrationResult.Created"/>
    /// false). Retrying with the same request id returns the same answer. Needs a session that may use numbers.
    /// </summary>
    /// <exception cref="NumberAccessRefusedException">the session may not use numbers now.</exception>
    /// <exception cref="AddresseeException">a fact is missing or malformed (invalid-input), or the request id was used for another person.</exception>
    public NonResidentRegistrationResult RegisterNonResident(StaffSession session, NonResidentRegistration registration, DateOnly date, string? terminal = null)
    {
        RequireNumbers(session, date, terminal, null, OperationAction.Change, "住登外者登録");
        Validate(registration, date);
        var requestId = registration.RequestId.ToString("N");
        var result = Database.InTransaction((connection, transaction) =>
        {
            using (var command = connection.Command("SELECT addressee_number, individual_number FROM addressee_persons WHERE request_id = @r", transaction)
                .With("@r", requestId))
            using (var reader = command.ExecuteReader())
            {
                if (reader.Read())
                {
                    var stored = reader.NullableInt64(1);
                    var addressee = IntegratedAddresseeNumber.FromInt64(reader.GetInt64(0));
                    if (stored is not null && stored != registration.Number.ToInt64())
                        throw new AddresseeException(AddresseeException.RequestReused, "この要求IDは別の人の登録に使われています");
                    return new NonResidentRegistrationResult(addressee, false, AddresseeOrigin.NonResident);
                }
            }
            var known = connection.Command("""
                SELECT COALESCE(
                    (SELECT a.addressee_number FROM resident_numbers n JOIN addressee_persons a ON a.resident_id = n.resident_id
                     WHERE n.individual_number = @n AND n.valid_to IS NULL),
                    (SELECT addressee_number FROM addressee_persons WHERE individual_number = @n))
                """, transaction).With("@n", registration.Number.ToInt64()).ScalarInt64();
            if (known != 0)
            {
                var origin = connection.Command("SELECT origin FROM addressee_persons WHERE addressee_number = @a", transaction).With("@a", known).ScalarInt64();
                return new NonResidentRegistrationResult(IntegratedAddresseeNumber.FromInt64(known), false, (AddresseeOrigin)origin);
            }
            var serial = Serials.Take(connection, transaction, SerialTable, SerialName, 1);
            var number = IntegratedAddresseeNumber.FromSerial(serial);
            connection.Command("""
                INSERT INTO addressee_persons (addressee_number, resident_id, origin, individual_number, family_name, given_name, family_name_kana,
                    given_name_kana, birth_date, sex, address, request_id, registered_by, created_at)
                VALUES (@a, NULL, @origin, @n, @fn, @gn, @fk, @gk, @birth, @sex, @address, @r, @by, @now)
                """, transaction)
                .With("@a", number.ToInt64()).With("@origin", (long)AddresseeOrigin.NonResident).With("@n", registration.Number.ToInt64())
                .With("@fn", registration.Name.FamilyName.Trim()).With("@gn", registration.Name.GivenName.Trim())
                .With("@fk", registration.Name.FamilyNameKana.Trim()).With("@gk", registration.Name.GivenNameKana.Trim())
                .With("@birth", Dates.Format(registration.BirthDate)).With("@sex", (long)registration.Sex).With("@address", registration.Address.Trim())
                .With("@r", requestId).With("@by", session.StaffId.Value).With("@now", Dates.Now())
                .ExecuteNonQuery();
            return new NonResidentRegistrationResult(number, true, AddresseeOrigin.NonResident);
        });
        _recorder.Record(session, terminal, result.AddresseeNumber, OperationAction.Change, OperationResult.Success,
            result.Created ? "住登外者登録" : "住登外者登録（登録済みの宛名）");
        return result;
    }

    private static void Validate(NonResidentRegistration r, DateOnly date)
    {
        static AddresseeException Invalid(string message) => new(AddresseeException.InvalidInput, message);
        if (r.RequestId == Guid.Empty) throw Invalid("要求IDがありません (request id is required)");
        if (r.Name is null || string.IsNullOrWhiteSpace(r.Name.FamilyName) || string.IsNullOrWhiteSpace(r.Name.GivenName))
            throw Invalid("氏名を入力してください (family and given name are required)");
        if (string.IsNullOrWhiteSpace(r.Name.FamilyNameKana) || string.IsNullOrWhiteSpace(r.Name.GivenNameKana))
            throw Invalid("フリガナを入力してください (kana reading is required)");
        if (!IsKatakana(r.Name.FamilyNameKana.Trim()) || !IsKatakana(r.Name.GivenNameKana.Trim()))
            throw Invalid("フリガナはカタカナで入力してください (kana must be katakana)");
        if (r.BirthDate > date) throw Invalid("生年月日が未来の日付です (birth date is in the future)");
        if (r.BirthDate.Year < 1870) throw Invalid("生年月日が古すぎます (birth date before 1870)");
        if (!Enum.IsDefined(r.Sex)) throw Invalid("性別は男か女です (sex must be 1 or 2)");
        if (string.IsNullOrWhiteSpace(r.Address)) throw Invalid("住所を入力してください (address is required)");
        if (r.Name.FamilyName.Length + r.Name.GivenName.Length > 100 || r.Address.Length > 200)
            throw Invalid("氏名は100文字、住所は200文字までです (name or address too long)");
    }

    private static bool IsKatakana(string text) => text.Length > 0 && text.All(c => c is >= 'ァ' and <= 'ヺ' or 'ー' or '・' or '　');
}
