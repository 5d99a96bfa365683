using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Audit;
using Renkei.Core.Json;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;

namespace Renkei.Holders.Audit;

/// <summary>
/// One staff operation on the holder's records (操作記録): what was done (<c>lookup</c>, <c>pension-record</c>,
/// <c>qualification</c>, <c>qualification-loss</c>, <c>feed</c>, <c>acquire-tokens</c>), with which result (<c>ok</c> or the
/// refusal code), about whom (the holder's person ID, never the number), under which request id, from which terminal.
/// </summary>
/// <param name="Count">People the operation touched (a feed's copies, a token run's people).</param>
public sealed record HolderOperationEntry(
    DateTimeOffset At,
    string Action,
    string Result,
    long? PersonId,
    Guid? RequestId,
    long Count,
    string Terminal);

public sealed record HolderOperationRecord(long Sequence, DateTimeOffset RecordedAt, HolderOperationEntry Entry);

/// <summary>
/// The holder's operation log: every staff API call that reads or changes records kept with individual numbers, refused
/// ones too, append-only and tamper-evident (<see cref="AuditLogStore"/>, table <c>holder_operation_log</c> in the holder's
/// own database, checkpoints signed with the holder's key under the identity <c>holder/&lt;code&gt;/holder_operation_log</c>).
/// Payloads are canonical JSON of <see cref="HolderOperationEntry"/>.
/// </summary>
public sealed class HolderOperationLog : IAsyncDisposable
{
    public const string TableName = "holder_operation_log";
    public const string SigningKeyFileName = "audit-signing.key";

    private readonly ECDsa _key;

    private HolderOperationLog(Database database, string institutionCode, ECDsa key, TimeProvider clock, AuditLogOptions? options)
    {
        _key = key;
        Identity = IdentityOf(institutionCode);
        var signer = new AuditCheckpointSigner(Identity, key);
        PublicKey = signer.Verifier();
        Store = new AuditLogStore(database, TableName, signer, options, clock);
    }

    public string Identity { get; }
    public AuditLogStore Store { get; }
    public AuditCheckpointVerifier PublicKey { get; }

    public static string IdentityOf(string institutionCode) => $"holder/{institutionCode}/{TableName}";

    /// <summary>Opens (and creates when missing) the log and its signing key (mode 600, public key beside it).</summary>
    public static HolderOperationLog Open(Database database, string institutionCode, string signingKeyPath, TimeProvider? clock = null,
        AuditLogOptions? options = null)
    {
        var key = AuditSigningKeyFile.LoadOrCreate(signingKeyPath);
        var log = new HolderOperationLog(database, institutionCode, key, clock ?? TimeProvider.System, options);
        try
        {
            log.Store.EnsureSchema();
            return log;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public async Task AppendAsync(HolderOperationEntry entry, CancellationToken cancellationToken = default) =>
        await Store.AppendAsync(CanonicalJson.Serialize(entry), cancellationToken);

    public IEnumerable<HolderOperationRecord> Read()
    {
        foreach (var stored in Store.ReadEntries())
            yield return new HolderOperationRecord(stored.Sequence, stored.RecordedAt,
                JsonSerializer.Deserialize<HolderOperationEntry>(stored.Payload, JsonDefaults.Options)!);
    }

    public AuditVerification Verify(AuditHead? expectedHead = null) => Store.Verify(PublicKey, expectedHead);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _key.Dispose();
    }
}
