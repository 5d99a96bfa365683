using Renkei.Infrastructure;
using Renkei.Infrastructure.Audit;
using Renkei.Municipality.Audit;

namespace Renkei.Municipality;

/// <summary>
/// The schema of a ward's database (住民基本台帳, 宛名, business systems, applications, staff): its tables
/// (Schema/NNNN-what.sql in this assembly, journaled in schema_journal_municipality) and the operation log
/// (<see cref="AuditLogSchema"/>). Applied at start by the stores; <c>renkei db migrate</c> applies and lists them.
/// </summary>
public static class MunicipalitySchema
{
    public static SchemaComponent Tables { get; } = new("municipality", typeof(MunicipalitySchema).Assembly);

    public static IReadOnlyList<SchemaComponent> Components { get; } = [Tables, AuditLogSchema.For(OperationLog.TableName)];
}
