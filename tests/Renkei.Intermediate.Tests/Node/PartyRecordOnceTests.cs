using System.Security.Cryptography;
using Renkei.Core.Numbers;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Copies;
using Renkei.Intermediate.Records;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Xunit;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Tests.Node;

/// <summary>
/// <see cref="PartyRecordLog.OnceAsync"/> on its own: a first attempt writes its claim with its record (one transaction),
/// so attempts racing in one process or in two processes on the same database record a request once and agree on the answer.
/// </summary>
public sealed class PartyRecordOnceTests
{
    private const string Holder = "131091";

    private static PartyRecordEntry Entry(Guid requestId) => new(PartyRole.Provider, requestId, null, "131113", Holder, "child-allowance",
        "resident-basic", ProvisionResult.Provided, null, Token.FromInt64(1_310_910_000_000_007));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Racing_first_attempts_in_two_processes_record_once_and_both_return_the_first_committed_answer(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var first = new PartyRecordLog(database.Database, Holder, key);
        await using var second = new PartyRecordLog(database.Database, Holder, key); // another process on the same database
        first.EnsureSchema();
        var requestId = Guid.NewGuid();
        var bothWorking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var working = 0;

        Func<Task<(string, PartyRecordEntry?)>> Work(string answer) => async () =>
        {
            if (Interlocked.Increment(ref working) == 2) bothWorking.SetResult();
            await bothWorking.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return (answer, Entry(requestId));
        };
        var a = first.OnceAsync(PartyRole.Provider, requestId, "fp", Work("answer A"));
        var b = second.OnceAsync(PartyRole.Provider, requestId, "fp", Work("answer B"));
        var results = await Task.WhenAll(a, b);

        Assert.Equal(2, working); // both did the work: neither claim was visible before the other's work
        Assert.Equal(results[0], results[1]);
        Assert.Contains(results[0].Answer, new[] { "answer A", "answer B" });
        var records = first.Read().Where(r => r.Entry.RequestId == requestId).ToList();
        Assert.Equal(results[0].RecordSequence, Assert.Single(records).Stored.Sequence);
        Assert.True(first.Verify().IsIntact);

        // A later retry gets the stored answer without working; another request under the same id is refused.
        var retried = await second.OnceAsync(PartyRole.Provider, requestId, "fp",
            () => Task.FromException<(string, PartyRecordEntry?)>(new InvalidOperationException("must not run")));
        Assert.Equal(results[0], retried);
        var reused = await Assert.ThrowsAsync<RefusalException>(() => first.OnceAsync(PartyRole.Provider, requestId, "other",
            () => Task.FromResult(("x", (PartyRecordEntry?)Entry(requestId)))));
        Assert.Equal("request-id-reused", reused.Code);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_retry_while_the_first_attempt_works_is_refused_and_a_failed_attempt_leaves_nothing_behind(string provider)
    {
        using var database = TestDatabase.Create(provider);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var log = new PartyRecordLog(database.Database, Holder, key);
        log.EnsureSchema();
        var requestId = Guid.NewGuid();
        var working = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = log.OnceAsync(PartyRole.Provider, requestId, "fp", async () =>
        {
            working.SetResult();
            await release.Task;
            return ("answer", (PartyRecordEntry?)Entry(requestId));
        });
        await working.Task; // the claim is read asynchronously: wait until the first attempt is at its work
        var busy = await Assert.ThrowsAsync<RefusalException>(() => log.OnceAsync(PartyRole.Provider, requestId, "fp",
            () => Task.FromResult(("other", (PartyRecordEntry?)Entry(requestId)))));
        Assert.Equal("request-in-progress", busy.Code);
        release.SetResult();
        Assert.Equal("answer", (await running).Answer);

        var failing = Guid.NewGuid();
        await Assert.ThrowsAsync<InvalidOperationException>(() => log.OnceAsync(PartyRole.Provider, failing, "fp",
            () => Task.FromException<(string, PartyRecordEntry?)>(new InvalidOperationException("provider failed"))));
        Assert.DoesNotContain(log.Read(), r => r.Entry.RequestId == failing);
        var again = await log.OnceAsync(PartyRole.Provider, failing, "fp", () => Task.FromResult(("recovered", (PartyRecordEntry?)Entry(failing))));
        Assert.Equal("recovered", again.Answer);
        Assert.Single(log.Read(), r => r.Entry.RequestId == failing);
    }
    /// <summary>Two logs of one holder over one throw-away database, as two processes would open them.</summary>
    private sealed class Logs : IAsyncDisposable
    {
        private readonly TestDatabase _database;
        private readonly ECDsa _key;

        private Logs(TestDatabase database, ECDsa key)
        {
            (_database, _key) = (database, key);
            First = new PartyRecordLog(database.Database, Holder, key);
            Second = new PartyRecordLog(database.Database, Holder, key);
            First.EnsureSchema();
        }

        public PartyRecordLog First { get; }
        public PartyRecordLog Second { get; }

        public static Logs Open(string provider) => new(TestDatabase.Create(provider), ECDsa.Create(ECCurve.NamedCurves.nistP256));

        public async ValueTask DisposeAsync()
        {
            await First.DisposeAsync();
            await Second.DisposeAsync();
            _key.Dispose();
            _database.Dispose();
        }
    }

    private static List<Guid> NewIds(int count) => Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToList();

    /// <summary>The work of <see cref="PartyRecordLog.OnceManyAsync"/> for <paramref name="ids"/>: "label:index" per request asked, and the indexes it was asked for.</summary>
    private static Func<IReadOnlyList<int>, Task<IReadOnlyList<(string, PartyRecordEntry)>>> ManyWork(IReadOnlyList<Guid> ids, string label,
        List<int>? asked = null, Func<Task>? before = null) => async indexes =>
    {
        if (before is not null) await before();
        lock (ids) asked?.AddRange(indexes);
        return indexes.Select(i => ($"{label}:{i}", Entry(ids[i]))).ToList();
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Many_at_once_works_only_the_new_requests_returns_stored_answers_and_refuses_a_reused_id_alone(string provider)
    {
        await using var logs = Logs.Open(provider);
        var (log, ids) = (logs.First, NewIds(5));
        // Before the chunk: request 1 answered alone, request 3 answered alone for other content.
        var earlier = await log.OnceAsync(PartyRole.Provider, ids[1], "fp", () => Task.FromResult(("alone", (PartyRecordEntry?)Entry(ids[1]))));
        await log.OnceAsync(PartyRole.Provider, ids[3], "other", () => Task.FromResult(("other", (PartyRecordEntry?)Entry(ids[3]))));

        var asked = new List<int>();
        var outcomes = await log.OnceManyAsync(PartyRole.Provider, ids.Select(id => (id, "fp")).ToList(), ManyWork(ids, "chunk", asked));

        Assert.Equal([0, 2, 4], asked.Order()); // worked once, for the new requests only
        Assert.Equal(["chunk:0", "alone", "chunk:2", null, "chunk:4"], outcomes.Select(o => o.Answer));
        Assert.Equal(earlier.RecordSequence, outcomes[1].RecordSequence);
        Assert.Equal("request-id-reused", outcomes[3].Refusal!.Code);
        Assert.All(outcomes.Where((_, i) => i != 3), o => Assert.Null(o.Refusal));
        var records = log.Read().ToList();
        Assert.Equal(ids.Order(), records.Select(r => r.Entry.RequestId).Order()); // one record each, the reused id's from before
        foreach (var i in new[] { 0, 1, 2, 4 })
            Assert.Equal(outcomes[i].RecordSequence, records.Single(r => r.Entry.RequestId == ids[i]).Stored.Sequence);
        Assert.True(log.Verify().IsIntact);

        // Sent again: every answer as stored, no work, no record; the single route agrees.
        var again = await log.OnceManyAsync(PartyRole.Provider, ids.Select(id => (id, "fp")).ToList(),
            _ => Task.FromException<IReadOnlyList<(string, PartyRecordEntry)>>(new InvalidOperationException("must not run")));
        Assert.Equal(outcomes.Select(o => (o.Answer, o.RecordSequence, o.Refusal?.Code)), again.Select(o => (o.Answer, o.RecordSequence, o.Refusal?.Code)));
        var single = await log.OnceAsync(PartyRole.Provider, ids[2], "fp",
            () => Task.FromException<(string, PartyRecordEntry?)>(new InvalidOperationException("must not run")));
        Assert.Equal(("chunk:2", outcomes[2].RecordSequence), single);
        Assert.Equal(5, log.Read().Count());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Overlapping_chunks_at_once_in_two_processes_record_each_request_once_and_agree_on_the_answers(string provider)
    {
        await using var logs = Logs.Open(provider);
        var (first, second) = (logs.First, logs.Second); // two processes on the same database
        var ids = NewIds(6);
        var bothWorking = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var working = 0;
        async Task BothAtWork()
        {
            if (Interlocked.Increment(ref working) == 2) bothWorking.SetResult();
            await bothWorking.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        // Chunk A is requests 0-3, chunk B requests 2-5: both look up before either records, so both work 2 and 3.
        var a = first.OnceManyAsync(PartyRole.Provider, ids.Take(4).Select(id => (id, "fp")).ToList(), ManyWork(ids, "A", before: BothAtWork));
        var bIds = ids.Skip(2).ToList();
        var b = second.OnceManyAsync(PartyRole.Provider, bIds.Select(id => (id, "fp")).ToList(), ManyWork(bIds, "B", before: BothAtWork));
        var (outA, outB) = (await a, await b);

        Assert.Equal(2, working);
        Assert.All(outA.Concat(outB), o => Assert.Null(o.Refusal));
        var records = first.Read().ToList();
        Assert.Equal(ids.Order(), records.Select(r => r.Entry.RequestId).Order()); // six requests, six records
        foreach (var (inA, inB) in new[] { (2, 0), (3, 1) })
        {
            Assert.Equal((outA[inA].Answer, outA[inA].RecordSequence), (outB[inB].Answer, outB[inB].RecordSequence));
            Assert.Equal(records.Single(r => r.Entry.RequestId == ids[inA]).Stored.Sequence, outA[inA].RecordSequence);
        }
        Assert.True(first.Verify().IsIntact);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Overlapping_chunks_at_once_in_one_process_record_each_request_once_and_refuse_the_overlap_while_it_works(string provider)
    {
        var atWork = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var logs = Logs.Open(provider);
        var (log, ids) = (logs.First, NewIds(6));
        var a = log.OnceManyAsync(PartyRole.Provider, ids.Take(4).Select(id => (id, "fp")).ToList(), ManyWork(ids, "A", before: async () =>
        {
            atWork.SetResult();
            await release.Task;
        }));
        await atWork.Task;
        var bIds = ids.Skip(2).ToList();
        var asked = new List<int>();
        var outB = await log.OnceManyAsync(PartyRole.Provider, bIds.Select(id => (id, "fp")).ToList(), ManyWork(bIds, "B", asked));
        release.SetResult();
        var outA = await a;

        Assert.Equal([2, 3], asked.Order()); // B worked its own requests only
        Assert.Equal(["request-in-progress", "request-in-progress", null, null], outB.Select(o => o.Refusal?.Code));
        Assert.All(outA, o => Assert.Null(o.Refusal));
        Assert.Equal(ids.Order(), log.Read().Select(r => r.Entry.RequestId).Order());
        // The network asks B's refused items again: A's answers, as stored.
        var retried = await log.OnceManyAsync(PartyRole.Provider, bIds.Take(2).Select(id => (id, "fp")).ToList(), ManyWork(bIds, "B"));
        Assert.Equal(outA.Skip(2).Select(o => (o.Answer, o.RecordSequence)), retried.Select(o => (o.Answer, o.RecordSequence)));
        Assert.Equal(6, log.Read().Count());
        Assert.True(log.Verify().IsIntact);
    }
}
