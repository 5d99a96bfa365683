using Renkei.Infrastructure;

namespace Renkei.IssuanceCentre;

/// <summary>
/// The schema of the issuance centre's own database (its transaction log): Schema/NNNN-what.sql in this assembly,
/// journaled in schema_journal_issuance_centre. Applied at start by <see cref="TransactionLog"/>.
/// </summary>
public static class IssuanceCentreSchema
{
    public static SchemaComponent Tables { get; } = new("issuance-centre", typeof(IssuanceCentreSchema).Assembly);

    public static IReadOnlyList<SchemaComponent> Components { get; } = [Tables];
}
