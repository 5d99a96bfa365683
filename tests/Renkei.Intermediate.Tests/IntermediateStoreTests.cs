using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Storage;
using Renkei.TestSupport;

namespace Renkei.Intermediate.Tests;

/// <summary>The copy store on SQLite and PostgreSQL: bulk writes, versions, deletion, token lookup.</summary>
public sealed class IntermediateStoreTests
{
    private const string Holder = IntermediateHarness.Holder;
    private static readonly DateTimeOffset Now = new(2026, 6, 10, 9, 0, 0, TimeSpan.Zero);

    private static IntermediateStore NewStore(TestDatabase database)
    {
        var store = new IntermediateStore(database.Database);
        store.EnsureSchema();
        store.EnsureSchema(); // idempotent
        return store;
    }

    private static CopyRecord Tax(long addressee, long version, long income) =>
        new(addressee, InformationKindCodes.LocalTax, new DateOnly(2026, 6, 1), version,
            $$"""{"fiscalYear":2026,"taxableIncome":{{income}}}""");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_bulk_write_stores_every_copy_and_reads_back(string provider)
    {
        using var database = TestDatabase.Create(provider);
        var store = NewStore(database);
        var copies = Enumerable.Range(1, 20_000).Select(i => Tax(i, 1, i * 1000L)).ToList();

        var result = store.WriteCopies(Holder, copies, Now);

        Assert.Equal(20_000, result.Written);
        Assert.Empty(result.Ignored);
        Assert.Equal(20_000, store.CountCopies(Holder));
        Assert.Equal(0, store.CountCopies("131113"));
        foreach (var i in new[] { 1, 777, 20_000 })
        {
            var copy = (await store.FindAsync(Holder, i, InformationKindCodes.LocalTax))!;
            Assert.Equal((Holder, (long)i, "local-tax", new DateOnly(2026, 6, 1), 1L, Now), (copy.HolderCode, copy.AddresseeNumber, copy.Kind, copy.AsOf, copy.Version, copy.UpdatedAt));
            Assert.Equal($$"""{"fiscalYear":2026,"taxableIncome":{{i * 1000L}}}""", copy.BodyJson);
        }
        Assert.Null((await store.FindAsync(Holder, 20_001, InformationKindCodes.LocalTax)));
        Assert.Null((await store.FindAsync(Holder, 1, InformationKindCodes.ChildAllowance)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_older_or_equal_version_never_overwrites_and_says_which_version_is_held(string provider)
    {
        using var database = TestDatabase.Create(provider);
        var store = NewStore(database);
        store.WriteCopies(Holder, [Tax(1, 5, 500), Tax(2, 5, 500), Tax(3, 5, 500)], Now);

        var later = Now.AddHours(1);
        var result = store.WriteCopies(Holder, [Tax(1, 4, 400), Tax(2, 5, 999), Tax(3, 6, 600), Tax(4, 1, 100)], later);

        Assert.Equal(2, result.Written);
        Assert.Equal(2, result.Ignored.Count);
        Assert.Equal(new IgnoredWrite(0, SameVersion: false, StoredVersion: 5, WithinBatch: false), result.Ignored[0]);
        Assert.Equal(new IgnoredWrite(1, SameVersion: true, StoredVersion: 5, WithinBatch: false), result.Ignored[1]);
        Assert.Equal((5L, Now), ((await store.FindAsync(Holder, 1, "local-tax"))!.Version, (await store.FindAsync(Holder, 1, "local-tax"))!.UpdatedAt));
        Assert.Contains("500", (await store.FindAsync(Holder, 1, "local-tax"))!.BodyJson);
        Assert.Contains("500", (await store.FindAsync(Holder, 2, "local-tax"))!.BodyJson);
        Assert.Equal((6L, later), ((await store.FindAsync(Holder, 3, "local-tax"))!.Version, (await store.FindAsync(Holder, 3, "local-tax"))!.UpdatedAt));
        Assert.Contains("600", (await store.FindAsync(Holder, 3, "local-tax"))!.BodyJson);
        Assert.Equal(4, store.CountCopies(Holder));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Within_one_batch_the_highest_version_of_a_key_wins_on_both_engines(string provider)
    {
        using var database = TestDatabase.Create(provider);
        var store = NewStore(database);

        var result = store.WriteCopies(Holder, [Tax(7, 1, 100), Tax(7, 3, 300), Tax(7, 2, 200), Tax(7, 3, 333), Tax(8, 1, 1)], Now);

        Assert.Equal(2, result.Written);
        Assert.Equal(
            [new IgnoredWrite(0, false, 3, true), new IgnoredWrite(2, false, 3, true), new IgnoredWrite(3, true, 3, true)],
            result.Ignored);
        var held = (await store.FindAsync(Holder, 7, "local-tax"))!;
        Assert.Equal(3, held.Version);
        Assert.Contains("300", held.BodyJson);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public void A_failed_batch_leaves_nothing_behind(string provider)
    {
        using var database = TestDatabase.Create(provider);
        var store = NewStore(database);
        Assert.ThrowsAny<Exception>(() => database.Database.InTransaction((c, t) =>
        {
            store.WriteCopies(c, t, Holder, [Tax(1, 1, 1), Tax(2, 1, 2)], Now);
            throw new InvalidOperationException("the feed broke off");
        }));
        Assert.Equal(0, store.CountCopies(Holder));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Delete_removes_one_copy_and_a_token_finds_the_copies_of_its_person(string provider)
    {
        using var database = TestDatabase.Create(provider);
        var store = NewStore(database);
        store.WriteCopies(Holder, [Tax(1, 1, 1), Tax(2, 1, 2)], Now);
        // The token is bound to the addressee, not written on the copies: copies written later are found by it too.
        var token = Token.FromInt64(4_102_938_475_610_293);
        database.Database.InTransaction((c, t) => store.Tokens.Bind(c, t, Holder, [(2, token)], Now));
        Assert.Equal(2, (await store.FindByTokenAsync(Holder, token, "local-tax"))!.AddresseeNumber);
        Assert.Null((await store.FindByTokenAsync(Holder, token, "child-allowance")));
        Assert.Null((await store.FindByTokenAsync("131113", token, "local-tax")));
        Assert.Null((await store.FindByTokenAsync(Holder, Token.FromInt64(4_102_938_475_610_294), "local-tax")));

        store.WriteCopies(Holder, [Tax(2, 2, 22)], Now);
        Assert.Equal(2, (await store.FindByTokenAsync(Holder, token, "local-tax"))!.Version);

        Assert.True(database.Database.InTransaction((c, t) => store.DeleteCopy(c, t, Holder, 1, "local-tax")));
        Assert.False(database.Database.InTransaction((c, t) => store.DeleteCopy(c, t, Holder, 1, "local-tax")));
        Assert.Null((await store.FindAsync(Holder, 1, "local-tax")));
        Assert.NotNull((await store.FindAsync(Holder, 2, "local-tax")));
    }
}
