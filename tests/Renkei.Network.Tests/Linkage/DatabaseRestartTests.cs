using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Network.Contracts;
using Renkei.Network.Records;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Linkage;

/// <summary>
/// Issue 18's drill "restart PostgreSQL during load", on a cluster of the test's own: while the server is down the network
/// reports not-ready and refuses linkages cleanly; when it is back the network reconnects by itself, every retried request
/// gets one answer and one provision record, and the chain is intact. Nothing is half-written.
/// </summary>
public sealed class DatabaseRestartTests
{
    private static async Task<HttpStatusCode> ReadyAsync(NetworkHarness h)
    {
        using var http = new HttpClient { BaseAddress = h.Network.BaseAddress, Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.GetAsync("health/ready");
        return response.StatusCode;
    }

    [Fact]
    public async Task A_postgres_restart_under_load_makes_the_network_not_ready_then_it_reconnects_and_loses_and_doubles_nothing()
    {
        using var server = PrivatePostgres.Start();
        await using var h = await NetworkHarness.StartAsync(TestDatabase.CreatePostgres(server.ConnectionString));
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var person = NetworkHarness.Person(31);
        var token = await h.IssueAsync(h.A, person);
        h.B.Holdings[await h.IssueAsync(h.B, person)] = """{"a":1}""";
        var client = h.ClientOf(h.A);
        Assert.Equal(HttpStatusCode.OK, await ReadyAsync(h));

        // 4 workers send 160 linkages, each retried with its own request id until answered; the server stops after 40.
        var requests = Enumerable.Range(0, 160).Select(_ => new LinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, token, row.Affair,
            NetworkHarness.WardB, row.Kind, null, null)).ToList();
        var queue = new ConcurrentQueue<LinkageRequest>(requests);
        var answers = new ConcurrentDictionary<Guid, LinkageResponse>();
        var refusedWhileDown = 0;
        var down = new TaskCompletionSource();
        var back = new TaskCompletionSource();
        var workers = Enumerable.Range(0, 4).Select(async _ =>
        {
            while (queue.TryDequeue(out var request))
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        answers[request.RequestId] = await client.LinkageAsync(request);
                        break;
                    }
                    catch (Exception e) when (attempt < 100 && e is NetworkException or HttpRequestException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref refusedWhileDown);
                        await Task.Delay(100);
                    }
                }
                if (answers.Count >= 40 && down.TrySetResult())
                {
                    server.Stop();
                    // Down: not ready, and requests fail cleanly (the workers retry them) instead of hanging.
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadyAsync(h));
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    server.Restart();
                    back.TrySetResult();
                }
            }
        }).ToList();
        await Task.WhenAll(workers);

        Assert.True(back.Task.IsCompleted, "the server was restarted during the load");
        Assert.True(refusedWhileDown > 0, "some requests failed while the database was down and were retried");
        Assert.Equal(HttpStatusCode.OK, await ReadyAsync(h));
        Assert.Equal(requests.Count, answers.Count);
        Assert.All(answers.Values, a => Assert.Equal(LinkageOutcome.Provided, a.Outcome));

        // One record per request id, each answer's sequence the record of its request, and the chain intact.
        var records = h.Network.Records.Log.ReadEntries()
            .Select(e => (e.Sequence, Payload: JsonSerializer.Deserialize<ProvisionPayload>(e.Payload, JsonDefaults.Options)!)).ToList();
        Assert.Equal(requests.Select(r => r.RequestId).Order(), records.Select(r => r.Payload.RequestId).Order());
        Assert.All(answers, a => Assert.Equal(a.Key, records.Single(r => r.Sequence == a.Value.RecordSequence).Payload.RequestId));
        Assert.True(h.Network.VerifyRecords().IsIntact);
    }
}
