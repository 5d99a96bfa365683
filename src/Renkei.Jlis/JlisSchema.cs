using Renkei.Infrastructure;

namespace Renkei.Jlis;

/// <summary>
/// The schema of J-LIS's database (numbering, cards, JPKI, institutions, request ledgers): Schema/NNNN-what.sql in this
/// assembly, journaled in schema_journal_jlis. Applied at start by the stores; <c>renkei db migrate</c> applies and lists it.
/// </summary>
public static class JlisSchema
{
    public static SchemaComponent Tables { get; } = new("jlis", typeof(JlisSchema).Assembly);

    public static IReadOnlyList<SchemaComponent> Components { get; } = [Tables];
}
