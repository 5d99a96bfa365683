using Renkei.TestSupport;

namespace Renkei.Portal.Tests;

/// <summary>The portal trusts no key a tree head carries: without the network's pinned signing key it does not start (issue 19).</summary>
public sealed class PortalStartTests
{
    [Fact]
    public async Task A_portal_without_the_networks_pinned_key_does_not_start()
    {
        using var directory = new TempDirectory();
        var options = new PortalServiceOptions("PORTAL", "マイナポータル", directory.File("keys"), new Uri("http://127.0.0.1:9/"), new Uri("http://127.0.0.1:9/"));
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => PortalService.StartAsync(options));
        Assert.Contains("NetworkSigningPublicKey", refused.Message);
        Assert.False(Directory.Exists(directory.File("keys")), "a portal that did not start made no keys");
    }
}
