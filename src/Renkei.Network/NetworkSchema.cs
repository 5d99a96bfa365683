using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Network.Storage;

namespace Renkei.Network;

/// <summary>
/// The schema of the network's database (情報提供ネットワークシステム): its tables (Schema/NNNN-what.sql in this assembly, journaled
/// in schema_journal_network) and the provision records (<see cref="AuditLogSchema"/>). Applied at start by
/// the stores; <c>renkei db migrate</c> applies and lists them.
/// </summary>
public static class NetworkSchema
{
    public static SchemaComponent Tables { get; } = new("network", typeof(NetworkSchema).Assembly);

    public static IReadOnlyList<SchemaComponent> Components { get; } = [Tables, AuditLogSchema.For(NetworkStore.RecordsTable)];
}
