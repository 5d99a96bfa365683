using System.Net;
using System.Net.Http.Json;
using System.Text;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Storage;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using static Renkei.Intermediate.Tests.IntermediateHarness;

namespace Renkei.Intermediate.Tests.Node;

/// <summary>
/// Issue 12: the holder's own systems act at their intermediate server bound to a staff member, terminal and affair. Every
/// copy change, read of a copy and token registration names its actor (400 <c>invalid-request</c> naming <c>actor</c>
/// otherwise, nothing stored), and the server keeps the actor with the change; a batch query's items are recorded under
/// the batch's actor. Over HTTP, signed as the holder, on SQLite and PostgreSQL.
/// </summary>
public sealed class HolderActorTests
{
    private const string Affair = "child-allowance";

    private static readonly Actor Clerk = TestActors.Clerk(Affair);

    private static async IAsyncEnumerable<CopyUpdate> AsAsync(IEnumerable<CopyUpdate> copies)
    {
        foreach (var copy in copies)
        {
            yield return copy;
            await Task.CompletedTask;
        }
    }

    private static async Task AssertRefusedNamingActorAsync(Func<Task> call, string field = "actor: required")
    {
        var refused = await Assert.ThrowsAsync<IntermediateException>(call);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-request"), (refused.Status, refused.Code));
        Assert.Contains(field, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_copy_change_read_or_token_registration_without_an_actor_is_refused_and_nothing_is_stored(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        var client = server.Client;
        // One copy held, so a delete without an actor would have something to remove.
        await client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(7), Clerk));
        var before = server.Store.Actions.Read();

        await AssertRefusedNamingActorAsync(() => client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(8), null)));
        await AssertRefusedNamingActorAsync(() => client.LoadBatchAsync(new LoadBatchRequest(Guid.NewGuid(), Holder, [LocalTax(8), LocalTax(9)], null)));
        await AssertRefusedNamingActorAsync(() => client.DeleteAsync(new DeleteCopyRequest(Guid.NewGuid(), Holder, 7, InformationKindCodes.LocalTax, "moved-out", null)));
        await AssertRefusedNamingActorAsync(() => client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), Holder, 7, null, InformationKindCodes.LocalTax, null, null)));
        await AssertRefusedNamingActorAsync(() => client.RegisterPendingTokenAsync(new PendingTokenRequest(Guid.NewGuid(), Holder, 11, null)));
        await AssertRefusedNamingActorAsync(() => client.RegisterPendingTokenBatchAsync(new PendingTokenBatchRequest(Guid.NewGuid(), Holder, [12, 13], null)));
        // A malformed actor is refused naming the field (a control character, an over-long id, a blank affair).
        await AssertRefusedNamingActorAsync(() => client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(8), Clerk with { Terminal = "counter\n3" })),
            "actor.terminal");
        await AssertRefusedNamingActorAsync(() => client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(8), Clerk with { Staff = new string('s', Actor.MaxLength + 1) })),
            "actor.staff");
        await AssertRefusedNamingActorAsync(() => client.LoadBatchAsync(new LoadBatchRequest(Guid.NewGuid(), Holder, [LocalTax(8)], Clerk with { Affair = " " })),
            "actor.affair");

        // The stream names its actor in its query: without one it is refused before a line is stored.
        var stream = IntermediateRoutes.LoadStream + "?holder=" + Holder + "&batchSize=10";
        var lines = string.Join("\n", new[] { LocalTax(8), LocalTax(9) }.Select(c => System.Text.Json.JsonSerializer.Serialize(c, JsonDefaults.Options)));
        using (var content = new StringContent(lines, Encoding.UTF8, IntermediateRoutes.NdjsonMediaType))
        using (var response = await server.PostStreamAsync(stream, content))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = (await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!;
            Assert.Equal("invalid-request", problem.Code);
            Assert.Contains("actor: required", problem.Detail, StringComparison.Ordinal);
        }
        using (var content = new StringContent(lines, Encoding.UTF8, IntermediateRoutes.NdjsonMediaType))
        using (var response = await server.PostStreamAsync(stream + "&staff=kodomo01&terminal=counter-3", content))
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        // Nothing stored: the one copy held, no copy for 8 or 9, no pending token, no action recorded.
        Assert.Equal(1, server.Store.CountCopies(Holder));
        Assert.NotNull((await server.Store.FindAsync(Holder, 7, InformationKindCodes.LocalTax)));
        Assert.Null((await server.Store.FindAsync(Holder, 8, InformationKindCodes.LocalTax)));
        var status = await client.TokenStatusAsync(new TokenStatusRequest(Holder, [11, 12, 13]));
        Assert.Equal(0, status.Pending);
        Assert.All(status.Addressees, a => Assert.False(a.Pending));
        Assert.Equal(before, server.Store.Actions.Read());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_copy_change_read_and_token_registration_is_kept_with_its_staff_member_terminal_and_affair(string provider)
    {
        await using var server = await IntermediateHarness.StartAsync(provider);
        var client = server.Client;
        var feed = Actor.System("nightly-feed", "copy-registration");
        var upsert = new UpsertCopyRequest(Guid.NewGuid(), Holder, LocalTax(7), Clerk);
        await client.UpsertAsync(upsert);
        await client.UpsertAsync(upsert); // a retry: answered alike, recorded once
        var batch = new LoadBatchRequest(Guid.NewGuid(), Holder, [LocalTax(8), LocalTax(9), LocalTax(10)], feed);
        await client.LoadBatchAsync(batch);
        var streamed = await client.LoadStreamAsync(Holder, feed with { Staff = "system:stream" }, AsAsync(Enumerable.Range(20, 5).Select(i => LocalTax(i))), batchSize: 2);
        Assert.Equal((5L, 3), (streamed.Stored, streamed.Batches));
        var read = new ProvisionRequest(Guid.NewGuid(), Holder, 7, null, InformationKindCodes.LocalTax, null, Clerk with { Terminal = "counter-4" });
        Assert.Equal(ProvisionOutcome.Provided, (await client.ProvideAsync(read)).Outcome);
        var delete = new DeleteCopyRequest(Guid.NewGuid(), Holder, 8, InformationKindCodes.LocalTax, "moved-out", Clerk with { Staff = "kodomo02" });
        Assert.True((await client.DeleteAsync(delete)).Deleted);
        var pending = new PendingTokenRequest(Guid.NewGuid(), Holder, 11, Clerk);
        await client.RegisterPendingTokenAsync(pending);
        var pendingBatch = new PendingTokenBatchRequest(Guid.NewGuid(), Holder, [12, 13], feed);
        await client.RegisterPendingTokenBatchAsync(pendingBatch);

        var actions = server.Store.Actions.Read();
        Assert.Equal(
            new (Guid, string, string, string, string, long?, string?, long)[]
            {
                (upsert.RequestId, HolderActionLog.CopyUpsert, "kodomo01", "counter-3", Affair, 7, InformationKindCodes.LocalTax, 1L),
                (batch.RequestId, HolderActionLog.CopyBatch, feed.Staff, feed.Terminal, feed.Affair, null, null, 3L),
                (Guid.Empty, HolderActionLog.CopyStream, "system:stream", feed.Terminal, feed.Affair, null, null, 2L),
                (Guid.Empty, HolderActionLog.CopyStream, "system:stream", feed.Terminal, feed.Affair, null, null, 2L),
                (Guid.Empty, HolderActionLog.CopyStream, "system:stream", feed.Terminal, feed.Affair, null, null, 1L),
                (read.RequestId, HolderActionLog.Provision, "kodomo01", "counter-4", Affair, 7, InformationKindCodes.LocalTax, 1L),
                (delete.RequestId, HolderActionLog.CopyDelete, "kodomo02", "counter-3", Affair, 8, InformationKindCodes.LocalTax, 1L),
                (pending.RequestId, HolderActionLog.TokenPending, "kodomo01", "counter-3", Affair, 11, null, 1L),
                (pendingBatch.BatchId, HolderActionLog.TokenBatch, feed.Staff, feed.Terminal, feed.Affair, null, null, 2L),
            },
            actions.Select(a => (a.RequestId ?? Guid.Empty, a.Operation, a.Staff, a.Terminal, a.Affair, a.AddresseeNumber, a.Kind, a.Items)));
        Assert.True(actions.Zip(actions.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence && p.First.RecordedAt <= p.Second.RecordedAt));

        // The actions survive a restart of the server (they are in its database, not in memory).
        Assert.Equal(actions, new HolderActionLog(server.Database).Read());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_batch_querys_items_are_recorded_under_the_batchs_staff_member_and_terminal(string provider)
    {
        await using var pair = await NodePair.StartAsync(provider);
        for (var i = 1; i <= 2; i++)
        {
            await pair.Provider.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), pair.Provider.Code, LocalTax(100 + i), TestActors.Feed));
            await pair.Provider.BindAsync(pair.Network, $"Q{i}", 100 + i, Token.FromInt64(1_311_130_000_000_100 + i));
            await pair.Inquirer.BindAsync(pair.Network, $"Q{i}", 10 + i, Token.FromInt64(1_310_910_000_000_010 + i));
        }
        var batch = new InquiryBatchRequest(Guid.NewGuid(), NodePair.InquirerCode, Affair, NodePair.ProviderCode, InformationKindCodes.LocalTax, null,
            [new InquiryBatchItem("a", 11), new InquiryBatchItem("b", 12)], Clerk);
        await pair.Inquirer.Client.SubmitQueryBatchAsync(batch);
        var status = await pair.Inquirer.Client.QueryBatchStatusAsync(new InquiryBatchStatusRequest(batch.BatchId, NodePair.InquirerCode));
        Assert.Equal(2, status.Results.Count);

        var records = (await pair.Inquirer.Client.RecordsAsync(new PartyRecordQuery(NodePair.InquirerCode))).Records;
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.Equal((PartyRole.Inquirer, "kodomo01", "counter-3", Affair), (r.Role, r.Staff, r.Terminal, r.Affair)));
        var submitted = Assert.Single(await new IntermediateStore(pair.Inquirer.Database).Actions.OfRequestAsync(batch.BatchId));
        Assert.Equal((HolderActionLog.QueryBatch, "kodomo01", "counter-3", Affair, 2L),
            (submitted.Operation, submitted.Staff, submitted.Terminal, submitted.Affair, submitted.Items));
        // The provider's records name no one at the inquirer.
        Assert.All((await pair.Provider.Client.RecordsAsync(new PartyRecordQuery(NodePair.ProviderCode))).Records, r => Assert.Null(r.Staff));
    }
}
