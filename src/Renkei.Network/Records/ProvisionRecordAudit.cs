using Renkei.Core.Audit;
using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Network.Contracts;
using Renkei.Network.Storage;

namespace Renkei.Network.Records;

/// <summary>
/// The network's provision records (情報提供等記録) as an auditor opens them: the audit log <see cref="TableName"/> in the
/// network's database, read-only, with checkpoints signed by the network's signing key under
/// <see cref="ProvisionCheckpoint.LogIdentity"/>. What <c>renkei records verify --role network</c> runs.
/// </summary>
public static class ProvisionRecordAudit
{
    public const string TableName = NetworkStore.RecordsTable;

    public const string LogIdentity = ProvisionCheckpoint.LogIdentity;

    /// <summary>The log for reading and verifying only (nothing is created).</summary>
    public static AuditLogStore OpenForAudit(Database database) => new(database, TableName, signer: null);

    /// <summary>Verifies the records' chain and signed checkpoints with the network's public key (PEM).</summary>
    public static AuditVerification Verify(Database database, string publicKeyPem, AuditHead? expectedHead = null)
    {
        using var log = OpenForAudit(database);
        return log.Verify(AuditCheckpointVerifier.FromPem(LogIdentity, publicKeyPem), expectedHead);
    }
}
