using System.Data.Common;
using System.Globalization;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.Core.People;
using Renkei.Infrastructure;
using Renkei.Municipality.Contracts;

namespace Renkei.Municipality.Registry;

/// <summary>
/// One municipality's resident register (住民基本台帳) in its own database: residents with the four
/// basic facts, resident-record codes, individual numbers with their history, households and the
/// event log. The schema is created on construction (idempotently) on SQLite or PostgreSQL.
/// Changes go through <see cref="RegisterEvents"/>, <see cref="RegisterImporter"/> and
/// <see cref="NumberAssignmentJob"/>; this class reads and holds the shared write helpers.
/// </summary>
public sealed class ResidentRegister
{
    internal const string ResidentColumns =
        "id, resident_code, (SELECT n.individual_number FROM resident_numbers n WHERE n.resident_id = residents.id AND n.valid_to IS NULL), family_name, given_name, family_name_kana, given_name_kana, " +
        "birth_date, sex, address, household_number, relationship, resident_since, status, status_date, moved_out_to, " +
        "foreign_resident, nationality";

    public ResidentRegister(Database database, LocalGovernmentCode municipality)
    {
        Database = database;
        Municipality = municipality;
        Migrations.Apply(database, MunicipalitySchema.Tables);
        database.InTransaction((connection, transaction) =>
        {
            connection.Command("INSERT INTO register_info (name, value) VALUES ('municipality', @code) ON CONFLICT (name) DO NOTHING", transaction)
                .With("@code", municipality.Digits).ExecuteNonQuery();
            var stored = (string)connection.Command("SELECT value FROM register_info WHERE name = 'municipality'", transaction).ExecuteScalar()!;
            if (stored != municipality.Digits)
                throw new InvalidOperationException($"this database holds the register of municipality {stored}, not {municipality.Digits}");
        });
        RefoldSearchKeys(database);
    }

    public Database Database { get; }
    public LocalGovernmentCode Municipality { get; }

    // ---------------------------------------------------------------- reads

    public Resident? Find(long residentId)
    {
        using var connection = Database.Open();
        return Find(connection, null, residentId);
    }

    public Resident? FindByCode(ResidentCode code)
    {
        using var connection = Database.Open();
        return FindByCode(connection, null, code);
    }

    public Resident? FindByNumber(IndividualNumber number)
    {
        using var connection = Database.Open();
        using var command = FindByNumberCommand(connection, number);
        return ReadOne(command);
    }

    /// <summary><see cref="Find(long)"/> for request paths (asynchronous on PostgreSQL).</summary>
    public async Task<Resident?> FindAsync(long residentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        using var command = FindCommand(connection, null, residentId);
        return await ReadOneAsync(command, cancellationToken);
    }

    /// <summary><see cref="FindByNumber"/> for request paths (asynchronous on PostgreSQL).</summary>
    public async Task<Resident?> FindByNumberAsync(IndividualNumber number, CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        using var command = FindByNumberCommand(connection, number);
        return await ReadOneAsync(command, cancellationToken);
    }

    private static DbCommand FindByNumberCommand(DbConnection connection, IndividualNumber number) => connection.Command(
            $"SELECT {ResidentColumns} FROM residents WHERE id = (SELECT resident_id FROM resident_numbers WHERE individual_number = @n AND valid_to IS NULL)")
        .With("@n", number.ToInt64());

    internal static Resident? Find(DbConnection connection, DbTransaction? transaction, long residentId)
    {
        using var command = FindCommand(connection, transaction, residentId);
        return ReadOne(command);
    }

    private static DbCommand FindCommand(DbConnection connection, DbTransaction? transaction, long residentId) =>
        connection.Command($"SELECT {ResidentColumns} FROM residents WHERE id = @id", transaction).With("@id", residentId);

    internal static Resident? FindByCode(DbConnection connection, DbTransaction? transaction, ResidentCode code)
    {
        using var command = connection.Command($"SELECT {ResidentColumns} FROM residents WHERE resident_code = @code", transaction)
            .With("@code", code.ToInt64());
        return ReadOne(command);
    }

    /// <summary>The current members of a household (residents only), head first.</summary>
    public Household? FindHousehold(string householdNumber)
    {
        using var connection = Database.Open();
        return FindHousehold(connection, null, householdNumber);
    }

    internal static Household? FindHousehold(DbConnection connection, DbTransaction? transaction, string householdNumber)
    {
        var exists = connection.Command("SELECT COUNT(*) FROM households WHERE household_number = @h", transaction)
            .With("@h", householdNumber).ScalarInt64() > 0;
        if (!exists) return null;
        using var command = connection.Command(
            $"SELECT {ResidentColumns} FROM residents WHERE household_number = @h AND status = 0 ORDER BY CASE WHEN relationship = 1 THEN 0 ELSE 1 END, birth_date, id",
            transaction).With("@h", householdNumber);
        var members = ReadAll(command);
        return new Household(householdNumber, members.FirstOrDefault(m => m.Relationship == Relationship.Head), members);
    }

    public IReadOnlyList<NumberHistoryEntry> NumberHistory(long residentId)
    {
        using var connection = Database.Open();
        using var command = connection.Command(
            "SELECT individual_number, valid_from, valid_to, reason FROM resident_numbers WHERE resident_id = @id ORDER BY id")
            .With("@id", residentId);
        using var reader = command.ExecuteReader();
        var list = new List<NumberHistoryEntry>();
        while (reader.Read())
            list.Add(new NumberHistoryEntry(IndividualNumber.FromInt64(reader.GetInt64(0)), ParseDate(reader.GetString(1)),
                reader.IsDBNull(2) ? null : ParseDate(reader.GetString(2)), reader.GetString(3)));
        return list;
    }

    public IReadOnlyList<RegisterEvent> Events(long residentId)
    {
        using var connection = Database.Open();
        using var command = connection.Command(
            "SELECT id, resident_id, event_type, event_date, reason, before_summary, after_summary, recorded_at FROM register_events WHERE resident_id = @id ORDER BY id")
            .With("@id", residentId);
        using var reader = command.ExecuteReader();
        var list = new List<RegisterEvent>();
        while (reader.Read())
            list.Add(new RegisterEvent(reader.GetInt64(0), reader.GetInt64(1), Enum.Parse<RegisterEventType>(reader.GetString(2)),
                ParseDate(reader.GetString(3)), reader.GetString(4), reader.NullableString(5), reader.NullableString(6),
                DateTimeOffset.Parse(reader.GetString(7), CultureInfo.InvariantCulture)));
        return list;
    }

    /// <summary>Counts by status, and how many current residents still have no number.</summary>
    public RegisterCounts Counts()
    {
        using var connection = Database.Open();
        using var command = connection.Command("""
            SELECT
              COALESCE(SUM(CASE WHEN status = 0 THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN status = 1 THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN status = 2 THEN 1 ELSE 0 END), 0),
              COALESCE(SUM(CASE WHEN status = 0 AND NOT EXISTS (SELECT 1 FROM resident_numbers n WHERE n.resident_id = r.id AND n.valid_to IS NULL) THEN 1 ELSE 0 END), 0)
            FROM residents r
            """);
        long[] values;
        using (var reader = command.ExecuteReader())
        {
            reader.Read();
            values = [reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3)];
        }
        var households = connection.Command("SELECT COUNT(DISTINCT household_number) FROM residents WHERE status = 0").ScalarInt64();
        return new RegisterCounts(values[0], values[1], values[2], values[3], households);
    }

    /// <summary>
    /// Search by name, kana and/or birth date. A name or kana term matches a resident whose whole name (family then given) or
    /// given name starts with it, after both sides are folded by <see cref="NameSearchKey"/> (hiragana, katakana and
    /// half-width kana alike, long-vowel marks alike, 旧字体・異体字 by its table; docs/search.md); <c>%</c>, <c>_</c> and
    /// <c>\</c> match themselves. It is a range on the indexed search-key columns, on SQLite and PostgreSQL alike.
    /// Returns summaries without numbers or codes, at most <see cref="ResidentSearch.Limit"/> (clamped to 1–1,000).
    /// </summary>
    /// <exception cref="RegisterException">no term, a term longer than <see cref="RegisterInputRules.MaxSearchTerm"/>, or a term of wildcards only.</exception>
    public IReadOnlyList<ResidentSummary> Search(ResidentSearch search)
    {
        using var connection = Database.Open();
        using var command = SearchCommand(connection, search);
        using var reader = command.ExecuteReader();
        var list = new List<ResidentSummary>();
        while (reader.Read()) list.Add(ReadSummary(reader));
        return list;
    }

    /// <summary><see cref="Search"/> for request paths (asynchronous on PostgreSQL).</summary>
    /// <exception cref="RegisterException">as <see cref="Search"/>.</exception>
    public async Task<IReadOnlyList<ResidentSummary>> SearchAsync(ResidentSearch search, CancellationToken cancellationToken = default)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        using var command = SearchCommand(connection, search);
        await using var reader = await command.ReaderAsync(cancellationToken);
        var list = new List<ResidentSummary>();
        while (await reader.ReadRowAsync(cancellationToken)) list.Add(ReadSummary(reader));
        return list;
    }

    internal static DbCommand SearchCommand(DbConnection connection, ResidentSearch search)
    {
        var name = SearchTerm(search.Name, "name");
        var kana = SearchTerm(search.Kana, "kana");
        if (name is null && kana is null && search.BirthDate is null)
            throw new RegisterException("empty-search", "give a name, a kana reading or a birth date to search (検索条件を入力してください)");
        var sql = new StringBuilder(
            "SELECT id, family_name, given_name, family_name_kana, given_name_kana, birth_date, sex, address, household_number, status FROM residents WHERE 1 = 1");
        var command = connection.Command("");
        if (name is not null) AppendPrefix(sql, command, "search_name", "search_given_name", "@name", name);
        if (kana is not null) AppendPrefix(sql, command, "search_kana", "search_given_kana", "@kana", kana);
        if (search.BirthDate is { } birth) { sql.Append(" AND birth_date = @birth"); command.With("@birth", FormatDate(birth)); }
        if (!search.IncludeFormerResidents) sql.Append(" AND status = 0");
        sql.Append(" ORDER BY family_name_kana, given_name_kana, birth_date, id LIMIT @limit");
        command.With("@limit", Math.Clamp(search.Limit, 1, 1000));
        command.CommandText = sql.ToString();
        return command;
    }

    /// <summary>The whole key or the given-name key starts with the folded term: two index ranges (bytewise on both engines).</summary>
    private static void AppendPrefix(StringBuilder sql, DbCommand command, string whole, string given, string parameter, string key)
    {
        sql.Append($" AND (({whole} >= {parameter} AND {whole} < {parameter}_end) OR ({given} >= {parameter} AND {given} < {parameter}_end))");
        command.With(parameter, key).With(parameter + "_end", NameSearchKey.PrefixUpperBound(key));
    }

    // ---------------------------------------------------------------- search keys

    /// <summary>
    /// Writes the folded search keys of one resident from the names on their row: every insert and name change calls it in
    /// its own transaction, so a name and its keys never disagree.
    /// </summary>
    internal static void WriteSearchKeys(DbConnection connection, DbTransaction? transaction, long residentId)
    {
        string family, given, familyKana, givenKana;
        using (var reader = connection.Command("SELECT family_name, given_name, family_name_kana, given_name_kana FROM residents WHERE id = @id", transaction)
                   .With("@id", residentId).ExecuteReader())
        {
            if (!reader.Read()) return;
            (family, given, familyKana, givenKana) = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
        }
        using var update = SearchKeyUpdate(connection, transaction);
        BindSearchKeys(update, residentId, family, given, familyKana, givenKana);
        update.ExecuteNonQuery();
    }

    /// <summary>The four keys of a name, in the order of the columns search_name, search_given_name, search_kana, search_given_kana.</summary>
    internal static (string Name, string GivenName, string Kana, string GivenKana) SearchKeys(string family, string given, string familyKana, string givenKana) =>
        (NameSearchKey.Fold(family + given), NameSearchKey.Fold(given), NameSearchKey.Fold(familyKana + givenKana), NameSearchKey.Fold(givenKana));

    private static DbCommand SearchKeyUpdate(DbConnection connection, DbTransaction? transaction) => connection.Command(
        "UPDATE residents SET search_name = @sn, search_given_name = @sgn, search_kana = @sk, search_given_kana = @sgk WHERE id = @id", transaction);

    private static void BindSearchKeys(DbCommand update, long residentId, string family, string given, string familyKana, string givenKana)
    {
        var keys = SearchKeys(family, given, familyKana, givenKana);
        update.Parameters.Clear();
        update.With("@sn", keys.Name).With("@sgn", keys.GivenName).With("@sk", keys.Kana).With("@sgk", keys.GivenKana).With("@id", residentId);
    }

    /// <summary>
    /// Folds every resident's names again when the register's keys were made by other folding rules (or none: rows from
    /// before migration 0005), a batch per transaction, then records <see cref="NameSearchKey.Version"/>. Rows written
    /// meanwhile carry keys already, so a run that stops half-way is simply done again at the next start.
    /// </summary>
    private static void RefoldSearchKeys(Database database)
    {
        using (var connection = database.Open())
            if (connection.Command("SELECT value FROM register_info WHERE name = 'search-key-version'").ExecuteScalar() is string version
                && version == NameSearchKey.Version) return;
        const int batch = 2000;
        long cursor = 0;
        while (true)
        {
            var done = false;
            database.InTransaction((connection, transaction) =>
            {
                var rows = new List<(long Id, string Family, string Given, string FamilyKana, string GivenKana)>(batch);
                using (var reader = connection.Command(
                               "SELECT id, family_name, given_name, family_name_kana, given_name_kana FROM residents WHERE id > @cursor ORDER BY id LIMIT @batch",
                               transaction)
                           .With("@cursor", cursor).With("@batch", batch).ExecuteReader())
                    while (reader.Read()) rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
                using var update = SearchKeyUpdate(connection, transaction);
                foreach (var row in rows)
                {
                    BindSearchKeys(update, row.Id, row.Family, row.Given, row.FamilyKana, row.GivenKana);
                    update.ExecuteNonQuery();
                }
                if (rows.Count > 0) cursor = rows[^1].Id;
                if (rows.Count < batch)
                {
                    connection.Command("""
                        INSERT INTO register_info (name, value) VALUES ('search-key-version', @v) ON CONFLICT (name) DO UPDATE SET value = @v
                        """, transaction).With("@v", NameSearchKey.Version).ExecuteNonQuery();
                    done = true;
                }
            });
            if (done) return;
        }
    }

    private static ResidentSummary ReadSummary(DbDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1) + "　" + reader.GetString(2),
            reader.GetString(3) + "　" + reader.GetString(4), ParseDate(reader.GetString(5)), (Sex)reader.GetInt32(6),
            reader.GetString(7), reader.GetString(8), (RegisterStatus)reader.GetInt32(9));

    /// <summary>A search term folded to its search key (<see cref="NameSearchKey"/>), or null when none was given; refused when too long, with a control character or only wildcards.</summary>
    private static string? SearchTerm(string? text, string field)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (text.Length > RegisterInputRules.MaxSearchTerm)
            throw new RegisterException("search-term-too-long",
                $"{field} is longer than {RegisterInputRules.MaxSearchTerm} characters ({field} は{RegisterInputRules.MaxSearchTerm}文字以内で入力してください)");
        var stripped = string.Concat(text.Where(c => !char.IsWhiteSpace(c)));
        // PostgreSQL refuses NUL in text: a control character would end as a database error rather than a refusal.
        if (stripped.Any(char.IsControl))
            throw new RegisterException("bad-text", $"{field} contains a control character ({field} に制御文字が含まれています)");
        var key = NameSearchKey.Fold(stripped);
        if (key.Length == 0 || RegisterInputRules.IsWildcardOnly(stripped) || RegisterInputRules.IsWildcardOnly(key))
            throw new RegisterException("wildcard-search",
                $"{field} holds only wildcard characters; search by a name, reading or birth date ({field} に記号だけを指定して検索することはできません)");
        return key;
    }

    // ---------------------------------------------------------------- shared helpers

    internal static Resident? ReadOne(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadResident(reader) : null;
    }

    internal static async ValueTask<Resident?> ReadOneAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ReaderAsync(cancellationToken);
        return await reader.ReadRowAsync(cancellationToken) ? ReadResident(reader) : null;
    }

    internal static List<Resident> ReadAll(DbCommand command)
    {
        using var reader = command.ExecuteReader();
        var list = new List<Resident>();
        while (reader.Read()) list.Add(ReadResident(reader));
        return list;
    }

    internal static Resident ReadResident(DbDataReader r) => new(
        r.GetInt64(0),
        ResidentCode.FromInt64(r.GetInt64(1)),
        r.IsDBNull(2) ? null : IndividualNumber.FromInt64(r.GetInt64(2)),
        new PersonName(r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6)),
        ParseDate(r.GetString(7)),
        (Sex)r.GetInt32(8),
        r.GetString(9),
        r.GetString(10),
        (Relationship)r.GetInt32(11),
        ParseDate(r.GetString(12)),
        (RegisterStatus)r.GetInt32(13),
        r.IsDBNull(14) ? null : ParseDate(r.GetString(14)),
        r.NullableString(15),
        r.GetInt32(16) != 0,
        r.NullableString(17));

    /// <summary>ISO date (yyyy-MM-dd) as stored; hand-rolled because bulk loads format two dates per row.</summary>
    internal static string FormatDate(DateOnly date) => string.Create(10, date, static (span, d) =>
    {
        var year = d.Year;
        span[0] = (char)('0' + year / 1000);
        span[1] = (char)('0' + year / 100 % 10);
        span[2] = (char)('0' + year / 10 % 10);
        span[3] = (char)('0' + year % 10);
        span[4] = '-';
        span[5] = (char)('0' + d.Month / 10);
        span[6] = (char)('0' + d.Month % 10);
        span[7] = '-';
        span[8] = (char)('0' + d.Day / 10);
        span[9] = (char)('0' + d.Day % 10);
    });
    internal static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
    internal static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}

/// <summary>Register totals.</summary>
public sealed record RegisterCounts(long Residents, long MovedOut, long Deceased, long ResidentsWithoutNumber, long Households);
