using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Audit;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Copies;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Records;

/// <summary>
/// One provision record as the holder writes it (情報提供等記録): the person only as the holder's own token (符号), never a
/// number or a basic fact. <paramref name="ItemIndex"/> is the item of a batch query, null for an immediate one.
/// </summary>
public sealed record PartyRecordEntry(
    PartyRole Role,
    Guid RequestId,
    int? ItemIndex,
    string Inquirer,
    string Provider,
    string Affair,
    string Kind,
    ProvisionResult Result,
    string? RefusalCode,
    Token Token,
    string? Staff = null,
    string? Terminal = null)
{
    public const int PayloadVersion = 1;

    /// <summary>
    /// The canonical payload (keys sorted, no whitespace): <c>{"affair","inquirer","itemIndex","kind","provider",
    /// "refusalCode","requestId","result","role","staff","terminal","token","v":1}</c>; <c>staff</c> and <c>terminal</c>
    /// (who acted at the inquirer) are left out when unknown (a provider's record, a record written before they were kept).
    /// </summary>
    public byte[] ToPayload() => CanonicalJson.Serialize(new Payload(PayloadVersion, Role, RequestId, ItemIndex, Inquirer, Provider, Affair, Kind, Result, RefusalCode, Token,
        Staff, Terminal));

    /// <summary>Reads a stored payload back; null when it is not a party record of this version.</summary>
    public static PartyRecordEntry? FromPayload(byte[] payload)
    {
        try
        {
            var p = JsonSerializer.Deserialize<Payload>(payload, JsonDefaults.Options);
            return p is null || p.V != PayloadVersion ? null
                : new PartyRecordEntry(p.Role, p.RequestId, p.ItemIndex, p.Inquirer, p.Provider, p.Affair, p.Kind, p.Result, p.RefusalCode, p.Token,
                    p.Staff, p.Terminal);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Role, request and item: what makes two entries the same provision.</summary>
    public bool SameProvision(PartyRecordEntry other) => Role == other.Role && RequestId == other.RequestId && ItemIndex == other.ItemIndex;

    private sealed record Payload(int V, PartyRole Role, Guid RequestId, int? ItemIndex, string Inquirer, string Provider, string Affair, string Kind,
        ProvisionResult Result, string? RefusalCode, Token Token,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Staff = null,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Terminal = null);
}

/// <summary>
/// The holder's own provision records at its node: an append-only, hash-chained <see cref="AuditLogStore"/>
/// (<c>intermediate_party_records</c>) whose checkpoints are signed with the institution's signing key under the identity
/// <c>intermediate/&lt;holder&gt;/party_records</c>, and the claims that make each provision recorded once however often
/// its request is retried (<c>intermediate_party_claims</c>: role, request id, item → state, the log's head when
/// claimed, the stored answer and the record's sequence).
/// <para>An immediate request's first attempt writes its claim, already done, in the transaction that appends its record,
/// so the two commit together or not at all; a concurrent attempt in the same process is refused (503
/// <c>request-in-progress</c>: try again), and one in another process that commits first makes the later one roll back
/// and return the stored answer. A retry of a completed request gets the stored answer. A claim left working (a batch item,
/// or a store written by an earlier version) is refused the same way until <see cref="ClaimLease"/> has passed; then a
/// retry takes over, and before appending looks through the log after the claim's head for the record an interrupted
/// attempt may already have written.</para>
/// </summary>
public sealed class PartyRecordLog : IAsyncDisposable
{
    /// <summary>One request's outcome in <see cref="OnceManyAsync"/>: its answer and record sequence, or (answer unset) the refusal <see cref="OnceAsync"/> would throw.</summary>
    public readonly record struct Once<T>(T? Answer, long RecordSequence, RefusalException? Refusal);

    public const string TableName = "intermediate_party_records";
    public const string ClaimsTable = "intermediate_party_claims";
    public static readonly TimeSpan ClaimLease = TimeSpan.FromSeconds(60);

    private const string Working = "working";
    private const string Done = "done";
    private const int Immediate = -1;

    private readonly ECDsa _checkpointKey;
    private readonly TimeProvider _clock;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(PartyRole, Guid), byte> _inFlight = new();

    /// <param name="signingKey">the institution's signing key; the log signs with its own copy, so the caller keeps and disposes its key</param>
    public PartyRecordLog(Database database, string holderCode, ECDsa signingKey, TimeProvider? clock = null, AuditLogOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(holderCode);
        Database = database;
        Identity = IdentityOf(holderCode);
        _clock = clock ?? TimeProvider.System;
        // Its own instance of the key: the checkpoint signer and the request signer each serialise their use.
        _checkpointKey = ECDsa.Create();
        _checkpointKey.ImportPkcs8PrivateKey(signingKey.ExportPkcs8PrivateKey(), out _);
        var signer = new AuditCheckpointSigner(Identity, _checkpointKey);
        PublicKey = signer.Verifier();
        Store = new AuditLogStore(database, TableName, signer, options, _clock);
    }

    public static string IdentityOf(string holderCode) => $"intermediate/{holderCode}/party_records";

    public Database Database { get; }
    public string Identity { get; }
    public AuditLogStore Store { get; }
    public AuditCheckpointVerifier PublicKey { get; }

    private bool IsPostgres => Database.Provider == DatabaseProvider.PostgreSql;

    public void EnsureSchema()
    {
        Store.EnsureSchema();
        Migrations.Apply(Database, IntermediateSchema.Tables);
    }

    public AuditVerification Verify(AuditHead? expectedHead = null) => Store.Verify(PublicKey, expectedHead);

    /// <summary>The entries after <paramref name="afterSequence"/>, in order, streamed.</summary>
    public IEnumerable<(AuditEntry Stored, PartyRecordEntry Entry)> Read(long afterSequence = 0)
    {
        foreach (var stored in Store.ReadEntries(afterSequence + 1))
            if (PartyRecordEntry.FromPayload(stored.Payload) is { } entry) yield return (stored, entry);
    }

    // ---------------------------------------------------------------- once per request

    /// <summary>
    /// Runs <paramref name="work"/> once for (<paramref name="role"/>, <paramref name="requestId"/>) and appends the record it
    /// returns (none when null). A repeat with the same <paramref name="fingerprint"/> returns the stored answer and
    /// sequence without running the work; another fingerprint is refused (409 <c>request-id-reused</c>).
    /// </summary>
    public async Task<(T Answer, long RecordSequence)> OnceAsync<T>(PartyRole role, Guid requestId, string fingerprint,
        Func<Task<(T Answer, PartyRecordEntry? Entry)>> work, CancellationToken cancellationToken = default)
    {
        var seen = await FindAsync(role, requestId, Immediate, cancellationToken);
        if (seen is { State: Done } done && done.Fingerprint == fingerprint)
            return (JsonSerializer.Deserialize<T>(done.Response!, JsonDefaults.Options)!, done.RecordSequence ?? 0);
        if (seen is null)
        {
            // A first attempt: no claim is written before the work; the claim is inserted, already done, in the transaction
            // that appends the record. In this process a concurrent retry is refused while the attempt works; another
            // process's attempt that committed first makes ours roll back and fall through to the stored answer below.
            var key = (role, requestId);
            if (!_inFlight.TryAdd(key, 0)) throw InProgress();
            try
            {
                if (await FirstAttemptAsync(role, requestId, fingerprint, work, cancellationToken) is { } first) return first;
            }
            finally
            {
                _inFlight.TryRemove(key, out _);
            }
        }

        var head = Store.Head().Sequence;
        var claim = await ClaimAsync(role, requestId, Immediate, fingerprint, head, cancellationToken);
        if (claim.State == ClaimState.Done)
            return (JsonSerializer.Deserialize<T>(claim.Response!, JsonDefaults.Options)!, claim.RecordSequence ?? 0);
        if (claim.State == ClaimState.Busy) throw InProgress();

        var appended = false;
        try
        {
            var (answer, entry) = await work();
            var response = JsonSerializer.Serialize(answer, JsonDefaults.Options);
            long sequence = 0;
            if (entry is not null)
            {
                sequence = claim.State == ClaimState.TakeOver ? FindAfter(claim.LogHead, entry) ?? 0 : 0;
                if (sequence == 0)
                {
                    // The record and the completed claim commit in one transaction: a retry finds both or neither.
                    sequence = (await Store.AppendAsync(entry.ToPayload(),
                        (c, t, e) => Complete(c, t, role, requestId, Immediate, response, e.Sequence), cancellationToken)).Sequence;
                    return (answer, sequence);
                }
                appended = true;
            }
            await CompleteAsync(role, requestId, Immediate, response, sequence);
            return (answer, sequence);
        }
        catch
        {
            await ReleaseAsync(role, requestId, Immediate, deleteClaim: claim.State == ClaimState.New && !appended);
            throw;
        }
    }

    /// <summary>
    /// <see cref="OnceAsync"/> for many requests at once (a chunk of a bulk provide): their claims looked up in one query; a
    /// request recorded before with the same fingerprint gets its stored answer, one with another fingerprint the refusal
    /// <c>request-id-reused</c>, one another call in this process is answering right now <c>request-in-progress</c>.
    /// <paramref name="work"/> runs once, for the indexes of the new requests only, and returns an answer and a record for
    /// each; their records and completed claims are appended in one transaction of the log, so each commits with its claim.
    /// A new request that another process claimed meanwhile is left out of the group and answered as <see cref="OnceAsync"/>
    /// answers it (the stored answer), as is a claim left working (refused until <see cref="ClaimLease"/> has passed, then
    /// taken over). Returns the outcome per request, in order.
    /// </summary>
    public async Task<Once<T>[]> OnceManyAsync<T>(PartyRole role, IReadOnlyList<(Guid RequestId, string Fingerprint)> requests,
        Func<IReadOnlyList<int>, Task<IReadOnlyList<(T Answer, PartyRecordEntry Entry)>>> work, CancellationToken cancellationToken = default)
    {
        var results = new Once<T>[requests.Count];
        if (requests.Count == 0) return results;
        var seen = await FindManyAsync(role, requests.Select(r => r.RequestId).ToList(), cancellationToken);
        var fresh = new List<int>();
        var single = new List<int>();
        for (var i = 0; i < requests.Count; i++)
        {
            var (requestId, fingerprint) = requests[i];
            if (!seen.TryGetValue(requestId, out var row))
            {
                if (_inFlight.TryAdd((role, requestId), 0)) fresh.Add(i);
                else results[i] = new Once<T>(default, 0, InProgress());
            }
            else if (row.Fingerprint != fingerprint) results[i] = new Once<T>(default, 0, Reused());
            else if (row.State == Done) results[i] = new Once<T>(JsonSerializer.Deserialize<T>(row.Response!, JsonDefaults.Options)!, row.RecordSequence ?? 0, null);
            else single.Add(i);
        }
        try
        {
            if (fresh.Count > 0) single.AddRange(await FirstAttemptsAsync(role, requests, fresh, work, results));
        }
        finally
        {
            foreach (var i in fresh) _inFlight.TryRemove((role, requests[i].RequestId), out _);
        }
        foreach (var i in single.Order())
        {
            try
            {
                var (answer, sequence) = await OnceAsync(role, requests[i].RequestId, requests[i].Fingerprint, async () =>
                {
                    var (answer, entry) = (await work([i]))[0];
                    return (answer, (PartyRecordEntry?)entry);
                }, cancellationToken);
                results[i] = new Once<T>(answer, sequence, null);
            }
            catch (RefusalException refusal)
            {
                results[i] = new Once<T>(default, 0, refusal);
            }
        }
        return results;
    }

    /// <summary>
    /// The first attempts of <see cref="OnceManyAsync"/>: the work for <paramref name="fresh"/>, then their records, each with
    /// its claim inserted as done, in one transaction. A claim another process inserted first rolls the group back; the group
    /// is appended again without it. Returns the indexes so left out (their claims are committed by the other process).
    /// </summary>
    private async Task<List<int>> FirstAttemptsAsync<T>(PartyRole role, IReadOnlyList<(Guid RequestId, string Fingerprint)> requests, List<int> fresh,
        Func<IReadOnlyList<int>, Task<IReadOnlyList<(T Answer, PartyRecordEntry Entry)>>> work, Once<T>[] results)
    {
        var done = await work(fresh);
        if (done.Count != fresh.Count) throw new InvalidOperationException("the work must answer every request it is given, in order");
        var responses = done.Select(d => JsonSerializer.Serialize(d.Answer, JsonDefaults.Options)).ToArray();
        var payloads = done.Select(d => d.Entry.ToPayload()).ToArray();
        var pending = Enumerable.Range(0, fresh.Count).ToList();
        var claimedElsewhere = new List<int>();
        while (pending.Count > 0)
        {
            var now = _clock.GetUtcNow();
            var conflicts = new List<int>();
            var alongside = pending.Select((j, k) => (Action<DbConnection, DbTransaction, AuditEntry>?)((c, t, e) =>
            {
                var (requestId, fingerprint) = requests[fresh[j]];
                if (!InsertDone(c, t, role, requestId, fingerprint, now, responses[j], e.Sequence)) conflicts.Add(j);
                if (k == pending.Count - 1 && conflicts.Count > 0) throw new ClaimedElsewhereException();
            })).ToList();
            try
            {
                var stored = Store.AppendBatch(pending.Select(j => payloads[j]).ToList(), alongside);
                for (var k = 0; k < pending.Count; k++) results[fresh[pending[k]]] = new Once<T>(done[pending[k]].Answer, stored[k].Sequence, null);
                break;
            }
            catch (ClaimedElsewhereException)
            {
                // Nothing of the group was written: append it again without the requests claimed elsewhere.
                pending.RemoveAll(conflicts.Contains);
                claimedElsewhere.AddRange(conflicts.Select(j => fresh[j]));
            }
        }
        return claimedElsewhere;
    }

    /// <summary>
    /// Appends the records of batch items not recorded before (claims keyed by <paramref name="batchId"/> and the item
    /// index), in one transaction of the log. Returns each entry's record sequence; 0 for an item another caller is
    /// recording right now.
    /// </summary>
    public async Task<long[]> RecordBatchItemsAsync(PartyRole role, Guid batchId, IReadOnlyList<PartyRecordEntry> entries, CancellationToken cancellationToken = default)
    {
        var sequences = new long[entries.Count];
        if (entries.Count == 0) return sequences;
        var head = Store.Head().Sequence;
        var now = _clock.GetUtcNow();
        var claims = await Database.InTransactionAsync(async (c, t) =>
        {
            var claimed = new Claimed[entries.Count];
            for (var i = 0; i < entries.Count; i++)
                claimed[i] = await ClaimAsync(c, t, role, batchId, entries[i].ItemIndex ?? Immediate, entries[i].RequestId.ToString("D"), head, now, cancellationToken);
            return claimed;
        }, cancellationToken: cancellationToken);

        var toAppend = new List<int>();
        for (var i = 0; i < entries.Count; i++)
        {
            switch (claims[i].State)
            {
                case ClaimState.Done: sequences[i] = claims[i].RecordSequence ?? 0; break;
                case ClaimState.Busy: break;
                case ClaimState.TakeOver when FindAfter(claims[i].LogHead, entries[i]) is { } found: sequences[i] = found; break;
                default: toAppend.Add(i); break;
            }
        }
        if (toAppend.Count > 0)
        {
            IReadOnlyList<AuditEntry> stored;
            try
            {
                stored = Store.AppendBatch(toAppend.Select(i => entries[i].ToPayload()).ToList());
            }
            catch
            {
                // Nothing was appended (one transaction): fresh claims go, taken-over ones may be taken over again at once.
                foreach (var i in toAppend) await ReleaseAsync(role, batchId, entries[i].ItemIndex ?? Immediate, deleteClaim: claims[i].State == ClaimState.New);
                throw;
            }
            for (var j = 0; j < toAppend.Count; j++) sequences[toAppend[j]] = stored[j].Sequence;
        }
        await Database.InTransactionAsync(async (c, t) =>
        {
            for (var i = 0; i < entries.Count; i++)
                if (claims[i].State is ClaimState.New or ClaimState.TakeOver)
                {
                    using var update = CompleteCommand(c, t, role, batchId, entries[i].ItemIndex ?? Immediate, null, sequences[i]);
                    await update.ExecuteAsync(CancellationToken.None);
                }
        });
        return sequences;
    }

    /// <summary>The work and its record, with the claim inserted as done in the record's transaction; null when another attempt claimed the request first (nothing was written).</summary>
    private async Task<(T Answer, long RecordSequence)?> FirstAttemptAsync<T>(PartyRole role, Guid requestId, string fingerprint,
        Func<Task<(T Answer, PartyRecordEntry? Entry)>> work, CancellationToken cancellationToken)
    {
        var (answer, entry) = await work();
        var response = JsonSerializer.Serialize(answer, JsonDefaults.Options);
        var now = _clock.GetUtcNow();
        if (entry is null)
        {
            await using var c = await Database.OpenAsync(CancellationToken.None);
            using var insert = InsertDoneCommand(c, null, role, requestId, fingerprint, now, response, null);
            return await insert.ScalarAsync(CancellationToken.None) is not null ? (answer, 0L) : null;
        }
        try
        {
            var stored = await Store.AppendAsync(entry.ToPayload(), (c, t, e) =>
            {
                if (!InsertDone(c, t, role, requestId, fingerprint, now, response, e.Sequence)) throw new ClaimedElsewhereException();
            }, cancellationToken);
            return (answer, stored.Sequence);
        }
        catch (ClaimedElsewhereException)
        {
            return null;
        }
    }

    /// <summary>Inserts a completed claim; false when the request is claimed already.</summary>
    private static bool InsertDone(DbConnection c, DbTransaction t, PartyRole role, Guid requestId, string fingerprint, DateTimeOffset now,
        string response, long? sequence)
    {
        using var insert = InsertDoneCommand(c, t, role, requestId, fingerprint, now, response, sequence);
        return insert.ExecuteScalar() is not null;
    }

    private static DbCommand InsertDoneCommand(DbConnection c, DbTransaction? t, PartyRole role, Guid requestId, string fingerprint, DateTimeOffset now,
        string response, long? sequence)
    {
        var insert = c.Command($"""
            INSERT INTO {ClaimsTable} (role, request_id, item_index, fingerprint, state, log_head, claimed_at, response, record_sequence)
            VALUES (@r, @id, @i, @f, @s, @head, @at, @resp, @seq) ON CONFLICT DO NOTHING RETURNING item_index
            """, t);
        Key(insert, role, requestId, Immediate).With("f", fingerprint).With("s", Done).With("head", sequence is { } s ? s - 1 : 0)
            .With("at", IntermediateStoreTime(now)).With("resp", response).With("seq", sequence);
        return insert;
    }

    /// <summary>Rolls back a first attempt's record: its request was claimed by another attempt meanwhile.</summary>
    private sealed class ClaimedElsewhereException : Exception;

    private static RefusalException InProgress() =>
        new(StatusCodes.Status503ServiceUnavailable, "request-in-progress", "this request id is being answered right now; retry shortly (同じ要求を処理中です)");

    private static RefusalException Reused() =>
        new(StatusCodes.Status409Conflict, "request-id-reused", "this request id was used for a different request (要求IDが別の要求で使用済みです)");

    private sealed record ClaimRow(string Fingerprint, string State, string? Response, long? RecordSequence);

    /// <summary>The claims of immediate requests among <paramref name="requestIds"/>, by request id: one query on PostgreSQL, one prepared statement on SQLite.</summary>
    private async Task<Dictionary<Guid, ClaimRow>> FindManyAsync(PartyRole role, IReadOnlyList<Guid> requestIds, CancellationToken cancellationToken)
    {
        var found = new Dictionary<Guid, ClaimRow>(requestIds.Count);
        await using var connection = await Database.OpenAsync(cancellationToken);
        using var select = connection.Command($"""
            SELECT request_id, fingerprint, state, response, record_sequence FROM {ClaimsTable}
            WHERE role = @r AND item_index = @i AND request_id
            """ + (IsPostgres ? " = ANY(@id)" : " = @id"));
        select.With("r", role == PartyRole.Inquirer ? "inquirer" : "provider").With("i", Immediate);
        if (IsPostgres)
        {
            select.With("id", requestIds.Select(id => id.ToString("D")).ToArray());
            await ReadClaimsAsync(select, found, cancellationToken);
            return found;
        }
        var id = select.Parameter("id", System.Data.DbType.String);
        foreach (var requestId in requestIds)
        {
            id.Value = requestId.ToString("D");
            await ReadClaimsAsync(select, found, cancellationToken);
        }
        return found;
    }

    private static async Task ReadClaimsAsync(DbCommand select, Dictionary<Guid, ClaimRow> found, CancellationToken cancellationToken)
    {
        await using var reader = await select.ReaderAsync(cancellationToken);
        while (await reader.ReadRowAsync(cancellationToken))
            found[Guid.Parse(reader.GetString(0))] = new ClaimRow(reader.GetString(1), reader.GetString(2), reader.NullableString(3), reader.NullableInt64(4));
    }

    /// <summary>The claim of a request, read without a transaction; null when there is none.</summary>
    private async Task<ClaimRow?> FindAsync(PartyRole role, Guid requestId, int item, CancellationToken cancellationToken)
    {
        await using var connection = await Database.OpenAsync(cancellationToken);
        using var select = connection.Command($"SELECT fingerprint, state, response, record_sequence FROM {ClaimsTable} WHERE role = @r AND request_id = @id AND item_index = @i");
        await using var reader = await Key(select, role, requestId, item).ReaderAsync(cancellationToken);
        return await reader.ReadRowAsync(cancellationToken) ? new ClaimRow(reader.GetString(0), reader.GetString(1), reader.NullableString(2), reader.NullableInt64(3)) : null;
    }

    private enum ClaimState { New, Done, Busy, TakeOver }

    private sealed record Claimed(ClaimState State, long LogHead, string? Response, long? RecordSequence);

    private async Task<Claimed> ClaimAsync(PartyRole role, Guid requestId, int item, string fingerprint, long head, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        return await Database.InTransactionAsync((c, t) => ClaimAsync(c, t, role, requestId, item, fingerprint, head, now, cancellationToken),
            cancellationToken: cancellationToken);
    }

    private async ValueTask<Claimed> ClaimAsync(DbConnection c, DbTransaction t, PartyRole role, Guid requestId, int item, string fingerprint, long head,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        using (var insert = c.Command($"""
            INSERT INTO {ClaimsTable} (role, request_id, item_index, fingerprint, state, log_head, claimed_at, response, record_sequence)
            VALUES (@r, @id, @i, @f, @s, @head, @at, NULL, NULL) ON CONFLICT DO NOTHING RETURNING item_index
            """, t))
        {
            Key(insert, role, requestId, item).With("f", fingerprint).With("s", Working).With("head", head).With("at", IntermediateStoreTime(now));
            if (await insert.ScalarAsync(cancellationToken) is not null) return new Claimed(ClaimState.New, head, null, null);
        }
        string storedFingerprint, state, claimedAt;
        long logHead;
        string? response;
        long? sequence;
        using (var select = c.Command($"""
            SELECT fingerprint, state, log_head, claimed_at, response, record_sequence FROM {ClaimsTable}
            WHERE role = @r AND request_id = @id AND item_index = @i
            """ + (IsPostgres ? " FOR UPDATE" : ""), t))
        {
            await using var reader = await Key(select, role, requestId, item).ReaderAsync(cancellationToken);
            if (!await reader.ReadRowAsync(cancellationToken)) throw new InvalidOperationException("claim vanished");
            (storedFingerprint, state, logHead, claimedAt, response, sequence) =
                (reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.NullableString(4), reader.NullableInt64(5));
        }
        if (storedFingerprint != fingerprint) throw Reused();
        if (state == Done) return new Claimed(ClaimState.Done, logHead, response, sequence);
        if (ParseTime(claimedAt) > now - ClaimLease) return new Claimed(ClaimState.Busy, logHead, null, null);
        using (var update = c.Command($"UPDATE {ClaimsTable} SET claimed_at = @at WHERE role = @r AND request_id = @id AND item_index = @i", t))
            await Key(update, role, requestId, item).With("at", IntermediateStoreTime(now)).ExecuteAsync(cancellationToken);
        return new Claimed(ClaimState.TakeOver, logHead, null, null);
    }

    /// <summary>Completes a claim (one statement, committed on its own; never cancelled: the record is written already).</summary>
    private async Task CompleteAsync(PartyRole role, Guid requestId, int item, string? response, long sequence)
    {
        await using var c = await Database.OpenAsync(CancellationToken.None);
        using var update = CompleteCommand(c, null, role, requestId, item, response, sequence);
        await update.ExecuteAsync(CancellationToken.None);
    }

    private static void Complete(DbConnection c, DbTransaction t, PartyRole role, Guid requestId, int item, string? response, long sequence)
    {
        using var update = CompleteCommand(c, t, role, requestId, item, response, sequence);
        update.ExecuteNonQuery();
    }

    private static DbCommand CompleteCommand(DbConnection c, DbTransaction? t, PartyRole role, Guid requestId, int item, string? response, long sequence)
    {
        var update = c.Command($"""
            UPDATE {ClaimsTable} SET state = @s, response = @resp, record_sequence = @seq
            WHERE role = @r AND request_id = @id AND item_index = @i
            """, t);
        return Key(update, role, requestId, item).With("s", Done).With("resp", response).With("seq", sequence == 0 ? null : sequence);
    }

    /// <summary>After a failure: forget a fresh claim (nothing was recorded), or let the next retry take over at once.</summary>
    private async Task ReleaseAsync(PartyRole role, Guid requestId, int item, bool deleteClaim)
    {
        try
        {
            await using var c = await Database.OpenAsync(CancellationToken.None);
            using var command = deleteClaim
                ? c.Command($"DELETE FROM {ClaimsTable} WHERE role = @r AND request_id = @id AND item_index = @i AND state = @s").With("s", Working)
                : c.Command($"UPDATE {ClaimsTable} SET claimed_at = @at WHERE role = @r AND request_id = @id AND item_index = @i AND state = @s")
                    .With("s", Working).With("at", IntermediateStoreTime(DateTimeOffset.UnixEpoch));
            await Key(command, role, requestId, item).ExecuteAsync(CancellationToken.None);
        }
        catch (DbException)
        {
            // The database is failing too: the claim expires after ClaimLease and a retry takes over.
        }
    }

    /// <summary>The sequence of a record of the same provision after <paramref name="head"/>, if an interrupted attempt wrote one.</summary>
    private long? FindAfter(long head, PartyRecordEntry entry)
    {
        foreach (var (stored, found) in Read(head))
            if (found.SameProvision(entry)) return stored.Sequence;
        return null;
    }

    private static DbCommand Key(DbCommand command, PartyRole role, Guid requestId, int item) =>
        command.With("r", role == PartyRole.Inquirer ? "inquirer" : "provider").With("id", requestId.ToString("D")).With("i", item);

    private static string IntermediateStoreTime(DateTimeOffset time) => Storage.IntermediateStore.FormatTime(time);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _checkpointKey.Dispose();
    }
}
