using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Holders.Audit;

namespace Renkei.Holders;

/// <summary>
/// The schema of a holder's own database (the pension organisation's or an insurer's): its tables (Schema/NNNN-what.sql
/// in this assembly, journaled in schema_journal_holders) and the operation log (<see
/// cref="AuditLogSchema"/>). Applied at start by the stores; <c>renkei db migrate</c> applies and lists them.
/// </summary>
public static class HoldersSchema
{
    public static SchemaComponent Tables { get; } = new("holders", typeof(HoldersSchema).Assembly);

    public static IReadOnlyList<SchemaComponent> Components { get; } = [Tables, AuditLogSchema.For(HolderOperationLog.TableName)];
}
