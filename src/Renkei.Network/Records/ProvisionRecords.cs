using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Audit;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Audit;
using Renkei.Network.Contracts;
using Renkei.Network.Storage;

namespace Renkei.Network.Records;

/// <summary>
/// A provision record (情報提供等記録) before it is logged: the public facts and the persons' tokens — the inquirer's
/// token as sent and the provider's (null when the request never got that far).
/// </summary>
internal sealed record ProvisionDraft(
    Guid RequestId,
    string Inquirer,
    string Provider,
    string Affair,
    string Kind,
    ProvisionResult Result,
    string? RefusalCode,
    Token InquirerToken,
    Token? ProviderToken);

/// <summary>
/// What one provision record says in the network's append-only log (canonical JSON): the public facts and
/// <paramref name="Subject"/>, a salted commitment to the persons' tokens (<see cref="ProvisionSubjects.Commit"/>) — never a
/// token, a number, a resident-record code or a basic fact. The salt and the tokens are in <c>net_record_subjects</c>,
/// written in the same transaction. (Records logged before the commitment existed carry their tokens here instead and no
/// subject; they are read the same way.)
/// </summary>
internal sealed record ProvisionPayload(
    Guid RequestId,
    string Inquirer,
    string Provider,
    string Affair,
    string Kind,
    ProvisionResult Result,
    string? RefusalCode,
    string? Subject);

/// <summary>The persons of one record as the side table keeps them: the commitment's salt and the tokens.</summary>
internal sealed record ProvisionSubject(long Sequence, byte[] Salt, Token InquirerToken, Token? ProviderToken)
{
    /// <summary>True when <paramref name="commitment"/> is this subject's commitment.</summary>
    public bool Matches(string? commitment) => commitment is not null && ProvisionSubjects.Commit(Salt, InquirerToken, ProviderToken) == commitment;
}

/// <summary>The salted commitment to a record's tokens (what an auditor who holds the tokens and the salt recomputes).</summary>
internal static class ProvisionSubjects
{
    public const string Label = "renkei/provision-subject/v1";
    public const int SaltLength = 16;

    /// <summary>Lowercase hex SHA-256 of UTF-8 <c>Label "\n" base64(salt) "\n" inquirer token "\n" provider token (or empty)</c>.</summary>
    public static string Commit(byte[] salt, Token inquirerToken, Token? providerToken) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            Label + "\n" + Convert.ToBase64String(salt) + "\n" + inquirerToken.Digits + "\n" + (providerToken?.Digits ?? ""))));
}

/// <summary>
/// The network's provision records: an <see cref="AuditLogStore"/> (hash chain, append-only triggers, checkpoints signed
/// with the network's key every <see cref="AuditLogOptions.CheckpointInterval"/> entries, every
/// <see cref="AuditLogOptions.CheckpointPeriod"/> while records arrive and at shutdown) plus, written in the same
/// transaction as each entry, an index from ID code to sequence (so a person's records are found from any of their
/// tokens) and the record's subject (salt and tokens behind its commitment). Over the same entries
/// <see cref="Tree"/> keeps the Merkle tree whose signed heads let a person verify one record.
/// </summary>
internal sealed class ProvisionRecords : IAsyncDisposable
{
    private readonly AuditLogStore _log;
    private readonly AuditCheckpointSigner _signer;
    private readonly NetworkStore _store;

    /// <param name="signingKey">the network's log-signing key: signs checkpoints, tree heads and the name table</param>
    /// <param name="earlierKey">
    /// the key the network signed its checkpoints with before it had a log-signing key (its request key, SPKI DER base64):
    /// the network's own start-up check accepts old checkpoints signed with it; nothing new is signed with it
    /// </param>
    public ProvisionRecords(NetworkStore store, ECDsa signingKey, string? earlierKey, TimeProvider clock, TimeSpan treeHeadInterval,
        AuditLogOptions? options = null)
    {
        _store = store;
        _signer = new AuditCheckpointSigner(ProvisionCheckpoint.LogIdentity, signingKey);
        _earlierKey = earlierKey;
        _log = new AuditLogStore(store.Database, NetworkStore.RecordsTable, _signer, options, clock);
        _log.EnsureSchema();
        NetworkPublicKey = Convert.ToBase64String(signingKey.ExportSubjectPublicKeyInfo());
        Tree = new ProvisionTree(_log, store, signingKey, NetworkPublicKey, clock, treeHeadInterval);
        Tree.VerifyAtStart(Verifier());
    }

    private readonly string? _earlierKey;

    public AuditLogStore Log => _log;

    public ProvisionTree Tree { get; }

    /// <summary>The log-signing key's public half (SPKI DER, base64): what auditors, monitors and the portal pin.</summary>
    public string NetworkPublicKey { get; }

    /// <summary>The network's own check of its checkpoints: signed with the log-signing key, or (older ones) with the earlier key.</summary>
    public AuditCheckpointVerifier Verifier() =>
        _earlierKey is null ? _signer.Verifier() : _signer.Verifier().WithEarlierKey(Renkei.Core.Crypto.RequestSignature.ImportPublicKey(_earlierKey));

    /// <summary>
    /// Appends the record durably with a fresh salted commitment to its tokens; <paramref name="idCode"/> (when the
    /// person is known) indexes it, and <paramref name="alongside"/> writes the caller's own rows in the same transaction
    /// with the record's sequence.
    /// </summary>
    public async Task<long> AppendAsync(ProvisionDraft draft, long? idCode, Action<DbConnection, DbTransaction, long>? alongside, CancellationToken cancellationToken = default)
    {
        var salt = RandomNumberGenerator.GetBytes(ProvisionSubjects.SaltLength);
        var payload = new ProvisionPayload(draft.RequestId, draft.Inquirer, draft.Provider, draft.Affair, draft.Kind, draft.Result, draft.RefusalCode,
            ProvisionSubjects.Commit(salt, draft.InquirerToken, draft.ProviderToken));
        var bytes = CanonicalJson.Serialize(payload);
        var entry = await _log.AppendAsync(bytes, (c, t, e) =>
        {
            NetworkStore.InsertSubject(c, t, e.Sequence, salt, draft.InquirerToken, draft.ProviderToken);
            if (idCode is { } id) NetworkStore.IndexRecord(c, t, id, e.Sequence);
            alongside?.Invoke(c, t, e.Sequence);
        }, cancellationToken);
        NetworkMetrics.Linkages.Add(1, new KeyValuePair<string, object?>("result", draft.Result.ToString()));
        return entry.Sequence;
    }

    /// <summary>
    /// Appends several records in one transaction (a chunk of a batch query: one group commit), each as
    /// <see cref="AppendAsync"/> appends it — its own salted commitment, its index, and its <c>alongside</c> writes with its
    /// sequence. Should any alongside write throw, nothing is appended and the exception propagates. Returns the sequences
    /// in order.
    /// </summary>
    public long[] AppendBatch(IReadOnlyList<(ProvisionDraft Draft, long? IdCode, Action<DbConnection, DbTransaction, long>? Alongside)> records)
    {
        if (records.Count == 0) return [];
        var payloads = new byte[records.Count][];
        var alongside = new Action<DbConnection, DbTransaction, AuditEntry>?[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            var (draft, idCode, own) = records[i];
            var salt = RandomNumberGenerator.GetBytes(ProvisionSubjects.SaltLength);
            payloads[i] = CanonicalJson.Serialize(new ProvisionPayload(draft.RequestId, draft.Inquirer, draft.Provider, draft.Affair, draft.Kind,
                draft.Result, draft.RefusalCode, ProvisionSubjects.Commit(salt, draft.InquirerToken, draft.ProviderToken)));
            alongside[i] = (c, t, e) =>
            {
                NetworkStore.InsertSubject(c, t, e.Sequence, salt, draft.InquirerToken, draft.ProviderToken);
                if (idCode is { } id) NetworkStore.IndexRecord(c, t, id, e.Sequence);
                own?.Invoke(c, t, e.Sequence);
            };
        }
        var entries = _log.AppendBatch(payloads, alongside);
        foreach (var (draft, _, _) in records)
            NetworkMetrics.Linkages.Add(1, new KeyValuePair<string, object?>("result", draft.Result.ToString()));
        return entries.Select(e => e.Sequence).ToArray();
    }

    /// <summary>The records about the person with <paramref name="idCode"/>, recorded on dates (Japan time) from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public async Task<List<ProvisionRecord>> RecordsOfAsync(long idCode, DateOnly? from, DateOnly? to, CancellationToken cancellationToken = default)
    {
        var fromMicros = from is { } f ? AuditTime.ToMicros(StartOfJapanDay(f)) : long.MinValue;
        var toMicros = to is { } t ? AuditTime.ToMicros(StartOfJapanDay(t.AddDays(1))) : long.MaxValue;
        var list = new List<ProvisionRecord>();
        foreach (var (sequence, recordedAt, bytes) in await _store.RecordsOfAsync(idCode, fromMicros, toMicros, cancellationToken))
            list.Add(ToRecord(sequence, recordedAt, Parse(bytes)));
        return list;
    }

    /// <summary>True when record <paramref name="sequence"/> is indexed under the person with <paramref name="idCode"/>.</summary>
    public Task<bool> IsAboutAsync(long idCode, long sequence, CancellationToken cancellationToken = default) =>
        _store.IsIndexedAsync(idCode, sequence, cancellationToken);

    /// <summary>The salt and tokens behind record <paramref name="sequence"/>'s commitment (for an auditor), or null.</summary>
    public ProvisionSubject? SubjectOf(long sequence) => _store.FindSubject(sequence);

    /// <summary>
    /// Record <paramref name="sequence"/> with its inclusion proof against a signed tree head that covers it (a new head
    /// is signed when the current one does not yet); null when there is no such record.
    /// </summary>
    public RecordProof? Proof(long sequence) => Tree.Proof(sequence);

    /// <summary>A signed checkpoint at the current head (made now unless one is there); null while the log is empty.</summary>
    public ProvisionCheckpoint? Checkpoint()
    {
        var checkpoint = _log.Checkpoint();
        return checkpoint is null
            ? null
            : new ProvisionCheckpoint(checkpoint.Sequence, checkpoint.HashHex, checkpoint.SignedAt, Convert.ToBase64String(checkpoint.Signature), NetworkPublicKey);
    }

    internal static ProvisionPayload Parse(byte[] bytes) =>
        JsonSerializer.Deserialize<ProvisionPayload>(bytes, JsonDefaults.Options) ?? throw new InvalidDataException("a provision record is empty");

    internal static ProvisionRecord ToRecord(long sequence, long recordedAtMicros, ProvisionPayload payload) =>
        new(sequence, AuditTime.FromMicros(recordedAtMicros), payload.RequestId, payload.Inquirer, payload.Provider, payload.Affair, payload.Kind,
            payload.Result, payload.RefusalCode);

    /// <summary>The leaf data of a log entry: canonical JSON of <see cref="ProvisionLeaf"/> (public fields, sequence, time, commitment).</summary>
    internal static byte[] LeafData(AuditEntry entry)
    {
        var payload = Parse(entry.Payload);
        return CanonicalJson.Serialize(new ProvisionLeaf(entry.Sequence, AuditTime.FromMicros(entry.RecordedAtMicros), payload.RequestId, payload.Inquirer,
            payload.Provider, payload.Affair, payload.Kind, payload.Result, payload.RefusalCode, payload.Subject));
    }

    public static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    public static DateOnly JapanDate(DateTimeOffset time) => DateOnly.FromDateTime(time.ToOffset(JapanOffset).DateTime);

    private static DateTimeOffset StartOfJapanDay(DateOnly date) => new(date.ToDateTime(TimeOnly.MinValue), JapanOffset);

    public async ValueTask DisposeAsync()
    {
        await _log.DisposeAsync();
        Tree.Dispose();
    }
}
