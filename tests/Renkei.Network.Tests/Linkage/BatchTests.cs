using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;
using Renkei.Network.Linkage;
using Renkei.Network.Records;
using Renkei.Network.Storage;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Linkage;

public sealed class BatchTests
{
    private static async Task<BatchStatusResponse> WaitAsync(INetworkClient client, Guid batchId, Func<BatchStatusResponse, bool> until)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await client.BatchStatusAsync(new BatchStatusRequest(batchId, NetworkHarness.WardA));
            if (until(status)) return status;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"batch still {status.State}: {status.Finished} finished, {status.Pending} pending");
            await Task.Delay(50);
        }
    }

    private static async Task<List<BatchItemResult>> AllResultsAsync(INetworkClient client, Guid batchId, int pageSize)
    {
        var results = new List<BatchItemResult>();
        var after = -1;
        while (true)
        {
            var page = await client.BatchStatusAsync(new BatchStatusRequest(batchId, NetworkHarness.WardA, after, pageSize));
            if (page.Results.Count == 0) return results;
            results.AddRange(page.Results);
            after = page.Results[^1].ItemIndex;
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_batch_waits_for_its_provider_across_a_network_restart_and_records_every_item_once(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        const int people = 40;
        // Every tenth has no token at B: refused at once, even while B is down.
        var (items, _) = await PeopleAsync(h, 100, people, refusedEvery: 10);
        // Plus one token that is not A's at all.
        items.Add(new BatchLinkageItem("stranger", Token.FromInt64(1234567890123456), null));

        await h.B.StopAsync();
        var client = h.ClientOf(h.A);
        var batch = new BatchLinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, row.Affair, NetworkHarness.WardB, row.Kind, null, items);
        var accepted = await client.SubmitBatchAsync(batch);
        Assert.Equal(items.Count, accepted.Items);
        // Resending the batch is a no-op; the same id with other content is refused.
        Assert.Equal(items.Count, (await client.SubmitBatchAsync(batch)).Items);
        var reused = await Assert.ThrowsAsync<NetworkException>(() => client.SubmitBatchAsync(batch with { Kind = "other" }));
        Assert.Equal("batch-id-reused", reused.Code);

        // The refusals finish; everything for B waits.
        var waiting = await WaitAsync(client, batch.BatchId, s => s.Finished == 5);
        Assert.Equal(people + 1 - 5, waiting.Pending);
        Assert.NotEqual(BatchState.Completed, waiting.State);
        await Task.Delay(300); // a few retries against the stopped provider
        Assert.Equal(5, (await client.BatchStatusAsync(new BatchStatusRequest(batch.BatchId, NetworkHarness.WardA))).Finished);

        // The network restarts (the batch resumes from its database), then the provider comes back.
        await h.RestartNetworkAsync();
        client = h.ClientOf(h.A);
        await h.B.StartAsync();
        var done = await WaitAsync(client, batch.BatchId, s => s.State == BatchState.Completed);
        Assert.Equal((people + 1, 0), (done.Finished, done.Pending));

        var results = await AllResultsAsync(client, batch.BatchId, 7);
        Assert.Equal(Enumerable.Range(0, people + 1), results.Select(r => r.ItemIndex));
        foreach (var result in results.Take(people))
        {
            var i = result.ItemIndex;
            var expected = i % 10 == 9 ? LinkageOutcome.Refused : i % 2 == 0 ? LinkageOutcome.Provided : LinkageOutcome.NotHeld;
            Assert.Equal(expected, result.Response.Outcome);
            Assert.Equal(BatchService.ItemRequestId(batch.BatchId, i), result.Response.RequestId);
            if (expected == LinkageOutcome.Provided)
                Assert.Equal(i, TestInstitutionNode.Open(h.A.Keys, result.Response.RequestId, result.Response.Answer!).Body!.Value.GetProperty("n").GetInt32());
        }
        Assert.Equal(RefusalCodes.UnknownToken, results[^1].Response.RefusalCode);

        // One record per item, none twice; B answered each of its items once.
        var records = h.Network.Records.Log.ReadEntries().Select(e => JsonSerializer.Deserialize<ProvisionPayload>(e.Payload, JsonDefaults.Options)!).ToList();
        Assert.Equal(people + 1, records.Count);
        Assert.Equal(people + 1, records.Select(r => r.RequestId).Distinct().Count());
        Assert.Equal(results.Select(r => r.Response.RecordSequence).Order(), h.Network.Records.Log.ReadEntries().Select(e => e.Sequence));
        Assert.Equal(people - 4, h.B.Queries.Select(q => q.RequestId).Distinct().Count());
        Assert.Equal(people - 4, h.B.Queries.Count);
        Assert.True(h.Network.VerifyRecords().IsIntact);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_instances_on_one_database_work_a_batch_through_with_one_record_per_item(string provider)
    {
        // A long provider timeout: an answer slowed by the load is not an "unavailable" retry that would ask B again.
        await using var h = await NetworkHarness.StartAsync(provider, o => o.ProviderTimeout = TimeSpan.FromSeconds(30));
        await using var second = await h.StartNetworkNodeAsync();
        using var secondHttp = SigningHandler.CreateClient(second.BaseAddress, h.A.Code, h.A.Keys.Signing, NodeRoutes.NetworkInstitutionCode);
        var viaSecond = new NetworkHttpClient(secondHttp);
        var viaFirst = h.ClientOf(h.A);
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        const int people = 300;
        // Every fifth has no token at B: refused by the network itself.
        var (items, forwardedItems) = await PeopleAsync(h, 1000, people, refusedEvery: 5);
        var forwarded = forwardedItems.Count;

        // The ward sends the batch to both instances (a client retrying on the other instance behind a balancer): both work it.
        var batch = new BatchLinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, row.Affair, NetworkHarness.WardB, row.Kind, null, items);
        var accepted = await Task.WhenAll(viaFirst.SubmitBatchAsync(batch), viaSecond.SubmitBatchAsync(batch));
        Assert.All(accepted, a => Assert.Equal(people, a.Items));
        var done = await WaitAsync(viaSecond, batch.BatchId, s => s.State == BatchState.Completed);
        Assert.Equal((people, 0), (done.Finished, done.Pending));

        // Every item answered, each under its own request id, with its record.
        var results = await AllResultsAsync(viaFirst, batch.BatchId, 1000);
        Assert.Equal(Enumerable.Range(0, people), results.Select(r => r.ItemIndex));
        Assert.All(results, r => Assert.Equal(BatchService.ItemRequestId(batch.BatchId, r.ItemIndex), r.Response.RequestId));
        Assert.All(results, r => Assert.Equal(r.ItemIndex % 5 == 4 ? LinkageOutcome.Refused : r.ItemIndex % 2 == 0 ? LinkageOutcome.Provided : LinkageOutcome.NotHeld,
            r.Response.Outcome));

        // One provision record per item, none twice, and the answers point at them; B was asked once per forwarded item.
        var entries = h.Network.Records.Log.ReadEntries().ToList();
        var records = entries.Select(e => JsonSerializer.Deserialize<ProvisionPayload>(e.Payload, JsonDefaults.Options)!).ToList();
        Assert.Equal(people, records.Count);
        Assert.Equal(results.Select(r => r.Response.RequestId).Order(), records.Select(r => r.RequestId).Order());
        Assert.Equal(results.Select(r => r.Response.RecordSequence).Order(), entries.Select(e => e.Sequence));
        Assert.Equal(forwarded, h.B.Queries.Count);
        Assert.Equal(forwarded, h.B.Queries.Select(q => q.RequestId).Distinct().Count());
        Assert.True(h.Network.VerifyRecords().IsIntact);
        Assert.True(second.VerifyRecords().IsIntact);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_batch_is_forwarded_one_signed_request_per_chunk_answered_under_one_batch_signature_with_one_record_per_item(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o => o.ProviderTimeout = TimeSpan.FromSeconds(30));
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        const int people = 300; // two chunks: 256 and 44
        // Every fifth has no token at B: refused by the network itself, never forwarded.
        var (items, forwarded) = await PeopleAsync(h, 2000, people, refusedEvery: 5);
        var client = h.ClientOf(h.A);
        var batch = new BatchLinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, row.Affair, NetworkHarness.WardB, row.Kind, null, items);
        await client.SubmitBatchAsync(batch);
        var done = await WaitAsync(client, batch.BatchId, s => s.State == BatchState.Completed);
        Assert.Equal((people, 0), (done.Finished, done.Pending));

        var results = await AllResultsAsync(client, batch.BatchId, 1000);
        Assert.Equal(Enumerable.Range(0, people), results.Select(r => r.ItemIndex));
        foreach (var result in results)
        {
            var i = result.ItemIndex;
            var expected = i % 5 == 4 ? LinkageOutcome.Refused : i % 2 == 0 ? LinkageOutcome.Provided : LinkageOutcome.NotHeld;
            Assert.Equal(expected, result.Response.Outcome);
            Assert.Equal(BatchService.ItemRequestId(batch.BatchId, i), result.Response.RequestId);
            if (expected == LinkageOutcome.Provided)
                Assert.Equal(i, TestInstitutionNode.Open(h.A.Keys, result.Response.RequestId, result.Response.Answer!).Body!.Value.GetProperty("n").GetInt32());
            if (expected == LinkageOutcome.Refused) Assert.Equal(RefusalCodes.ProviderHasNoToken, result.Response.RefusalCode);
        }

        // One request per chunk, carrying exactly the chunk's forwarded items; each chunk's answers share one root signature.
        var bulks = h.B.BulkQueries.ToList();
        Assert.Equal(2, bulks.Count);
        Assert.Equal(forwarded.Select(i => BatchService.ItemRequestId(batch.BatchId, i)).Order(), bulks.SelectMany(b => b.Items).Select(x => x.RequestId).Order());
        Assert.Equal(forwarded.Count, h.B.Queries.Count);
        foreach (var bulk in bulks)
        {
            var ids = bulk.Items.Select(x => x.RequestId).ToHashSet();
            var signatures = results.Where(r => ids.Contains(r.Response.RequestId)).Select(r => BatchSignature.TryParse(r.Response.Answer!.Signature)!).ToList();
            Assert.Equal(bulk.Items.Count, signatures.Count);
            Assert.Single(signatures.Select(x => Convert.ToBase64String(x.RootSignature)).Distinct());
            Assert.All(signatures, x => Assert.Equal(bulk.Items.Count, x.TreeSize));
        }

        // One provision record per item, none twice, and the answers point at them.
        var entries = h.Network.Records.Log.ReadEntries().ToList();
        var records = entries.Select(e => JsonSerializer.Deserialize<ProvisionPayload>(e.Payload, JsonDefaults.Options)!).ToList();
        Assert.Equal(people, records.Count);
        Assert.Equal(results.Select(r => r.Response.RequestId).Order(), records.Select(r => r.RequestId).Order());
        Assert.Equal(results.Select(r => r.Response.RecordSequence).Order(), entries.Select(e => e.Sequence));
        Assert.True(h.Network.VerifyRecords().IsIntact);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_provider_that_dies_in_the_middle_of_a_chunk_loses_and_doubles_nothing(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o => o.ProviderTimeout = TimeSpan.FromSeconds(30));
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        const int people = 300;
        var (items, forwarded) = await PeopleAsync(h, 3000, people, refusedEvery: 10);
        var refused = people - forwarded.Count;

        // The provider dies in the middle of every answer: it reads the chunk, works every item, sends half and is gone.
        h.B.CutBulkAnswers = int.MaxValue;
        var client = h.ClientOf(h.A);
        var batch = new BatchLinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, row.Affair, NetworkHarness.WardB, row.Kind, null, items);
        await client.SubmitBatchAsync(batch);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (h.B.BulkQueries.Count < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "the provider was not asked again");
            await Task.Delay(20);
        }
        // Then it stays down for a while.
        await h.B.StopAsync();
        await Task.Delay(300);

        // Nothing of a cut chunk was recorded: only the network's own refusals (of the items claimed so far) are finished.
        var waiting = await client.BatchStatusAsync(new BatchStatusRequest(batch.BatchId, NetworkHarness.WardA));
        var early = h.Network.Records.Log.ReadEntries().Select(e => JsonSerializer.Deserialize<ProvisionPayload>(e.Payload, JsonDefaults.Options)!).ToList();
        Assert.InRange(early.Count, 1, refused);
        Assert.All(early, r => Assert.Equal(ProvisionResult.Refused, r.Result));
        Assert.Equal((early.Count, people - early.Count), (waiting.Finished, waiting.Pending));

        // It comes back whole: every item answered once.
        h.B.CutBulkAnswers = 0;
        await h.B.StartAsync();
        var done = await WaitAsync(client, batch.BatchId, s => s.State == BatchState.Completed);
        Assert.Equal((people, 0), (done.Finished, done.Pending));
        var results = await AllResultsAsync(client, batch.BatchId, 1000);
        Assert.Equal(Enumerable.Range(0, people), results.Select(r => r.ItemIndex));
        Assert.All(results, r => Assert.Equal(r.ItemIndex % 10 == 9 ? LinkageOutcome.Refused : r.ItemIndex % 2 == 0 ? LinkageOutcome.Provided : LinkageOutcome.NotHeld,
            r.Response.Outcome));

        // The provider was asked more than once for some items, yet the network holds one record per item, none twice.
        Assert.True(h.B.Queries.Count > people - refused);
        Assert.Equal(people - refused, h.B.Queries.Select(q => q.RequestId).Distinct().Count());
        var entries = h.Network.Records.Log.ReadEntries().ToList();
        var records = entries.Select(e => JsonSerializer.Deserialize<ProvisionPayload>(e.Payload, JsonDefaults.Options)!).ToList();
        Assert.Equal(people, records.Count);
        Assert.Equal(people, records.Select(r => r.RequestId).Distinct().Count());
        Assert.Equal(results.Select(r => r.Response.RequestId).Order(), records.Select(r => r.RequestId).Order());
        Assert.Equal(results.Select(r => r.Response.RecordSequence).Order(), entries.Select(e => e.Sequence));
        Assert.True(h.Network.VerifyRecords().IsIntact);
    }

    /// <summary>
    /// A batch of <paramref name="people"/> from A to B: every <paramref name="refusedEvery"/>-th person has no token at B
    /// (0: none), every other one of the rest holds <c>{"n": i}</c> at B. Returns the items and the indexes of those with a
    /// token at B (the ones the network forwards).
    /// </summary>
    private static async Task<(List<BatchLinkageItem> Items, List<int> Forwarded)> PeopleAsync(NetworkHarness h, int first, int people, int refusedEvery = 0)
    {
        var items = new List<BatchLinkageItem>();
        var forwarded = new List<int>();
        for (var i = 0; i < people; i++)
        {
            var person = NetworkHarness.Person(first + i);
            var atA = await h.IssueAsync(h.A, person);
            if (refusedEvery == 0 || i % refusedEvery != refusedEvery - 1)
            {
                var atB = await h.IssueAsync(h.B, person);
                if (i % 2 == 0) h.B.Holdings[atB] = $$"""{"n":{{i}}}""";
                forwarded.Add(i);
            }
            items.Add(new BatchLinkageItem("item-" + i, atA, null));
        }
        return (items, forwarded);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Chunks_in_flight_stay_within_the_setting_and_a_provider_failing_mid_chunk_still_leaves_one_record_per_item(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o =>
        {
            o.ProviderTimeout = TimeSpan.FromSeconds(30);
            o.BulkProviderTimeout = TimeSpan.FromSeconds(30);
            o.BatchChunkSize = 10;
            o.BatchChunksInFlight = 3;
        });
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        const int people = 100;
        var (items, _) = await PeopleAsync(h, 5000, people, refusedEvery: 10);

        // B holds each chunk until three are at it at once (so a fourth would show), and the first four answers die halfway.
        h.B.HoldBulkUntilInFlight = 3;
        h.B.CutBulkAnswers = 4;
        var client = h.ClientOf(h.A);
        var batch = new BatchLinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, row.Affair, NetworkHarness.WardB, row.Kind, null, items);
        await client.SubmitBatchAsync(batch);
        var done = await WaitAsync(client, batch.BatchId, s => s.State == BatchState.Completed);
        Assert.Equal((people, 0), (done.Finished, done.Pending));

        // Three chunks of at most ten were at B at once, never more; the cut ones were asked again.
        Assert.Equal(3, h.B.MostBulkInFlight);
        Assert.All(h.B.BulkQueries, b => Assert.InRange(b.Items.Count, 1, 10));
        Assert.True(h.B.BulkQueries.Count >= 10 + 4, $"{h.B.BulkQueries.Count} bulk requests");

        // Every item once, in item order, whichever chunk finished first.
        var results = await AllResultsAsync(client, batch.BatchId, 7);
        Assert.Equal(Enumerable.Range(0, people), results.Select(r => r.ItemIndex));
        Assert.All(results, r => Assert.Equal(r.ItemIndex % 10 == 9 ? LinkageOutcome.Refused : r.ItemIndex % 2 == 0 ? LinkageOutcome.Provided : LinkageOutcome.NotHeld,
            r.Response.Outcome));
        var entries = h.Network.Records.Log.ReadEntries().ToList();
        var records = entries.Select(e => JsonSerializer.Deserialize<ProvisionPayload>(e.Payload, JsonDefaults.Options)!).ToList();
        Assert.Equal(people, records.Count);
        Assert.Equal(people, records.Select(r => r.RequestId).Distinct().Count());
        Assert.Equal(results.Select(r => r.Response.RecordSequence).Order(), entries.Select(e => e.Sequence));
        Assert.True(h.Network.VerifyRecords().IsIntact);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Results_are_given_in_item_order_only_up_to_the_first_pending_item_so_a_chunk_finishing_late_is_not_passed_over(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o =>
        {
            o.BatchChunkSize = 10;
            o.BatchChunksInFlight = 2;
        });
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        const int people = 20;
        var batch = new BatchLinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, row.Affair, NetworkHarness.WardB, row.Kind, null,
            (await PeopleAsync(h, 6000, people)).Items);

        // B holds the first chunk back until the second has been recorded.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = BatchService.ItemRequestId(batch.BatchId, 0);
        h.B.BeforeBulkAnswer = bulk => bulk.Items.Any(i => i.RequestId == first) ? release.Task : Task.CompletedTask;
        var client = h.ClientOf(h.A);
        await client.SubmitBatchAsync(batch);
        try
        {
            var early = await WaitAsync(client, batch.BatchId, s => s.Finished == 10);
            Assert.Equal((10, 10), (early.Finished, early.Pending));
            Assert.Empty(early.Results);
            Assert.Empty((await client.BatchStatusAsync(new BatchStatusRequest(batch.BatchId, NetworkHarness.WardA, 4))).Results);
        }
        finally
        {
            release.TrySetResult();
        }

        await WaitAsync(client, batch.BatchId, s => s.State == BatchState.Completed);
        var results = await AllResultsAsync(client, batch.BatchId, 7);
        Assert.Equal(Enumerable.Range(0, people), results.Select(r => r.ItemIndex));
        Assert.Equal(people, h.Network.Records.Log.ReadEntries().Count());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_chunk_waits_for_its_provider_as_long_as_the_bulk_timeout_not_the_immediate_one(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o =>
        {
            o.ProviderTimeout = TimeSpan.FromMilliseconds(300);
            o.BulkProviderTimeout = TimeSpan.FromSeconds(30);
        });
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var batch = new BatchLinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, row.Affair, NetworkHarness.WardB, row.Kind, null,
            (await PeopleAsync(h, 7000, 12)).Items);
        h.B.AnswerDelay = TimeSpan.FromSeconds(1); // longer than an immediate query may wait
        var client = h.ClientOf(h.A);
        await client.SubmitBatchAsync(batch);
        var done = await WaitAsync(client, batch.BatchId, s => s.State == BatchState.Completed);

        // Answered at the first attempt: one bulk request, every item provided or not held, none unavailable.
        Assert.Single(h.B.BulkQueries);
        var results = await AllResultsAsync(client, batch.BatchId, 100);
        Assert.All(results, r => Assert.Equal(r.ItemIndex % 2 == 0 ? LinkageOutcome.Provided : LinkageOutcome.NotHeld, r.Response.Outcome));
        Assert.Equal((12, 0), (done.Finished, done.Pending));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_claimed_item_is_skipped_by_other_instances_until_its_claim_lapses_and_is_answered_once(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var store = new NetworkStore(db.Database);
        store.EnsureSchema();
        var batch = new BatchLinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, "affair", NetworkHarness.WardB, "kind", null,
            Enumerable.Range(0, 5).Select(i => new BatchLinkageItem("item-" + i, Token.FromInt64(1000 + i), null)).ToList());
        await store.InsertBatchAsync(batch, "fingerprint", DateTimeOffset.UnixEpoch);
        var now = DateTimeOffset.UnixEpoch.AddHours(1);
        var lease = TimeSpan.FromSeconds(30);

        // One instance claims three items; another gets the other two, then nothing while the claims live.
        Assert.Equal([0, 1, 2], store.ClaimDueItems(batch.BatchId, "first", now, now + lease, 3).Select(i => i.ItemIndex));
        Assert.Equal([3, 4], store.ClaimDueItems(batch.BatchId, "second", now, now + lease, 10).Select(i => i.ItemIndex));
        Assert.Empty(store.ClaimDueItems(batch.BatchId, "second", now + lease / 2, now + lease, 10));
        Assert.Equal(now + lease, store.NextDue(batch.BatchId));

        // The first answers item 0; the second lets its items go; the first's other claims lapse (it died) and are taken over.
        db.Database.InTransaction((c, t) => NetworkStore.CompleteItem(c, t, batch.BatchId, 0, "{}", 1));
        store.ReleaseClaims(batch.BatchId, "second");
        var later = now + lease + TimeSpan.FromSeconds(1);
        Assert.Equal([3, 4], store.ClaimDueItems(batch.BatchId, "third", now, later + lease, 10).Select(i => i.ItemIndex));
        Assert.Equal([1, 2], store.ClaimDueItems(batch.BatchId, "fourth", later, later + lease, 10).Select(i => i.ItemIndex));

        // An answered item is never answered again: the second completion throws (and so rolls back its record's transaction).
        Assert.Throws<BatchItemAlreadyAnsweredException>(() =>
            db.Database.InTransaction((c, t) => NetworkStore.CompleteItem(c, t, batch.BatchId, 0, "{}", 2)));
        Assert.Equal((1, 4), await store.CountItemsAsync(batch.BatchId));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Malformed_or_foreign_batches_are_refused(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var client = h.ClientOf(h.A);
        var token = Token.FromInt64(1);
        BatchLinkageRequest Batch(IReadOnlyList<BatchLinkageItem> items) =>
            new(Guid.NewGuid(), NetworkHarness.WardA, "affair", NetworkHarness.WardB, "kind", null, items);

        var empty = await Assert.ThrowsAsync<NetworkException>(() => client.SubmitBatchAsync(Batch([])));
        Assert.Equal("invalid-request", empty.Code);
        var tooMany = await Assert.ThrowsAsync<NetworkException>(() => client.SubmitBatchAsync(
            Batch(Enumerable.Range(0, NetworkRoutes.MaxLinkageBatch + 1).Select(i => new BatchLinkageItem("i" + i, token, null)).ToList())));
        Assert.Equal("batch-too-large", tooMany.Code);
        var twice = await Assert.ThrowsAsync<NetworkException>(() => client.SubmitBatchAsync(
            Batch([new BatchLinkageItem("x", token, null), new BatchLinkageItem("x", token, null)])));
        Assert.Equal("duplicate-item-id", twice.Code);

        var mine = Batch([new BatchLinkageItem("x", token, null)]);
        await client.SubmitBatchAsync(mine);
        // Another ward can neither poll A's batch nor submit in A's name.
        var b = h.ClientOf(h.B);
        var foreign = await Assert.ThrowsAsync<NetworkException>(() => b.BatchStatusAsync(new BatchStatusRequest(mine.BatchId, NetworkHarness.WardB)));
        Assert.Equal("unknown-batch", foreign.Code);
        var impostor = await Assert.ThrowsAsync<NetworkException>(() => b.SubmitBatchAsync(Batch([new BatchLinkageItem("x", token, null)])));
        Assert.Equal("sender-mismatch", impostor.Code);
    }
}
