using System.Net;
using System.Net.Http.Json;
using Renkei.Core.Audit;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Network.Contracts;
using Renkei.Network.Tests.Linkage;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Citizen;

/// <summary>
/// The provision records' log read by anyone (issue 19): the latest signed head and consistency proofs between heads are
/// public GETs with no personal data; a head kept earlier is proven a prefix of a later one, and a bad request is refused
/// naming what was wrong.
/// </summary>
public sealed class ProvisionLogTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Anyone_can_fetch_the_head_and_prove_that_a_later_head_extends_a_kept_one(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o => o with { TreeHeadInterval = TimeSpan.Zero });
        var row = PolicyChoice.Allowed(h.Network.Policy, InstitutionClass.Municipality, InstitutionClass.Municipality);
        var a = h.ClientOf(h.A);
        var person = NetworkHarness.Person(70);
        var token = await h.IssueAsync(h.A, person);
        await h.IssueAsync(h.B, person);
        async Task LinkAsync() =>
            await a.LinkageAsync(new LinkageRequest(Guid.NewGuid(), NetworkHarness.WardA, token, row.Affair, NetworkHarness.WardB, row.Kind, null, null));

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
    [InlineData("", "first and second are required")]
    [InlineData("?first=1", "first and second are required")]
    [InlineData("?first=-1&second=2", "first and second are required")]
    [InlineData("?first=1e3&second=2", "first and second are required")]
    [InlineData("?first=1&first=2&second=3", "first and second are required")]
    [InlineData("?first=3&second=2", "first must not be larger than second")]
    public async Task A_bad_query_is_refused_naming_what_is_wrong_without_echoing_it(string query, string expected)
    {
        await using var h = await NetworkHarness.StartAsync("sqlite");
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
        await using var h = await NetworkHarness.StartAsync("sqlite");
        using var anyone = new HttpClient { BaseAddress = h.Network.BaseAddress };
        using var response = await anyone.GetAsync($"{ProvisionLogRoutes.Consistency}?first=0&second=5");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("beyond-latest-head", await response.Content.ReadAsStringAsync());
    }

    private static void AssertSigned(ProvisionTreeHead head, NetworkHarness h)
    {
        using var key = RequestSignature.ImportPublicKey(h.Network.SigningPublicKey);
        Assert.True(RequestSignature.VerifyText(key, ProvisionTreeHead.SignedText(head.TreeSize, head.RootHash, head.SignedAt), head.Signature));
    }
}
