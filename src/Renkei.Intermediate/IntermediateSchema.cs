using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Intermediate.Records;

namespace Renkei.Intermediate;

/// <summary>
/// The schema of an intermediate server's database (中間サーバー): its tables (Schema/NNNN-what.sql in this assembly,
/// journaled in schema_journal_intermediate) and the party records (<see cref="AuditLogSchema"/>). Applied
/// at start by the stores; <c>renkei db migrate</c> applies and lists them.
/// </summary>
public static class IntermediateSchema
{
    public static SchemaComponent Tables { get; } = new("intermediate", typeof(IntermediateSchema).Assembly);

    public static IReadOnlyList<SchemaComponent> Components { get; } = [Tables, AuditLogSchema.For(PartyRecordLog.TableName)];
}
