using System.Net.Http.Json;
using Renkei.Core.Audit;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Infrastructure.Signing;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Citizen;

/// <summary>
/// The network's log-signing key, separate from its request key (issue 19): a network whose log its request key signed
/// (as every network did before it had a log-signing key) starts with a new log key, keeps its older checkpoints valid,
/// and serves its kept size again under a head the new key signed; a head signed with the request key does not verify
/// under the published log key.
/// </summary>
public sealed class LogSigningKeyTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_network_whose_request_key_signed_its_log_starts_with_its_own_log_key_and_the_heads_go_on(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider, o => o.TreeHeadInterval = TimeSpan.Zero);
        var logKeyFile = Path.Combine(h.KeyDirectory, InstitutionKeys.LogSigningKeyFileName);
        Assert.NotEqual(h.Network.SigningPublicKey, h.Network.LogPublicKey);

        // Before the upgrade: the request key signed the log (stood up here by putting it where the log key goes).
        await h.Network.DisposeAsync();
        File.Delete(logKeyFile);
        File.Copy(Path.Combine(h.KeyDirectory, InstitutionKeys.SigningKeyFileName), logKeyFile);
        await h.StartNetworkAsync();
        Assert.Equal(h.Network.SigningPublicKey, h.Network.LogPublicKey);
        var (_, linkBefore) = await ProvisionLogTests.LinkingPersonAsync(h, 81);
        for (var i = 0; i < 3; i++) await linkBefore();
        var old = await LatestHeadAsync(h);
        Assert.Equal(3, old.TreeSize);
        await h.Network.DisposeAsync(); // a last checkpoint, signed with the request key

        // The upgrade: no log-signing.key, so the network creates its own at start.
        File.Delete(logKeyFile);
        await h.StartNetworkAsync();
        Assert.NotEqual(h.Network.SigningPublicKey, h.Network.LogPublicKey);
        Assert.True(h.Network.VerifyRecords().IsIntact); // the older checkpoints still count: the request key signed them

        var again = await LatestHeadAsync(h);
        Assert.Equal((3L, old.RootHash, h.Network.LogPublicKey), (again.TreeSize, again.RootHash, again.NetworkPublicKey));
        Assert.True(SignedWith(h.Network.LogPublicKey, again));
        Assert.False(SignedWith(h.Network.LogPublicKey, old)); // the old head is not served again: the published key would refuse it
        Assert.False(SignedWith(h.Network.SigningPublicKey, again));

        var (_, linkAfter) = await ProvisionLogTests.LinkingPersonAsync(h, 82);
        await linkAfter();
        var later = await LatestHeadAsync(h);
        Assert.Equal(4, later.TreeSize);
        Assert.True(SignedWith(h.Network.LogPublicKey, later));
        using var anyone = new HttpClient { BaseAddress = h.Network.BaseAddress };
        var proof = await anyone.GetFromJsonAsync<ConsistencyProof>($"{ProvisionLogRoutes.Consistency}?first=3&second=4", JsonDefaults.Options);
        Assert.True(MerkleTree.VerifyConsistency(3, 4, Convert.FromHexString(old.RootHash), Convert.FromHexString(later.RootHash),
            proof!.Path.Select(Convert.FromHexString).ToList()));

        // Restarted once more: the start-up check passes over checkpoints of both keys.
        await h.RestartNetworkAsync();
        Assert.True(h.Network.VerifyRecords().IsIntact);
        Assert.Equal(later.RootHash, (await LatestHeadAsync(h)).RootHash);
    }

    private static async Task<ProvisionTreeHead> LatestHeadAsync(NetworkHarness h)
    {
        using var anyone = new HttpClient { BaseAddress = h.Network.BaseAddress };
        return (await anyone.GetFromJsonAsync<ProvisionTreeHead>(ProvisionLogRoutes.LatestHead, JsonDefaults.Options))!;
    }

    private static bool SignedWith(string publicKey, ProvisionTreeHead head)
    {
        using var key = RequestSignature.ImportPublicKey(publicKey);
        return RequestSignature.VerifyText(key, ProvisionTreeHead.SignedText(head.TreeSize, head.RootHash, head.SignedAt), head.Signature);
    }
}
