using System.Data.Common;
using Renkei.Infrastructure;
using Renkei.TestSupport;

namespace Renkei.ServiceDefaults.Tests;

/// <summary>
/// <see cref="Database"/>'s asynchronous helpers for request paths, on both engines: a transaction commits all of its work
/// or, when the work throws, none of it; reads see what was committed; the request ledger claims an id once.
/// </summary>
public sealed class DatabaseAsyncTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_transaction_stores_all_of_its_work_or_none_and_reads_see_what_was_committed(string provider)
    {
        using var test = TestDatabase.Create(provider);
        var database = test.Database;
        await using (var c = await database.OpenAsync())
            await c.ExecuteAsync("CREATE TABLE async_probe (id BIGINT PRIMARY KEY, label TEXT NOT NULL)");

        var inserted = await database.InTransactionAsync(async (c, t) =>
        {
            var rows = 0;
            foreach (var (id, label) in new[] { (1L, "one"), (2L, "two") })
            {
                using var insert = c.Command("INSERT INTO async_probe (id, label) VALUES (@id, @label)", t);
                rows += await insert.With("id", id).With("label", label).ExecuteAsync();
            }
            return rows;
        });
        Assert.Equal(2, inserted);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await database.InTransactionAsync(async (c, t) =>
        {
            using var insert = c.Command("INSERT INTO async_probe (id, label) VALUES (3, 'three')", t);
            await insert.ExecuteAsync();
            throw new InvalidOperationException("the work failed after writing");
        }));
        await Assert.ThrowsAnyAsync<DbException>(async () => await database.InTransactionAsync(async (c, t) =>
        {
            using var insert = c.Command("INSERT INTO async_probe (id, label) VALUES (4, 'four')", t);
            await insert.ExecuteAsync();
            using var duplicate = c.Command("INSERT INTO async_probe (id, label) VALUES (1, 'again')", t);
            await duplicate.ExecuteAsync();
        }));

        await using var connection = await database.OpenAsync();
        using var count = connection.Command("SELECT COUNT(*) FROM async_probe");
        Assert.Equal(2, await count.ScalarInt64Async());
        using var select = connection.Command("SELECT label FROM async_probe ORDER BY id");
        var labels = new List<string>();
        await using (var reader = await select.ReaderAsync())
            while (await reader.ReadRowAsync()) labels.Add(reader.GetString(0));
        Assert.Equal(["one", "two"], labels);
        using var missing = connection.Command("SELECT label FROM async_probe WHERE id = 99");
        Assert.Null(await missing.ScalarAsync());
        Assert.True(await database.PingAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_request_ledger_claims_an_id_once_and_keeps_its_answer(string provider)
    {
        using var test = TestDatabase.Create(provider);
        var database = test.Database;
        await using (var c = await database.OpenAsync())
            await c.ExecuteAsync("CREATE TABLE probe_requests (request_id TEXT PRIMARY KEY, operation TEXT NOT NULL, fingerprint TEXT NOT NULL, "
                + "response TEXT NULL, received_at TEXT NOT NULL)");
        var ledger = new RequestLedger("probe_requests");
        var id = Guid.NewGuid();
        var now = DateTimeOffset.UnixEpoch;

        var first = await database.InTransactionAsync(async (c, t) =>
        {
            var claimed = await ledger.ClaimAsync(c, t, id, "probe", "fp-1", now);
            if (claimed is null) await ledger.CompleteAsync(c, t, id, "{\"answer\":1}");
            return claimed;
        });
        Assert.Null(first);
        var again = await database.InTransactionAsync((c, t) => ledger.ClaimAsync(c, t, id, "probe", "fp-2", now));
        Assert.Equal(new RequestLedger.StoredRequest("probe", "fp-1", "{\"answer\":1}"), again);
        await using var connection = await database.OpenAsync();
        Assert.Equal(again, await ledger.FindAsync(connection, null, id));
        Assert.Null(await ledger.FindAsync(connection, null, Guid.NewGuid()));
    }
}
