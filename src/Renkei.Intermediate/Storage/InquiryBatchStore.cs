using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Renkei.Infrastructure;

namespace Renkei.Intermediate.Storage;

/// <summary>A batch query as the inquirer's node keeps it: what was asked, and the answer it gave the holder's system.</summary>
/// <param name="Submitted">True once the network accepted the batch (or there was nothing to send).</param>
/// <param name="Accepted">The answer given to the holder's system (JSON), the network's state as of submission.</param>
public sealed record StoredInquiryBatch(Guid BatchId, string Fingerprint, string Affair, string Provider, string Kind, bool Submitted, string Accepted, int Items);

/// <summary>One submitted item: its position among the submitted items (the network's index), the holder's item id, the addressee.</summary>
public sealed record StoredInquiryItem(int Index, string ItemId, long AddresseeNumber, DateOnly? AsOf);

/// <summary>
/// The inquirer node's batch queries (一括照会), in its own database, so that a retried submission sends the network the
/// same items and a status page maps the network's item indexes back to the holder's items and addressees:
/// <code>
/// intermediate_inquiry_batches      (batch_id PK, fingerprint, affair, provider, kind, submitted, accepted, items, created_at)
/// intermediate_inquiry_batch_items  (batch_id, item_index PK, item_id, addressee_number, as_of)
/// </code>
/// </summary>
public sealed class InquiryBatchStore(Database database)
{
    private const string DateFormat = "yyyy-MM-dd";

    public Database Database { get; } = database;

    private bool IsPostgres => Database.Provider == DatabaseProvider.PostgreSql;

    /// <summary>
    /// Stores a new batch and its items in one transaction, with what <paramref name="alsoWrite"/> writes (the batch's
    /// actor); false (nothing written) when the id is taken.
    /// </summary>
    public async Task<bool> TryCreateAsync(Guid batchId, string fingerprint, string affair, string provider, string kind, string accepted,
        IReadOnlyList<StoredInquiryItem> items, DateTimeOffset now, Func<DbConnection, DbTransaction, DateTimeOffset, ValueTask>? alsoWrite = null,
        CancellationToken cancellationToken = default) =>
        await Database.InTransactionAsync(async (c, t) =>
        {
            var id = batchId.ToString("D");
            using (var insert = c.Command("""
                INSERT INTO intermediate_inquiry_batches (batch_id, fingerprint, affair, provider, kind, submitted, accepted, items, created_at)
                VALUES (@b, @f, @af, @p, @k, 0, @a, @n, @at) ON CONFLICT DO NOTHING RETURNING batch_id
                """, t))
            {
                insert.With("b", id).With("f", fingerprint).With("af", affair).With("p", provider).With("k", kind).With("a", accepted).With("n", items.Count).With("at", IntermediateStore.FormatTime(now));
                if (await insert.ScalarAsync(cancellationToken) is null) return false;
            }
            if (alsoWrite is not null) await alsoWrite(c, t, now);
            if (IsPostgres)
            {
                using var bulk = c.Command("""
                    INSERT INTO intermediate_inquiry_batch_items (batch_id, item_index, item_id, addressee_number, as_of)
                    SELECT @b, i, d, a, s FROM unnest(@i, @d, @a, @s) AS u(i, d, a, s)
                    """, t);
                bulk.With("b", id).With("i", items.Select(x => x.Index).ToArray()).With("d", items.Select(x => x.ItemId).ToArray())
                    .With("a", items.Select(x => x.AddresseeNumber).ToArray()).With("s", items.Select(x => FormatDate(x.AsOf)).ToArray());
                await bulk.ExecuteAsync(cancellationToken);
                return true;
            }
            using var row = new SqliteFastStatement((SqliteConnection)c,
                "INSERT INTO intermediate_inquiry_batch_items (batch_id, item_index, item_id, addressee_number, as_of) VALUES (?1, ?2, ?3, ?4, ?5)");
            row.Bind(1, id);
            foreach (var item in items)
            {
                row.Bind(2, item.Index);
                row.Bind(3, item.ItemId);
                row.Bind(4, item.AddresseeNumber);
                row.Bind(5, FormatDate(item.AsOf));
                row.Execute();
            }
            return true;
        }, cancellationToken: cancellationToken);

    public async Task<StoredInquiryBatch?> FindAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command("SELECT fingerprint, affair, provider, kind, submitted, accepted, items FROM intermediate_inquiry_batches WHERE batch_id = @b");
        await using var reader = await select.With("b", batchId.ToString("D")).ReaderAsync(cancellationToken);
        return await reader.ReadRowAsync(cancellationToken)
            ? new StoredInquiryBatch(batchId, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetInt64(4) != 0, reader.GetString(5), reader.GetInt32(6))
            : null;
    }

    public async Task MarkSubmittedAsync(Guid batchId, string accepted, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var update = c.Command("UPDATE intermediate_inquiry_batches SET submitted = 1, accepted = @a WHERE batch_id = @b");
        await update.With("a", accepted).With("b", batchId.ToString("D")).ExecuteAsync(cancellationToken);
    }

    /// <summary>The items with index in [<paramref name="from"/>, <paramref name="to"/>], in index order.</summary>
    public async Task<List<StoredInquiryItem>> ItemsAsync(Guid batchId, int from = 0, int to = int.MaxValue, CancellationToken cancellationToken = default)
    {
        await using var c = await Database.OpenAsync(cancellationToken);
        using var select = c.Command("""
            SELECT item_index, item_id, addressee_number, as_of FROM intermediate_inquiry_batch_items
            WHERE batch_id = @b AND item_index >= @from AND item_index <= @to ORDER BY item_index
            """);
        await using var reader = await select.With("b", batchId.ToString("D")).With("from", from).With("to", to).ReaderAsync(cancellationToken);
        var items = new List<StoredInquiryItem>();
        while (await reader.ReadRowAsync(cancellationToken))
            items.Add(new StoredInquiryItem(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : DateOnly.ParseExact(reader.GetString(3), DateFormat, CultureInfo.InvariantCulture)));
        return items;
    }

    private static string? FormatDate(DateOnly? date) => date?.ToString(DateFormat, CultureInfo.InvariantCulture);
}
