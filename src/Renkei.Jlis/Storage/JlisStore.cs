using System.Data;
using System.Data.Common;
using System.Globalization;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;

namespace Renkei.Jlis.Storage;

/// <summary>A designation as J-LIS records it: the code's current number (個人番号とすべき番号).</summary>
public sealed record Designation(
    ResidentCode ResidentCode,
    IndividualNumber IndividualNumber,
    int Generation,
    LocalGovernmentCode Municipality,
    DateTimeOffset DesignatedAt);

/// <summary>One number ever designated for a code. <see cref="SupersededAt"/> is null for the current one.</summary>
public sealed record NumberHistoryEntry(
    IndividualNumber IndividualNumber,
    int Generation,
    LocalGovernmentCode Municipality,
    DateTimeOffset DesignatedAt,
    DateTimeOffset? SupersededAt,
    NumberChangeReason? Reason);

public sealed record JlisStoreCounts(long CurrentNumbers, long HistoryEntries, long IssuedResidentCodes, long RetiredResidentCodes, long RequestRecords);

/// <summary>
/// J-LIS's own database (SQLite or PostgreSQL): the resident-record code → current number map, the numbers that
/// were superseded by a number change, the resident-record codes J-LIS issued or retired, and the request records
/// that make retries return the first answer. Numbers and codes are stored as 64-bit integers.
/// <para>
/// No index maps numbers back to codes: a number is a keyed permutation of (generation, code), so the deriver
/// inverts it (<see cref="Numbering.NumberDeriver.Invert"/>), and numbers are unique by construction. A first
/// designation is therefore one row in one B-tree; with randomly spread codes and numbers, every extra index
/// would dirty thousands of pages per batch and make bulk designation slower the larger the register grows.
/// </para>
/// Methods taking a connection and transaction run inside the caller's transaction.
/// </summary>
public sealed class JlisStore
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public JlisStore(Database database) => Database = database;

    public Database Database { get; }

    private bool IsPostgres => Database.Provider == DatabaseProvider.PostgreSql;

    /// <summary>Creates or upgrades J-LIS's tables (<see cref="JlisSchema"/>); safe to call on every start.</summary>
    public void EnsureSchema() => Migrations.Apply(Database, JlisSchema.Tables);

    /// <summary>
    /// Records <paramref name="checkValue"/> (a one-way value of the numbering key) on first use and afterwards
    /// confirms that the key in use is the one this database's numbers were derived with.
    /// </summary>
    public bool KeyMatches(string checkValue) => Database.InTransaction((c, t) =>
    {
        using (var insert = c.Command("INSERT INTO jlis_settings (name, value) VALUES ('numbering-key-check', @v) ON CONFLICT (name) DO NOTHING", t))
            insert.With("v", checkValue).ExecuteNonQuery();
        using var select = c.Command("SELECT value FROM jlis_settings WHERE name = 'numbering-key-check'", t);
        return (string?)select.ExecuteScalar() == checkValue;
    });

    // ---------------------------------------------------------------- request records (idempotency)

    /// <summary>Request IDs with their responses, so a retried request returns the first answer.</summary>
    internal RequestLedger Requests { get; } = new("jlis_requests");

    // ---------------------------------------------------------------- designations

    public Designation? FindCurrent(ResidentCode code)
    {
        using var c = Database.Open();
        return FindCurrent(c, null, code);
    }

    /// <param name="forUpdate">Lock the row until the transaction ends (PostgreSQL; SQLite's write transactions are exclusive anyway).</param>
    internal Designation? FindCurrent(DbConnection c, DbTransaction? t, ResidentCode code, bool forUpdate = false)
    {
        using var select = c.Command(
            "SELECT individual_number, generation, municipality, designated_at FROM jlis_number_map WHERE resident_code = @c"
            + (forUpdate && IsPostgres ? " FOR UPDATE" : ""), t);
        using var reader = select.With("c", code.ToInt64()).ExecuteReader();
        if (!reader.Read()) return null;
        return new Designation(code, IndividualNumber.FromInt64(reader.GetInt64(0)), reader.GetInt32(1),
            LocalGovernmentCode.ParseOrThrow(reader.GetString(2)), Parse(reader.GetString(3)));
    }

    /// <summary><see cref="FindCurrent(DbConnection, DbTransaction?, ResidentCode, bool)"/> for request paths (asynchronous on PostgreSQL).</summary>
    internal async ValueTask<Designation?> FindCurrentAsync(DbConnection c, DbTransaction? t, ResidentCode code, CancellationToken cancellationToken)
    {
        if (!IsPostgres) return FindCurrent(c, t, code);
        using var select = c.Command(
            "SELECT individual_number, generation, municipality, designated_at FROM jlis_number_map WHERE resident_code = @c", t);
        await using var reader = await select.With("c", code.ToInt64()).ReaderAsync(cancellationToken);
        if (!await reader.ReadRowAsync(cancellationToken)) return null;
        return new Designation(code, IndividualNumber.FromInt64(reader.GetInt64(0)), reader.GetInt32(1),
            LocalGovernmentCode.ParseOrThrow(reader.GetString(2)), Parse(reader.GetString(3)));
    }

    /// <summary><see cref="FindCurrent(DbConnection, DbTransaction, IReadOnlyList{long})"/> for request paths (asynchronous on PostgreSQL).</summary>
    internal async ValueTask<Dictionary<long, (long Number, int Generation)>> FindCurrentAsync(DbConnection c, DbTransaction t, IReadOnlyList<long> codes,
        CancellationToken cancellationToken)
    {
        if (!IsPostgres || codes.Count == 0) return FindCurrent(c, t, codes);
        var found = new Dictionary<long, (long, int)>();
        using var select = c.Command(
            "SELECT resident_code, individual_number, generation FROM jlis_number_map WHERE resident_code = ANY(@codes)", t);
        await using var reader = await select.With("codes", codes as long[] ?? codes.ToArray()).ReaderAsync(cancellationToken);
        while (await reader.ReadRowAsync(cancellationToken)) found[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetInt32(2));
        return found;
    }

    /// <summary>The current number and generation of each code that has one (codes as 11-digit integers).</summary>
    internal Dictionary<long, (long Number, int Generation)> FindCurrent(DbConnection c, DbTransaction t, IReadOnlyList<long> codes)
    {
        var found = new Dictionary<long, (long, int)>();
        if (codes.Count == 0) return found;
        if (IsPostgres)
        {
            // One round trip for the whole batch.
            using var select = c.Command(
                "SELECT resident_code, individual_number, generation FROM jlis_number_map WHERE resident_code = ANY(@codes)", t);
            using var reader = select.With("codes", codes as long[] ?? codes.ToArray()).ExecuteReader();
            while (reader.Read()) found[reader.GetInt64(0)] = (reader.GetInt64(1), reader.GetInt32(2));
            return found;
        }
        // SQLite runs in process: a prepared statement reused per code costs microseconds.
        using (var select = c.Command("SELECT individual_number, generation FROM jlis_number_map WHERE resident_code = @c", t))
        {
            var parameter = select.Parameter("c", DbType.Int64);
            select.Prepare();
            foreach (var code in codes)
            {
                parameter.Value = code;
                using var reader = select.ExecuteReader();
                if (reader.Read()) found[code] = (reader.GetInt64(0), reader.GetInt32(1));
            }
        }
        return found;
    }

    /// <summary>
    /// Records generation-0 designations (map and history) for those of <paramref name="codes"/> that have no number,
    /// in one statement per table on PostgreSQL (array parameters) and prepared statements reused per row on SQLite.
    /// Returns the codes actually inserted: a code that already has a number, also one designated by a concurrent
    /// transaction, is left alone (ON CONFLICT DO NOTHING) and missing from the result.
    /// </summary>
    internal HashSet<long> InsertFirstDesignations(DbConnection c, DbTransaction t, IReadOnlyList<long> codes, IReadOnlyList<long> numbers,
        LocalGovernmentCode municipality, DateTimeOffset now)
    {
        var inserted = new HashSet<long>();
        if (codes.Count == 0) return inserted;
        var at = Format(now);
        if (IsPostgres)
        {
            using (var map = c.Command("""
                INSERT INTO jlis_number_map (resident_code, individual_number, generation, municipality, designated_at)
                SELECT code, number, 0, @m, @at FROM unnest(@codes, @numbers) AS batch(code, number)
                ON CONFLICT (resident_code) DO NOTHING RETURNING resident_code
                """, t))
            {
                map.With("m", municipality.Digits).With("at", at)
                    .With("codes", codes as long[] ?? codes.ToArray()).With("numbers", numbers as long[] ?? numbers.ToArray());
                using var reader = map.ExecuteReader();
                while (reader.Read()) inserted.Add(reader.GetInt64(0));
            }
            return inserted;
        }

        // SQLite: a native prepared statement (ADO.NET's per-row overhead would dominate), in key order, so consecutive
        // inserts land on the same B-tree pages instead of random ones.
        var sqlite = (Microsoft.Data.Sqlite.SqliteConnection)c;
        var byCode = Enumerable.Range(0, codes.Count).ToArray();
        Array.Sort(byCode, (x, y) => codes[x].CompareTo(codes[y]));
        using (var insertMap = new SqliteFastStatement(sqlite, """
            INSERT INTO jlis_number_map (resident_code, individual_number, generation, municipality, designated_at)
            VALUES (?1, ?2, 0, ?3, ?4) ON CONFLICT (resident_code) DO NOTHING
            """))
        {
            insertMap.Bind(3, municipality.Digits);
            insertMap.Bind(4, at);
            foreach (var i in byCode)
            {
                insertMap.Bind(1, codes[i]);
                insertMap.Bind(2, numbers[i]);
                if (insertMap.Execute() != 0) inserted.Add(codes[i]); // 0: the code already has a number
            }
        }

        return inserted;
    }

    /// <summary>
    /// Moves a code from <paramref name="from"/> to the next generation: the map points at the new number, the old
    /// history row is marked superseded with the reason, and a history row is added for the new number.
    /// Returns false when the code is no longer at generation <paramref name="from"/>.Generation (a concurrent change).
    /// </summary>
    internal bool Supersede(DbConnection c, DbTransaction t, Designation from, IndividualNumber newNumber, LocalGovernmentCode municipality,
        NumberChangeReason reason, DateTimeOffset now)
    {
        var at = Format(now);
        using (var update = c.Command("""
            UPDATE jlis_number_map SET individual_number = @n, generation = @g, municipality = @m, designated_at = @at
            WHERE resident_code = @c AND generation = @old
            """, t))
        {
            update.With("n", newNumber.ToInt64()).With("g", from.Generation + 1).With("m", municipality.Digits).With("at", at)
                .With("c", from.ResidentCode.ToInt64()).With("old", from.Generation);
            if (update.ExecuteNonQuery() != 1) return false;
        }
        using var insert = c.Command("""
            INSERT INTO jlis_number_history
                (individual_number, resident_code, generation, municipality, designated_at, superseded_at, superseded_reason)
            VALUES (@n, @c, @g, @m, @designated, @at, @r)
            """, t);
        insert.With("n", from.IndividualNumber.ToInt64()).With("c", from.ResidentCode.ToInt64()).With("g", from.Generation)
            .With("m", from.Municipality.Digits).With("designated", Format(from.DesignatedAt)).With("at", at).With("r", reason.ToString())
            .ExecuteNonQuery();
        return true;
    }

    /// <summary>Every number ever designated for <paramref name="code"/>, oldest first.</summary>
    public IReadOnlyList<NumberHistoryEntry> History(ResidentCode code)
    {
        using var c = Database.Open();
        using var select = c.Command("""
            SELECT individual_number, generation, municipality, designated_at, superseded_at, superseded_reason
            FROM jlis_number_history WHERE resident_code = @c
            UNION ALL
            SELECT individual_number, generation, municipality, designated_at, NULL, NULL
            FROM jlis_number_map WHERE resident_code = @c
            ORDER BY 2
            """);
        using var reader = select.With("c", code.ToInt64()).ExecuteReader();
        var entries = new List<NumberHistoryEntry>();
        while (reader.Read())
        {
            entries.Add(new NumberHistoryEntry(
                IndividualNumber.FromInt64(reader.GetInt64(0)), reader.GetInt32(1), LocalGovernmentCode.ParseOrThrow(reader.GetString(2)),
                Parse(reader.GetString(3)), reader.NullableString(4) is { } s ? Parse(s) : null,
                reader.NullableString(5) is { } r ? Enum.Parse<NumberChangeReason>(r) : null));
        }
        return entries;
    }

    // ---------------------------------------------------------------- the municipality a resident belongs to

    private const string OwnerSql = """
        SELECT COALESCE(
          (SELECT municipality FROM jlis_residence WHERE resident_code = @c),
          (SELECT municipality FROM jlis_number_map WHERE resident_code = @c),
          (SELECT municipality FROM jlis_resident_codes WHERE resident_code = @c))
        """;

    /// <summary>
    /// The municipality whose resident the code is: where the resident moved to last (<see cref="MoveResident"/>), else
    /// the municipality that designated the current number, else the one J-LIS issued the code to; null when J-LIS does not
    /// know the code (a code a registry brought from before this service).
    /// </summary>
    public LocalGovernmentCode? MunicipalityOf(ResidentCode code)
    {
        using var c = Database.Open();
        return MunicipalityOf(c, null, code);
    }

    internal LocalGovernmentCode? MunicipalityOf(DbConnection c, DbTransaction? t, ResidentCode code)
    {
        using var select = c.Command(OwnerSql, t);
        return select.With("c", code.ToInt64()).ExecuteScalar() is string digits ? LocalGovernmentCode.ParseOrThrow(digits) : null;
    }

    /// <summary>The codes among <paramref name="codes"/> that belong to another municipality than <paramref name="municipality"/>.</summary>
    internal HashSet<long> FindOthers(DbConnection c, DbTransaction t, IReadOnlyList<long> codes, LocalGovernmentCode municipality)
    {
        var others = new HashSet<long>();
        if (IsPostgres)
        {
            using var select = c.Command("""
                SELECT x.code FROM unnest(@codes) AS x(code)
                LEFT JOIN jlis_residence r ON r.resident_code = x.code
                LEFT JOIN jlis_number_map m ON m.resident_code = x.code
                LEFT JOIN jlis_resident_codes i ON i.resident_code = x.code
                WHERE COALESCE(r.municipality, m.municipality, i.municipality) <> @m
                """, t);
            using var reader = select.With("codes", codes as long[] ?? codes.ToArray()).With("m", municipality.Digits).ExecuteReader();
            while (reader.Read()) others.Add(reader.GetInt64(0));
            return others;
        }
        using var lookup = c.Command(OwnerSql, t);
        var parameter = lookup.Parameter("c", DbType.Int64);
        lookup.Prepare();
        foreach (var code in codes)
        {
            parameter.Value = code;
            if (lookup.ExecuteScalar() is string digits && digits != municipality.Digits) others.Add(code);
        }
        return others;
    }

    /// <summary>Records that the resident now lives in <paramref name="municipality"/> (転入通知): that ward acts for them from now on.</summary>
    internal void MoveResident(DbConnection c, DbTransaction t, ResidentCode code, LocalGovernmentCode municipality, DateTimeOffset now)
    {
        using var upsert = c.Command("""
            INSERT INTO jlis_residence (resident_code, municipality, since) VALUES (@c, @m, @at)
            ON CONFLICT (resident_code) DO UPDATE SET municipality = excluded.municipality, since = excluded.since
            """, t);
        upsert.With("c", code.ToInt64()).With("m", municipality.Digits).With("at", Format(now)).ExecuteNonQuery();
    }

    // ---------------------------------------------------------------- resident-record codes

    /// <summary>Whether J-LIS has seen the code anywhere: issued, retired, or designated a number.</summary>
    internal bool IsKnownCode(DbConnection c, DbTransaction t, long code)
    {
        using var select = c.Command("""
            SELECT 1 FROM jlis_resident_codes WHERE resident_code = @c
            UNION ALL SELECT 1 FROM jlis_retired_codes WHERE resident_code = @c
            UNION ALL SELECT 1 FROM jlis_number_map WHERE resident_code = @c
            """, t);
        return select.With("c", code).ExecuteScalar() is not null;
    }

    internal bool TryInsertIssuedCode(DbConnection c, DbTransaction t, ResidentCode code, LocalGovernmentCode municipality,
        ResidentCodeIssueReason reason, DateTimeOffset now)
    {
        using var insert = c.Command("""
            INSERT INTO jlis_resident_codes (resident_code, municipality, reason, issued_at) VALUES (@c, @m, @r, @at)
            ON CONFLICT (resident_code) DO NOTHING RETURNING resident_code
            """, t);
        insert.With("c", code.ToInt64()).With("m", municipality.Digits).With("r", reason.ToString()).With("at", Format(now));
        return insert.ExecuteScalar() is not null;
    }

    /// <summary>
    /// Retires a resident-record code (e.g. one replaced by a code change, 住民票コードの変更, or issued in error):
    /// J-LIS then refuses to designate or change numbers for it. Idempotent; the first reason is kept.
    /// </summary>
    public void RetireResidentCode(ResidentCode code, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Database.InTransaction((c, t) =>
        {
            using var insert = c.Command(
                "INSERT INTO jlis_retired_codes (resident_code, reason, retired_at) VALUES (@c, @r, @at) ON CONFLICT (resident_code) DO NOTHING", t);
            insert.With("c", code.ToInt64()).With("r", reason).With("at", Format(DateTimeOffset.UtcNow)).ExecuteNonQuery();
        });
    }

    internal bool IsRetired(DbConnection c, DbTransaction t, ResidentCode code)
    {
        using var select = c.Command("SELECT 1 FROM jlis_retired_codes WHERE resident_code = @c", t);
        return select.With("c", code.ToInt64()).ExecuteScalar() is not null;
    }

    /// <summary><see cref="IsRetired"/> for request paths (asynchronous on PostgreSQL).</summary>
    internal async ValueTask<bool> IsRetiredAsync(DbConnection c, DbTransaction t, ResidentCode code, CancellationToken cancellationToken)
    {
        using var select = c.Command("SELECT 1 FROM jlis_retired_codes WHERE resident_code = @c", t);
        return await select.With("c", code.ToInt64()).ScalarAsync(cancellationToken) is not null;
    }

    /// <summary><see cref="FindRetired"/> for request paths (asynchronous on PostgreSQL).</summary>
    internal async ValueTask<HashSet<long>> FindRetiredAsync(DbConnection c, DbTransaction t, IReadOnlyList<long> codes, CancellationToken cancellationToken)
    {
        if (!IsPostgres) return FindRetired(c, t, codes);
        var retired = new HashSet<long>();
        using (var any = c.Command("SELECT 1 FROM jlis_retired_codes LIMIT 1", t))
            if (await any.ScalarAsync(cancellationToken) is null) return retired; // the usual case: nothing to look up
        using var select = c.Command("SELECT resident_code FROM jlis_retired_codes WHERE resident_code = ANY(@codes)", t);
        await using var reader = await select.With("codes", codes as long[] ?? codes.ToArray()).ReaderAsync(cancellationToken);
        while (await reader.ReadRowAsync(cancellationToken)) retired.Add(reader.GetInt64(0));
        return retired;
    }

    /// <summary>The retired codes among <paramref name="codes"/>.</summary>
    internal HashSet<long> FindRetired(DbConnection c, DbTransaction t, IReadOnlyList<long> codes)
    {
        var retired = new HashSet<long>();
        using (var any = c.Command("SELECT 1 FROM jlis_retired_codes LIMIT 1", t))
            if (any.ExecuteScalar() is null) return retired; // the usual case: nothing to look up
        if (IsPostgres)
        {
            using var select = c.Command("SELECT resident_code FROM jlis_retired_codes WHERE resident_code = ANY(@codes)", t);
            using var reader = select.With("codes", codes as long[] ?? codes.ToArray()).ExecuteReader();
            while (reader.Read()) retired.Add(reader.GetInt64(0));
            return retired;
        }
        using var lookup = c.Command("SELECT 1 FROM jlis_retired_codes WHERE resident_code = @c", t);
        var parameter = lookup.Parameter("c", DbType.Int64);
        lookup.Prepare();
        foreach (var code in codes)
        {
            parameter.Value = code;
            if (lookup.ExecuteScalar() is not null) retired.Add(code);
        }
        return retired;
    }

    // ---------------------------------------------------------------- housekeeping

    public JlisStoreCounts Counts()
    {
        using var c = Database.Open();
        long Count(string table)
        {
            using var command = c.Command($"SELECT COUNT(*) FROM {table}");
            return command.ScalarInt64();
        }
        // History entries: every number ever designated, i.e. the current ones and the superseded ones.
        var current = Count("jlis_number_map");
        return new JlisStoreCounts(current, current + Count("jlis_number_history"), Count("jlis_resident_codes"),
            Count("jlis_retired_codes"), Count("jlis_requests"));
    }

    /// <summary>Whether the database answers (for /health).</summary>
    internal static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
