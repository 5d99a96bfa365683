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
}
