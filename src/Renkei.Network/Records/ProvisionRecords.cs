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
/// What one provision record (情報提供等記録) says, as canonical JSON in the network's append-only log. Persons appear only
/// as tokens: the inquirer's token as sent and the provider's (null when the request never got that far) — never a
/// number, a resident-record code or a basic fact.
/// </summary>
internal sealed record ProvisionPayload(
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
/// The network's provision records: an <see cref="AuditLogStore"/> (hash chain, append-only triggers, checkpoints signed
/// with the network's key every <see cref="AuditLogOptions.CheckpointInterval"/> entries) plus an index from ID code to
/// sequence, written in the same transaction as the entry, so a person's records are found from any of their tokens.
/// </summary>
internal sealed class ProvisionRecords : IAsyncDisposable
{
    private readonly AuditLogStore _log;
    private readonly AuditCheckpointSigner _signer;
    private readonly NetworkStore _store;

    public ProvisionRecords(NetworkStore store, ECDsa signingKey, TimeProvider clock)
    {
        _store = store;
        _signer = new AuditCheckpointSigner(ProvisionCheckpoint.LogIdentity, signingKey);
        _log = new AuditLogStore(store.Database, NetworkStore.RecordsTable, _signer, clock: clock);
        _log.EnsureSchema();
        NetworkPublicKey = Convert.ToBase64String(signingKey.ExportSubjectPublicKeyInfo());
    }

    public AuditLogStore Log => _log;

    public string NetworkPublicKey { get; }

    public AuditCheckpointVerifier Verifier() => _signer.Verifier();

    /// <summary>
    /// Appends the record durably; <paramref name="idCode"/> (when the person is known) indexes it, and
    /// <paramref name="alongside"/> writes the caller's own rows in the same transaction with the record's sequence.
    /// </summary>
    public async Task<long> AppendAsync(ProvisionPayload payload, long? idCode, Action<DbConnection, DbTransaction, long>? alongside, CancellationToken cancellationToken = default)
    {
        var bytes = CanonicalJson.Serialize(payload);
        var entry = await _log.AppendAsync(bytes, (c, t, e) =>
        {
            if (idCode is { } id) NetworkStore.IndexRecord(c, t, id, e.Sequence);
            alongside?.Invoke(c, t, e.Sequence);
        }, cancellationToken);
        return entry.Sequence;
    }

    /// <summary>The records about the person with <paramref name="idCode"/>, recorded on dates (Japan time) from <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    public List<ProvisionRecord> RecordsOf(long idCode, DateOnly? from, DateOnly? to)
    {
        var fromMicros = from is { } f ? AuditTime.ToMicros(StartOfJapanDay(f)) : long.MinValue;
        var toMicros = to is { } t ? AuditTime.ToMicros(StartOfJapanDay(t.AddDays(1))) : long.MaxValue;
        var list = new List<ProvisionRecord>();
        foreach (var (sequence, recordedAt, bytes) in _store.RecordsOf(idCode, fromMicros, toMicros))
        {
            var payload = JsonSerializer.Deserialize<ProvisionPayload>(bytes, JsonDefaults.Options)
                ?? throw new InvalidDataException("a provision record is empty");
            list.Add(new ProvisionRecord(sequence, AuditTime.FromMicros(recordedAt), payload.RequestId, payload.Inquirer, payload.Provider,
                payload.Affair, payload.Kind, payload.Result, payload.RefusalCode));
        }
        return list;
    }

    /// <summary>A signed checkpoint at the current head (made now unless one is there); null while the log is empty.</summary>
    public ProvisionCheckpoint? Checkpoint()
    {
        var checkpoint = _log.Checkpoint();
        return checkpoint is null
            ? null
            : new ProvisionCheckpoint(checkpoint.Sequence, checkpoint.HashHex, checkpoint.SignedAt, Convert.ToBase64String(checkpoint.Signature), NetworkPublicKey);
    }

    public static readonly TimeSpan JapanOffset = TimeSpan.FromHours(9);

    public static DateOnly JapanDate(DateTimeOffset time) => DateOnly.FromDateTime(time.ToOffset(JapanOffset).DateTime);

    private static DateTimeOffset StartOfJapanDay(DateOnly date) => new(date.ToDateTime(TimeOnly.MinValue), JapanOffset);

    public ValueTask DisposeAsync() => _log.DisposeAsync();
}
