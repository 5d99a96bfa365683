using System.Net;
using System.Net.Http.Json;
using Renkei.Core.Audit;
using Renkei.Infrastructure.Audit;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;
using Renkei.Network.Storage;
using Renkei.Network.Tests.Linkage;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Citizen;

/// <summary>
/// The provision records' log read by anyone (issue 19): the latest signed head and consistency proofs between heads are
/// public GETs with no personal data; a head kept earlier is proven a prefix of a later one, and a bad request is refused
/// naming what was wrong. The refusals read an empty log: they share one network.
/// </summary>
public sealed class ProvisionLogTests(SharedCountry<NetworkHarness> empty) : IClassFixture<SharedCountry<NetworkHarness>>
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Anyone_can_fetch_the_head_and_prove_that_a_later_head_extends_a_kept_one(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o => o.TreeHeadInterval = TimeSpan.Zero);
        var (token, LinkAsync) = await LinkingPersonAsync(h, 70);

        // No certificate, no signature: a monitor on the internet.
        using var anyone = new HttpClient { BaseAddress = h.Network.BaseAddress };
        await LinkAsync();
        await LinkAsync();
        var kept = await anyone.GetFromJsonAsync<ProvisionTreeHead>(ProvisionLogRoutes.LatestHead, JsonDefaults.Options);
        Assert.Equal(2, kept!.TreeSize);
        AssertSigned(kept, h);
        for (var i = 0; i < 5; i++) await LinkAsync();
        var later = await anyone.GetFromJsonAsync<ProvisionTreeHead>(ProvisionLogRoutes.LatestHead, JsonDefaults.Options);
        Assert.Equal(7, later!.TreeSize);
        AssertSigned(later, h);

        var proof = await anyone.GetFromJsonAsync<ConsistencyProof>($"{ProvisionLogRoutes.Consistency}?first={kept.TreeSize}&second={later.TreeSize}",
            JsonDefaults.Options);
        Assert.Equal((2L, 7L), (proof!.FirstSize, proof.SecondSize));
        var path = proof.Path.Select(Convert.FromHexString).ToList();
        Assert.True(MerkleTree.VerifyConsistency(kept.TreeSize, later.TreeSize, Convert.FromHexString(kept.RootHash), Convert.FromHexString(later.RootHash), path));
        // A root the kept head did not have (a log rewritten before size 2) does not verify.
        var other = Convert.FromHexString(kept.RootHash);
        other[0] ^= 1;
        Assert.False(MerkleTree.VerifyConsistency(kept.TreeSize, later.TreeSize, other, Convert.FromHexString(later.RootHash), path));

        // Equal sizes: an empty proof; the heads themselves hold no token, number or name.
        var same = await anyone.GetFromJsonAsync<ConsistencyProof>($"{ProvisionLogRoutes.Consistency}?first=7&second=7", JsonDefaults.Options);
        Assert.Empty(same!.Path);
        var text = await anyone.GetStringAsync(ProvisionLogRoutes.LatestHead);
        Assert.DoesNotContain(token.ToString(), text);
    }

    [Theory]
    [InlineData("", "first と second に0以上の整数を指定してください")]
    [InlineData("?first=1", "first と second に0以上の整数を指定してください")]
    [InlineData("?first=-1&second=2", "first と second に0以上の整数を指定してください")]
    [InlineData("?first=1e3&second=2", "first と second に0以上の整数を指定してください")]
    [InlineData("?first=1&first=2&second=3", "first と second に0以上の整数を指定してください")]
    [InlineData("?first=3&second=2", "first は second 以下にしてください")]
    public async Task A_bad_query_is_refused_naming_what_is_wrong_without_echoing_it(string query, string expected)
    {
        var h = await empty.For("sqlite", p => NetworkHarness.StartAsync(p));
        using var anyone = new HttpClient { BaseAddress = h.Network.BaseAddress };
        using var response = await anyone.GetAsync(ProvisionLogRoutes.Consistency + query);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, body);
        Assert.DoesNotContain("1e3", body);
    }

    [Fact]
    public async Task A_size_beyond_the_latest_head_is_not_found()
    {
        var h = await empty.For("sqlite", p => NetworkHarness.StartAsync(p));
        using var anyone = new HttpClient { BaseAddress = h.Network.BaseAddress };
        using var response = await anyone.GetAsync($"{ProvisionLogRoutes.Consistency}?first=0&second=5");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("beyond-latest-head", await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Issue 19: an edit made while the network was stopped is not covered by a freshly signed head. A record rewritten with
    /// the hash chain recomputed is caught by the signed checkpoints; with the checkpoints deleted too, by the tree head the
    /// network kept. Either way the network does not start.
    /// </summary>
    [Theory]
    [InlineData("sqlite", false)]
    [InlineData("postgres", false)]
    [InlineData("sqlite", true)]
    public async Task A_log_edited_while_the_network_was_stopped_is_refused_at_start(string provider, bool checkpointsDeletedToo)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o => o.TreeHeadInterval = TimeSpan.Zero);
        var (_, LinkAsync) = await LinkingPersonAsync(h, 71);
        for (var i = 0; i < 4; i++) await LinkAsync();
        using (var anyone = new HttpClient { BaseAddress = h.Network.BaseAddress })
            Assert.Equal(4, (await anyone.GetFromJsonAsync<ProvisionTreeHead>(ProvisionLogRoutes.LatestHead, JsonDefaults.Options))!.TreeSize);
        await h.Network.DisposeAsync();

        // Record 2 says 板橋区 asked instead of 品川区; the chain is recomputed from there on.
        var database = h.Database.Database;
        var original = h.Network.Records.Log.ReadEntries(1).ToList();
        Tamper.RewriteFrom(database, NetworkStore.RecordsTable, original, 2, original.Skip(1).Select(e => (AuditTime.FromMicros(e.RecordedAtMicros),
            e.Sequence == 2 ? System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(e.Payload).Replace(NetworkHarness.WardA, "131199", StringComparison.Ordinal)) : e.Payload)));
        if (checkpointsDeletedToo)
        {
            Tamper.DropGuards(database, NetworkStore.RecordsTable + "_checkpoints");
            Tamper.Sql(database, $"DELETE FROM {NetworkStore.RecordsTable}_checkpoints");
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(h.StartNetworkAsync);
        Assert.Contains("does not start", refused.Message);
        Assert.Contains(checkpointsDeletedToo ? "no longer have the root of the tree head the network signed" : "damaged at record 2", refused.Message);
    }

    /// <summary>A person with tokens at both wards, and a linkage from ward A to ward B about them that each call records once.</summary>
    internal static async Task<(Token Token, Func<Task> LinkAsync)> LinkingPersonAsync(NetworkHarness h, int person)
    {
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var a = h.ClientOf(h.A);
        var token = await h.IssueAsync(h.A, NetworkHarness.Person(person));
        await h.IssueAsync(h.B, NetworkHarness.Person(person));
        return (token, () => a.LinkageAsync(new LinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, token, row.Affair, NetworkHarness.WardB, row.Kind, null, null)));
    }

    private static void AssertSigned(ProvisionTreeHead head, NetworkHarness h)
    {
        using var key = RequestSignature.ImportPublicKey(h.Network.LogPublicKey);
        Assert.True(RequestSignature.VerifyText(key, ProvisionTreeHead.SignedText(head.TreeSize, head.RootHash, head.SignedAt), head.Signature));
    }
}
