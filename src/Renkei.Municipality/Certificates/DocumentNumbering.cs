using System.Globalization;
using Renkei.Documents;
using Renkei.Infrastructure;

namespace Renkei.Municipality.Certificates;

/// <summary>
/// The ward's 文書番号 (table <c>document_numbers</c>): one sequence per prefix (the issuing office, e.g. 品子発) per fiscal
/// year, from 1 on 1 April. A decision notice keeps the number it was first given (<c>decision_notice_numbers</c>, per
/// application and decision version), so printing it again prints the same number; a corrected decision (更正) gets a new one.
/// </summary>
public sealed class DocumentNumbering
{
    private readonly Database _database;

    public DocumentNumbering(Database database)
    {
        _database = database;
        Migrations.Apply(database, MunicipalitySchema.Tables);
    }

    /// <summary>The next number of <paramref name="prefix"/> in the fiscal year of <paramref name="date"/>.</summary>
    public DocumentNumber Next(string prefix, DateOnly date)
    {
        var year = DocumentNumber.FiscalYearOf(date);
        return _database.InTransaction((connection, transaction) => new DocumentNumber(prefix, year, Next(connection, transaction, prefix, year)));
    }

    /// <summary>The decision notice's number: the one it was given the first time, else the next one (stored in the same transaction).</summary>
    public DocumentNumber ForDecisionNotice(long applicationId, int version, string prefix, DateOnly issuedOn, DateTimeOffset now) =>
        _database.InTransaction((connection, transaction) =>
        {
            using (var find = connection.Command("SELECT prefix, fiscal_year, sequence FROM decision_notice_numbers WHERE application_id = @a AND version = @v", transaction)
                .With("@a", applicationId).With("@v", version))
            using (var reader = find.ExecuteReader())
                if (reader.Read()) return new DocumentNumber(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2));
            var year = DocumentNumber.FiscalYearOf(issuedOn);
            var sequence = Next(connection, transaction, prefix, year);
            connection.Command("INSERT INTO decision_notice_numbers (application_id, version, prefix, fiscal_year, sequence, numbered_at) VALUES (@a, @v, @p, @y, @s, @at)", transaction)
                .With("@a", applicationId).With("@v", version).With("@p", prefix).With("@y", year).With("@s", sequence)
                .With("@at", now.ToString("O", CultureInfo.InvariantCulture)).ExecuteNonQuery();
            return new DocumentNumber(prefix, year, sequence);
        }, System.Data.IsolationLevel.Serializable);

    private static long Next(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, string prefix, int year) =>
        connection.Command("INSERT INTO document_numbers (prefix, fiscal_year, last_number) VALUES (@p, @y, 1) "
            + "ON CONFLICT (prefix, fiscal_year) DO UPDATE SET last_number = document_numbers.last_number + 1 RETURNING last_number", transaction)
            .With("@p", prefix).With("@y", year).ScalarInt64();
}
