using System.Data;
using System.Data.Common;
using Renkei.Core.Audit;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Network.Contracts;

namespace Renkei.Network.Storage;

/// <summary>A batch query as the network keeps it.</summary>
internal sealed record BatchRow(
    Guid BatchId, string Inquirer, string Affair, string Provider, string Kind, DateOnly? PolicyDate,
    int Total, BatchState State, string Fingerprint);

/// <summary>One pending item of a batch query.</summary>
internal sealed record BatchItemRow(int ItemIndex, string ItemId, Token InquirerToken, DateOnly? AsOf, int Attempts);

/// <summary>
/// The network's own database (SQLite or PostgreSQL):
/// <code>
/// net_settings        (name PK, value)                              the master-key check value
/// net_institutions    (code PK, name, class, endpoint, keys, …)     the institution registry
/// net_id_codes        (id_code PK, first_issued_at)                 persons the network knows, by ID code only
/// net_token_issuance  (institution, id_code) PK, issued_at          which institution holds a token for whom
/// net_requests        RequestLedger                                 immediate queries by request id → first answer
/// net_batches         (batch_id PK, …)                              batch queries (一括照会)
/// net_batch_items     (batch_id, item_index) PK, …, response,       their items; response NULL while pending;
///                     claimed_by, claimed_until                     the instance working an item, and until when
/// net_record_index    (id_code, sequence) PK                        provision records by person (for the portal)
/// net_record_subjects (sequence PK, salt, inquirer_token, provider_token) what each record's subject commitment hides
/// net_notices         (notice_id PK, id_code, sender, portal, sealed, …) notices for persons, sealed to the portal (お知らせ)
/// net_provision_records (+ _checkpoints)                            AuditLogStore: the provision records (情報提供等記録)
/// </code>
/// No resident-record code, individual number or basic fact is stored. Issued tokens are not stored (they are derived
/// from the ID code on demand); the only tokens kept are those an inquirer sent (batch items, stored answers) and those
/// behind the provision records' commitments (net_record_subjects; the logged records hold only the commitment). Times are microseconds since the Unix epoch (UTC).
/// </summary>
internal sealed class NetworkStore(Database database)
{
    public const string RecordsTable = "net_provision_records";

    public Database Database { get; } = database;

    public RequestLedger Requests { get; } = new("net_requests");

    private bool IsPostgres => Database.Provider == DatabaseProvider.PostgreSql;

    /// <summary>Creates or upgrades the network's tables (<see cref="NetworkSchema"/>).</summary>
    public void EnsureSchema() => Migrations.Apply(Database, NetworkSchema.Tables);

    /// <summary>Records the master key's check value on first use; afterwards true only for the same key.</summary>
    public bool KeyMatches(string checkValue) => Database.InTransaction((c, t) =>
    {
        using (var insert = c.Command("INSERT INTO net_settings (name, value) VALUES ('master-key-check', @v) ON CONFLICT (name) DO NOTHING", t))
            insert.With("v", checkValue).ExecuteNonQuery();
        using var select = c.Command("SELECT value FROM net_settings WHERE name = 'master-key-check'", t);
        return (string?)select.ExecuteScalar() == checkValue;
    });

    // ---------------------------------------------------------------- signed tree heads of the provision records

    /// <summary>Keeps a signed head (a head of the same size is kept once: the first one signed).</summary>
    public void SaveTreeHead(long treeSize, string rootHash, long signedAtMs, string signature)
    {
        using var c = Database.Open();
        using var insert = c.Command("""
            INSERT INTO net_tree_heads (tree_size, root_hash, signed_at_ms, signature) VALUES (@size, @root, @at, @signature)
            ON CONFLICT (tree_size) DO NOTHING
            """);
        insert.With("size", treeSize).With("root", rootHash).With("at", signedAtMs).With("signature", signature).ExecuteNonQuery();
    }

    /// <summary>The largest head kept, or null when none was signed yet.</summary>
    public (long TreeSize, string RootHash, long SignedAtMs, string Signature)? LatestTreeHead()
    {
        using var c = Database.Open();
        using var select = c.Command("SELECT tree_size, root_hash, signed_at_ms, signature FROM net_tree_heads ORDER BY tree_size DESC LIMIT 1");
        using var reader = select.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3)) : null;
    }

    // ---------------------------------------------------------------- institutions

    public void UpsertInstitution(InstitutionInfo info, DateTimeOffset now)
    {
        using var c = Database.Open();
        using var upsert = c.Command("""
            INSERT INTO net_institutions (code, name, class, endpoint, signing_key, sealing_key, updated_at)
            VALUES (@code, @name, @class, @endpoint, @signing, @sealing, @at)
            ON CONFLICT (code) DO UPDATE SET name = excluded.name, class = excluded.class, endpoint = excluded.endpoint,
                signing_key = excluded.signing_key, sealing_key = excluded.sealing_key, updated_at = excluded.updated_at
            """);
        upsert.With("code", info.Code).With("name", info.Name).With("class", info.Class.ToString())
            .With("endpoint", info.Endpoint?.AbsoluteUri).With("signing", info.SigningPublicKey).With("sealing", info.SealingPublicKey)
            .With("at", AuditTime.ToMicros(now)).ExecuteNonQuery();
    }

    public List<InstitutionInfo> LoadInstitutions() => ReadInstitutions(null);

    /// <summary>The registration of <paramref name="code"/>, or null.</summary>
    public InstitutionInfo? LoadInstitution(string code) => ReadInstitutions(code).SingleOrDefault();

    private List<InstitutionInfo> ReadInstitutions(string? code)
    {
        using var c = Database.Open();
        using var select = c.Command("SELECT code, name, class, endpoint, signing_key, sealing_key FROM net_institutions"
            + (code is null ? "" : " WHERE code = @code") + " ORDER BY code");
        if (code is not null) select.With("code", code);
        using var reader = select.ExecuteReader();
        var list = new List<InstitutionInfo>();
        while (reader.Read())
            list.Add(new InstitutionInfo(reader.GetString(0), reader.GetString(1), Enum.Parse<InstitutionClass>(reader.GetString(2)),
                reader.NullableString(3) is { } endpoint ? new Uri(endpoint) : null, reader.GetString(4), reader.GetString(5)));
        return list;
    }

    // ---------------------------------------------------------------- token issuance

    /// <summary>Records that <paramref name="institution"/> holds tokens for these ID codes (idempotent), in one transaction.</summary>
    public async Task RecordIssuanceAsync(string institution, IReadOnlyList<long> idCodes, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        if (idCodes.Count == 0) return;
        var at = AuditTime.ToMicros(now);
        await Database.InTransactionAsync(async (c, t) =>
        {
            if (IsPostgres)
            {
                var array = idCodes as long[] ?? idCodes.ToArray();
                using (var ids = c.Command("INSERT INTO net_id_codes (id_code, first_issued_at) SELECT x, @at FROM unnest(@ids) AS u(x) ON CONFLICT (id_code) DO NOTHING", t))
                    await ids.With("at", at).With("ids", array).ExecuteAsync(cancellationToken);
                using var issued = c.Command("INSERT INTO net_token_issuance (institution, id_code, issued_at) SELECT @i, x, @at FROM unnest(@ids) AS u(x) ON CONFLICT (institution, id_code) DO NOTHING", t);
                await issued.With("i", institution).With("at", at).With("ids", array).ExecuteAsync(cancellationToken);
                return;
            }
            var sqlite = (Microsoft.Data.Sqlite.SqliteConnection)c;
            using var idInsert = new SqliteFastStatement(sqlite, "INSERT INTO net_id_codes (id_code, first_issued_at) VALUES (?1, ?2) ON CONFLICT (id_code) DO NOTHING");
            using var issuedInsert = new SqliteFastStatement(sqlite, "INSERT INTO net_token_issuance (institution, id_code, issued_at) VALUES (?1, ?2, ?3) ON CONFLICT (institution, id_code) DO NOTHING");
            idInsert.Bind(2, at);
            issuedInsert.Bind(1, institution);
            issuedInsert.Bind(3, at);
            foreach (var idCode in idCodes)
            {
                idInsert.Bind(1, idCode);
                idInsert.Execute();
                issuedInsert.Bind(2, idCode);
                issuedInsert.Execute();
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Issues one token idempotently by request id, in one transaction: a new <paramref name="requestId"/> records the
    /// issuance and stores <paramref name="response"/>()'s answer; a known one returns the stored answer if the request is
    /// the same (<paramref name="fingerprint"/>), else null (the id was used for another request).
    /// </summary>
    public async Task<string?> IssueOnceAsync(Guid requestId, string institution, long idCode, string operation, string fingerprint, Func<string> response,
        DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await Database.InTransactionAsync(async (c, t) =>
        {
            var stored = await Requests.ClaimAsync(c, t, requestId, operation, fingerprint, now, cancellationToken);
            if (stored is not null)
                return stored.Operation == operation && stored.Fingerprint == fingerprint ? stored.Response : null;
            var at = AuditTime.ToMicros(now);
            using (var ids = c.Command("INSERT INTO net_id_codes (id_code, first_issued_at) VALUES (@c, @at) ON CONFLICT (id_code) DO NOTHING", t))
                await ids.With("c", idCode).With("at", at).ExecuteAsync(cancellationToken);
            using (var issued = c.Command("INSERT INTO net_token_issuance (institution, id_code, issued_at) VALUES (@i, @c, @at) ON CONFLICT (institution, id_code) DO NOTHING", t))
                await issued.With("i", institution).With("c", idCode).With("at", at).ExecuteAsync(cancellationToken);
            var answer = response();
            await Requests.CompleteAsync(c, t, requestId, answer, cancellationToken);
            return answer;
        }, cancellationToken: cancellationToken);

    /// <summary>True when a token for the person with <paramref name="idCode"/> was issued to <paramref name="institution"/>.</summary>
    public async Task<bool> IsIssuedAsync(string institution, long idCode, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        return await IsIssuedAsync(c, institution, idCode, cancellationToken);
    }

    public static async ValueTask<bool> IsIssuedAsync(DbConnection c, string institution, long idCode, CancellationToken cancellationToken = default)
    {
        using var select = c.Command("SELECT 1 FROM net_token_issuance WHERE institution = @i AND id_code = @c");
        return await select.With("i", institution).With("c", idCode).ScalarAsync(cancellationToken) is not null;
    }

    /// <summary>The institutions that hold a token for the person with <paramref name="idCode"/>, by code.</summary>
    public async Task<List<string>> HoldersOfAsync(long idCode, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command("SELECT institution FROM net_token_issuance WHERE id_code = @c ORDER BY institution");
        await using var reader = await select.With("c", idCode).ReaderAsync(cancellationToken);
        var list = new List<string>();
        while (await reader.ReadRowAsync(cancellationToken)) list.Add(reader.GetString(0));
        return list;
    }

    // ---------------------------------------------------------------- notices (お知らせ)

    /// <summary>A notice as stored: the person by ID code, the sealed content as JSON.</summary>
    internal sealed record NoticeRow(Guid NoticeId, long IdCode, string Sender, string Portal, string Sealed, string Fingerprint, DateTimeOffset SentAt, DateTimeOffset? ReadAt);

    /// <summary>Stores a notice unless its id is known; returns the stored row (the earlier one for a known id).</summary>
    public async Task<NoticeRow> InsertNoticeAsync(NoticeRow notice, CancellationToken cancellationToken = default) =>
        await Database.InTransactionAsync(async (c, t) =>
        {
            using (var insert = c.Command("""
                INSERT INTO net_notices (notice_id, id_code, sender, portal, sealed, fingerprint, sent_at, read_at)
                VALUES (@id, @c, @sender, @portal, @sealed, @fp, @at, NULL) ON CONFLICT (notice_id) DO NOTHING
                """, t))
            {
                await insert.With("id", notice.NoticeId.ToString("D")).With("c", notice.IdCode).With("sender", notice.Sender).With("portal", notice.Portal)
                    .With("sealed", notice.Sealed).With("fp", notice.Fingerprint).With("at", AuditTime.ToMicros(notice.SentAt)).ExecuteAsync(cancellationToken);
            }
            return (await FindNoticeAsync(c, t, notice.NoticeId, cancellationToken))!;
        }, cancellationToken: cancellationToken);

    /// <summary>The person's notices for <paramref name="portal"/>, newest first.</summary>
    public async Task<List<NoticeRow>> NoticesOfAsync(long idCode, string portal, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command($"{NoticeSelect} WHERE id_code = @c AND portal = @p ORDER BY sent_at DESC, notice_id");
        select.With("c", idCode).With("p", portal);
        return await ReadNoticesAsync(select, cancellationToken);
    }

    /// <summary>Marks the person's notice read (the first time only); null when the person has no such notice.</summary>
    public async Task<NoticeRow?> MarkNoticeReadAsync(Guid noticeId, long idCode, string portal, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await Database.InTransactionAsync(async (c, t) =>
        {
            using (var update = c.Command("UPDATE net_notices SET read_at = @at WHERE notice_id = @id AND id_code = @c AND portal = @p AND read_at IS NULL", t))
                await update.With("at", AuditTime.ToMicros(now)).With("id", noticeId.ToString("D")).With("c", idCode).With("p", portal).ExecuteAsync(cancellationToken);
            var row = await FindNoticeAsync(c, t, noticeId, cancellationToken);
            return row is not null && row.IdCode == idCode && row.Portal == portal ? row : null;
        }, cancellationToken: cancellationToken);

    private const string NoticeSelect = "SELECT notice_id, id_code, sender, portal, sealed, fingerprint, sent_at, read_at FROM net_notices";

    private static async ValueTask<NoticeRow?> FindNoticeAsync(DbConnection c, DbTransaction? t, Guid noticeId, CancellationToken cancellationToken)
    {
        using var select = c.Command($"{NoticeSelect} WHERE notice_id = @id", t);
        select.With("id", noticeId.ToString("D"));
        return (await ReadNoticesAsync(select, cancellationToken)).SingleOrDefault();
    }

    private static async ValueTask<List<NoticeRow>> ReadNoticesAsync(DbCommand select, CancellationToken cancellationToken)
    {
        await using var reader = await select.ReaderAsync(cancellationToken);
        var list = new List<NoticeRow>();
        while (await reader.ReadRowAsync(cancellationToken))
            list.Add(new NoticeRow(Guid.Parse(reader.GetString(0)), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), AuditTime.FromMicros(reader.GetInt64(6)), reader.IsDBNull(7) ? null : AuditTime.FromMicros(reader.GetInt64(7))));
        return list;
    }

    // ---------------------------------------------------------------- immediate queries (idempotency)

    public async Task<RequestLedger.StoredRequest?> FindRequestAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        return await Requests.FindAsync(c, null, requestId, cancellationToken);
    }

    /// <summary>
    /// Runs in the provision record's transaction: stores the request's first answer. When the request id is already in the
    /// ledger — the same request answered by another instance on this database, or by this one before — it throws
    /// <see cref="RequestAlreadyAnsweredException"/>, which rolls the record back: the database, not a process's memory,
    /// decides that one request id gets one record. On PostgreSQL the claim waits for a concurrent transaction holding the id.
    /// </summary>
    public void CompleteRequest(DbConnection c, DbTransaction t, Guid requestId, string operation, string fingerprint, string response, DateTimeOffset now)
    {
        if (Requests.Claim(c, t, requestId, operation, fingerprint, now) is not null) throw new RequestAlreadyAnsweredException();
        Requests.Complete(c, t, requestId, response);
    }

    public static void IndexRecord(DbConnection c, DbTransaction t, long idCode, long sequence)
    {
        using var insert = c.Command("INSERT INTO net_record_index (id_code, sequence) VALUES (@c, @s) ON CONFLICT DO NOTHING", t);
        insert.With("c", idCode).With("s", sequence).ExecuteNonQuery();
    }

    /// <summary>Runs in the provision record's transaction: the salt and tokens behind its subject commitment.</summary>
    public static void InsertSubject(DbConnection c, DbTransaction t, long sequence, byte[] salt, Token inquirerToken, Token? providerToken)
    {
        using var insert = c.Command("INSERT INTO net_record_subjects (sequence, salt, inquirer_token, provider_token) VALUES (@s, @salt, @i, @p)", t);
        insert.With("s", sequence).With("salt", Convert.ToBase64String(salt)).With("i", inquirerToken.ToInt64())
            .With("p", providerToken?.ToInt64()).ExecuteNonQuery();
    }

    public Records.ProvisionSubject? FindSubject(long sequence)
    {
        using var c = Database.Open();
        using var select = c.Command("SELECT salt, inquirer_token, provider_token FROM net_record_subjects WHERE sequence = @s");
        using var reader = select.With("s", sequence).ExecuteReader();
        if (!reader.Read()) return null;
        return new Records.ProvisionSubject(sequence, Convert.FromBase64String(reader.GetString(0)), Token.FromInt64(reader.GetInt64(1)),
            reader.IsDBNull(2) ? null : Token.FromInt64(reader.GetInt64(2)));
    }

    /// <summary>True when provision record <paramref name="sequence"/> is indexed under <paramref name="idCode"/>.</summary>
    public async Task<bool> IsIndexedAsync(long idCode, long sequence, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command("SELECT 1 FROM net_record_index WHERE id_code = @c AND sequence = @s");
        return await select.With("c", idCode).With("s", sequence).ScalarAsync(cancellationToken) is not null;
    }

    // ---------------------------------------------------------------- batch queries

    /// <summary>
    /// Stores a new batch with all its items pending, or returns the one already stored under that id (then nothing is
    /// written). The batch row is inserted with <c>ON CONFLICT DO NOTHING</c>, so the same batch sent to two instances at
    /// once is stored once: on PostgreSQL the second insert waits for the first transaction and then finds its batch.
    /// </summary>
    public async Task<BatchRow> InsertBatchAsync(BatchLinkageRequest request, string fingerprint, DateTimeOffset now, CancellationToken cancellationToken = default) =>
        await Database.InTransactionAsync(async (c, t) =>
    {
        var existing = await FindBatchAsync(c, t, request.BatchId, cancellationToken);
        if (existing is not null) return existing;
        var at = AuditTime.ToMicros(now);
        using (var insert = c.Command("""
            INSERT INTO net_batches (batch_id, inquirer, affair, provider, kind, policy_date, total, state, fingerprint, created_at)
            VALUES (@id, @inquirer, @affair, @provider, @kind, @policy, @total, @state, @fp, @at)
            ON CONFLICT (batch_id) DO NOTHING
            """, t))
        {
            var inserted = await insert.With("id", request.BatchId.ToString("D")).With("inquirer", request.Inquirer).With("affair", request.Affair)
                .With("provider", request.Provider).With("kind", request.Kind).With("policy", FormatDate(request.PolicyDate))
                .With("total", request.Items.Count).With("state", nameof(BatchState.Queued)).With("fp", fingerprint).With("at", at)
                .ExecuteAsync(cancellationToken);
            // Another instance stored the batch meanwhile; read committed, the next statement sees it.
            if (inserted == 0)
                return await FindBatchAsync(c, t, request.BatchId, cancellationToken)
                    ?? throw new InvalidOperationException("the batch was stored by another transaction but cannot be read");
        }
        if (IsPostgres)
        {
            // One round trip for the whole batch.
            using var bulk = c.Command("""
                INSERT INTO net_batch_items (batch_id, item_index, item_id, inquirer_token, as_of, attempts, next_attempt_at, response, record_sequence)
                SELECT @b, i, item, token, asof, 0, 0, NULL, NULL FROM unnest(@indexes, @items, @tokens, @asofs) AS u(i, item, token, asof)
                """, t);
            await bulk.With("b", request.BatchId.ToString("D"))
                .With("indexes", Enumerable.Range(0, request.Items.Count).ToArray())
                .With("items", request.Items.Select(x => x.ItemId).ToArray())
                .With("tokens", request.Items.Select(x => x.InquirerToken.ToInt64()).ToArray())
                .With("asofs", request.Items.Select(x => FormatDate(x.AsOf)).ToArray())
                .ExecuteAsync(cancellationToken);
        }
        else
        using (var item = c.Command("""
            INSERT INTO net_batch_items (batch_id, item_index, item_id, inquirer_token, as_of, attempts, next_attempt_at, response, record_sequence)
            VALUES (@b, @i, @item, @token, @asof, 0, 0, NULL, NULL)
            """, t))
        {
            item.With("b", request.BatchId.ToString("D"));
            var index = item.Parameter("i", DbType.Int32);
            var itemId = item.Parameter("item", DbType.String);
            var token = item.Parameter("token", DbType.Int64);
            var asOf = item.Parameter("asof", DbType.String);
            item.Prepare();
            for (var i = 0; i < request.Items.Count; i++)
            {
                index.Value = i;
                itemId.Value = request.Items[i].ItemId;
                token.Value = request.Items[i].InquirerToken.ToInt64();
                asOf.Value = (object?)FormatDate(request.Items[i].AsOf) ?? DBNull.Value;
                item.ExecuteNonQuery();
            }
        }
        return new BatchRow(request.BatchId, request.Inquirer, request.Affair, request.Provider, request.Kind, request.PolicyDate,
            request.Items.Count, BatchState.Queued, fingerprint);
    }, cancellationToken: cancellationToken);

    public async Task<BatchRow?> FindBatchAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        return await FindBatchAsync(c, null, batchId, cancellationToken);
    }

    private const string BatchSelect = "SELECT inquirer, affair, provider, kind, policy_date, total, state, fingerprint FROM net_batches WHERE batch_id = @id";

    private static BatchRow? FindBatch(DbConnection c, DbTransaction? t, Guid batchId)
    {
        using var select = c.Command(BatchSelect, t);
        using var reader = select.With("id", batchId.ToString("D")).ExecuteReader();
        return reader.Read() ? ReadBatch(reader, batchId) : null;
    }

    private static async ValueTask<BatchRow?> FindBatchAsync(DbConnection c, DbTransaction? t, Guid batchId, CancellationToken cancellationToken)
    {
        using var select = c.Command(BatchSelect, t);
        await using var reader = await select.With("id", batchId.ToString("D")).ReaderAsync(cancellationToken);
        return await reader.ReadRowAsync(cancellationToken) ? ReadBatch(reader, batchId) : null;
    }

    private static BatchRow ReadBatch(DbDataReader reader, Guid batchId) =>
        new(batchId, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            ParseDate(reader.NullableString(4)), reader.GetInt32(5), Enum.Parse<BatchState>(reader.GetString(6)), reader.GetString(7));

    /// <summary>Batches not yet completed (after a restart: the ones to resume), oldest first.</summary>
    public List<BatchRow> UnfinishedBatches()
    {
        using var c = Database.Open();
        using var select = c.Command("SELECT batch_id FROM net_batches WHERE state <> @done ORDER BY created_at");
        select.With("done", nameof(BatchState.Completed));
        var ids = new List<Guid>();
        using (var reader = select.ExecuteReader())
            while (reader.Read()) ids.Add(Guid.Parse(reader.GetString(0)));
        return ids.Select(id => FindBatch(c, null, id)).OfType<BatchRow>().ToList();
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> pending items of the batch that are due at <paramref name="now"/> and not held
    /// by a live claim, for <paramref name="instance"/> until <paramref name="until"/>; returns them in item order. Several
    /// instances on one database thus never take the same item while its claim lives, and a dead instance's items are taken
    /// over once its claim lapses. On PostgreSQL the rows are picked with <c>FOR UPDATE SKIP LOCKED</c>, so concurrent claims
    /// pass each other's rows instead of waiting for them; SQLite has one writer, and the same statement (without the
    /// locking clause) is atomic there. The rows are picked once, in a materialized CTE: as a subquery of the UPDATE,
    /// PostgreSQL may run the pick again per row, skip the rows the statement itself just updated and so claim past the
    /// limit. The claim's conditions are repeated in the UPDATE: PostgreSQL checks them again on the row's latest version.
    /// A claim only saves work: <see cref="CompleteItem"/> decides that an item is answered once.
    /// </summary>
    public List<BatchItemRow> ClaimDueItems(Guid batchId, string instance, DateTimeOffset now, DateTimeOffset until, int limit)
    {
        using var c = Database.Open();
        using var claim = c.Command($"""
            WITH picked AS MATERIALIZED (
                SELECT item_index FROM net_batch_items
                WHERE batch_id = @b AND response IS NULL AND next_attempt_at <= @now AND (claimed_until IS NULL OR claimed_until < @now)
                ORDER BY item_index LIMIT @limit{(IsPostgres ? " FOR UPDATE SKIP LOCKED" : "")})
            UPDATE net_batch_items SET claimed_by = @me, claimed_until = @until
            WHERE batch_id = @b AND response IS NULL AND (claimed_until IS NULL OR claimed_until < @now)
                AND item_index IN (SELECT item_index FROM picked)
            RETURNING item_index, item_id, inquirer_token, as_of, attempts
            """);
        claim.With("me", instance).With("until", AuditTime.ToMicros(until)).With("b", batchId.ToString("D"))
            .With("now", AuditTime.ToMicros(now)).With("limit", limit);
        using var reader = claim.ExecuteReader();
        var items = new List<BatchItemRow>();
        while (reader.Read())
            items.Add(new BatchItemRow(reader.GetInt32(0), reader.GetString(1), Token.FromInt64(reader.GetInt64(2)),
                ParseDate(reader.NullableString(3)), reader.GetInt32(4)));
        items.Sort((x, y) => x.ItemIndex.CompareTo(y.ItemIndex));
        return items;
    }

    /// <summary>Extends <paramref name="instance"/>'s claims on the batch's pending items to <paramref name="until"/> (it is still working them).</summary>
    public void RenewClaims(Guid batchId, string instance, DateTimeOffset until)
    {
        using var c = Database.Open();
        using var renew = c.Command("UPDATE net_batch_items SET claimed_until = @until WHERE batch_id = @b AND claimed_by = @me AND response IS NULL");
        renew.With("until", AuditTime.ToMicros(until)).With("b", batchId.ToString("D")).With("me", instance).ExecuteNonQuery();
    }

    /// <summary>Lets go of <paramref name="instance"/>'s claims on the batch's items still pending, so any instance may take them when they are due.</summary>
    public void ReleaseClaims(Guid batchId, string instance)
    {
        using var c = Database.Open();
        using var release = c.Command(
            "UPDATE net_batch_items SET claimed_by = NULL, claimed_until = NULL WHERE batch_id = @b AND claimed_by = @me AND response IS NULL");
        release.With("b", batchId.ToString("D")).With("me", instance).ExecuteNonQuery();
    }

    /// <summary>
    /// The earliest time a pending item of the batch may be taken — when it is due or, while a claim holds it, when that
    /// claim lapses — or null when none is pending.
    /// </summary>
    public DateTimeOffset? NextDue(Guid batchId)
    {
        using var c = Database.Open();
        using var select = c.Command("""
            SELECT MIN(CASE WHEN claimed_until > next_attempt_at THEN claimed_until ELSE next_attempt_at END)
            FROM net_batch_items WHERE batch_id = @b AND response IS NULL
            """);
        var value = select.With("b", batchId.ToString("D")).ExecuteScalar();
        return value is null or DBNull ? null : AuditTime.FromMicros(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Puts the pending items off until <paramref name="until"/> (the provider is unavailable) and counts an attempt for <paramref name="attempted"/>.</summary>
    public void Postpone(Guid batchId, IReadOnlyCollection<int> attempted, DateTimeOffset until) => Database.InTransaction((c, t) =>
    {
        var at = AuditTime.ToMicros(until);
        using (var all = c.Command("UPDATE net_batch_items SET next_attempt_at = @at WHERE batch_id = @b AND response IS NULL AND next_attempt_at < @at", t))
            all.With("at", at).With("b", batchId.ToString("D")).ExecuteNonQuery();
        using var tried = c.Command("UPDATE net_batch_items SET attempts = attempts + 1 WHERE batch_id = @b AND item_index = @i AND response IS NULL", t);
        tried.With("b", batchId.ToString("D"));
        var index = tried.Parameter("i", DbType.Int32);
        foreach (var i in attempted)
        {
            index.Value = i;
            tried.ExecuteNonQuery();
        }
    });

    /// <summary>
    /// Runs in the provision record's transaction: the item's answer, once. When the item is already answered — by another
    /// instance on this database whose claim lapsed while it worked, or by this one before — it throws
    /// <see cref="BatchItemAlreadyAnsweredException"/>, which rolls the record back: the database, not a claim or a process's
    /// memory, decides that one item gets one record. On PostgreSQL the update waits for a concurrent transaction answering
    /// the same item and then finds it answered.
    /// </summary>
    public static void CompleteItem(DbConnection c, DbTransaction t, Guid batchId, int itemIndex, string response, long sequence)
    {
        using var update = c.Command(
            "UPDATE net_batch_items SET response = @r, record_sequence = @s WHERE batch_id = @b AND item_index = @i AND response IS NULL", t);
        if (update.With("r", response).With("s", sequence).With("b", batchId.ToString("D")).With("i", itemIndex).ExecuteNonQuery() == 0)
            throw new BatchItemAlreadyAnsweredException();
    }

    public void SetState(Guid batchId, BatchState state)
    {
        using var c = Database.Open();
        using var update = c.Command("UPDATE net_batches SET state = @s WHERE batch_id = @b");
        update.With("s", state.ToString()).With("b", batchId.ToString("D")).ExecuteNonQuery();
    }

    public async Task<(int Finished, int Pending)> CountItemsAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command("""
            SELECT COALESCE(SUM(CASE WHEN response IS NULL THEN 0 ELSE 1 END), 0), COALESCE(SUM(CASE WHEN response IS NULL THEN 1 ELSE 0 END), 0)
            FROM net_batch_items WHERE batch_id = @b
            """);
        await using var reader = await select.With("b", batchId.ToString("D")).ReaderAsync(cancellationToken);
        await reader.ReadRowAsync(cancellationToken);
        return (Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture),
            Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Finished items after <paramref name="afterIndex"/>, in item order, up to the first item still pending: (index, item
    /// id, stored response JSON). Chunks finish in any order (several in flight, several instances), so a reader that pages
    /// on from the last index it got must not be shown an item beyond one that finishes later: it would pass over it.
    /// </summary>
    public async Task<List<(int Index, string ItemId, string Response)>> FinishedItemsAsync(Guid batchId, int afterIndex, int limit,
        CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command("""
            SELECT item_index, item_id, response FROM net_batch_items
            WHERE batch_id = @b AND item_index > @after AND response IS NOT NULL
                AND item_index < COALESCE((SELECT MIN(p.item_index) FROM net_batch_items p
                    WHERE p.batch_id = @b AND p.item_index > @after AND p.response IS NULL), 2147483647)
            ORDER BY item_index LIMIT @limit
            """);
        select.With("b", batchId.ToString("D")).With("after", afterIndex).With("limit", limit);
        await using var reader = await select.ReaderAsync(cancellationToken);
        var list = new List<(int, string, string)>();
        while (await reader.ReadRowAsync(cancellationToken)) list.Add((reader.GetInt32(0), reader.GetString(1), reader.GetString(2)));
        return list;
    }

    // ---------------------------------------------------------------- provision records by person

    /// <summary>The provision records indexed under <paramref name="idCode"/> recorded in [from, to), in order: (sequence, recorded at µs, payload).</summary>
    public async Task<List<(long Sequence, long RecordedAtMicros, byte[] Payload)>> RecordsOfAsync(long idCode, long fromMicros, long toMicros,
        CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command($"""
            SELECT r.sequence, r.recorded_at, r.payload FROM net_record_index i JOIN {RecordsTable} r ON r.sequence = i.sequence
            WHERE i.id_code = @c AND r.recorded_at >= @from AND r.recorded_at < @to ORDER BY r.sequence
            """);
        select.With("c", idCode).With("from", fromMicros).With("to", toMicros);
        await using var reader = await select.ReaderAsync(cancellationToken);
        var list = new List<(long, long, byte[])>();
        while (await reader.ReadRowAsync(cancellationToken)) list.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2)));
        return list;
    }

    private static string? FormatDate(DateOnly? date) => date?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static DateOnly? ParseDate(string? text) =>
        text is null ? null : DateOnly.ParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The request id was recorded by another transaction first: this one's record is rolled back and the stored answer is used.</summary>
internal sealed class RequestAlreadyAnsweredException() : Exception("the request id is already in the request ledger");

/// <summary>The batch item was answered by another transaction first: this one's record is rolled back and the item keeps that answer.</summary>
internal sealed class BatchItemAlreadyAnsweredException() : Exception("the batch item is already answered");
