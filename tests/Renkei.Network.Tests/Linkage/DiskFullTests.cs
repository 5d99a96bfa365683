using System.Net;
using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Network.Contracts;
using Renkei.Network.Records;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Linkage;

/// <summary>
/// Issue 18's drill "disk full": the network's SQLite database on a small tmpfs that is then filled. Linkages are refused
/// with 503 <c>storage-unavailable</c> (nothing half-written), the network reports itself not ready (<c>storage</c>), and once
/// space is freed the same request ids are answered with one record each and the chain is intact.
/// </summary>
public sealed class DiskFullTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(NetworkHarness h)
    {
        using var http = new HttpClient { BaseAddress = h.Network.BaseAddress };
        using var response = await http.GetAsync("health/ready");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.Clone());
    }

    [Fact]
    public async Task A_full_disk_refuses_linkages_cleanly_reports_not_ready_and_loses_nothing_when_space_returns()
    {
        using var disk = TmpfsMount.Create(kilobytes: 8 * 1024);
        await using var h = await NetworkHarness.StartAsync(TestDatabase.CreateSqliteIn(disk.Path));
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var person = NetworkHarness.Person(41);
        var token = await h.IssueAsync(h.A, person);
        h.B.Holdings[await h.IssueAsync(h.B, person)] = """{"a":1}""";
        var client = h.ClientOf(h.A);
        LinkageRequest Query() => new(Guid.NewGuid(), NetworkHarness.WardA, token, row.Affair, NetworkHarness.WardB, row.Kind, null, null);
        var before = await client.LinkageAsync(Query());
        Assert.Equal(LinkageOutcome.Provided, before.Outcome);
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(h)).Status);

        disk.Fill("filler");
        var (status, body) = await ReadyAsync(h);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "failed"), (status, body.GetProperty("checks").GetProperty("storage").GetString()));
        // SQLite may still fit a few writes into WAL pages it already holds: those are answered and recorded; every one
        // refused is refused as storage-unavailable, and five refusals must come within 200 requests.
        var answeredWhileFull = new List<LinkageRequest>();
        var refusedRequests = new List<LinkageRequest>();
        for (var attempt = 0; refusedRequests.Count < 5; attempt++)
        {
            Assert.True(attempt < 200, "the full disk refused fewer than five linkages in 200");
            var request = Query();
            try
            {
                await client.LinkageAsync(request);
                answeredWhileFull.Add(request);
            }
            catch (NetworkException refused)
            {
                Assert.Equal((HttpStatusCode.ServiceUnavailable, "storage-unavailable"), (refused.Status, refused.Code));
                refusedRequests.Add(request);
            }
        }

        disk.Free("filler");
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(h)).Status);
        var answers = new List<LinkageResponse>();
        foreach (var request in refusedRequests) answers.Add(await client.LinkageAsync(request));
        Assert.All(answers, a => Assert.Equal(LinkageOutcome.Provided, a.Outcome));

        // One record per request id, the refused attempts left nothing behind, and the chain verifies.
        var records = h.Network.Records.Log.ReadEntries().Select(e => JsonSerializer.Deserialize<ProvisionPayload>(e.Payload, JsonDefaults.Options)!.RequestId).ToList();
        Assert.Equal(new[] { before.RequestId }.Concat(answeredWhileFull.Concat(refusedRequests).Select(r => r.RequestId)).Order(), records.Order());
        Assert.True(h.Network.VerifyRecords().IsIntact);
    }
}
