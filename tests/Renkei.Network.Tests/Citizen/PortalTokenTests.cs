using System.Net;
using System.Security.Cryptography;
using Renkei.Core.Crypto;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Citizen;

/// <summary>The portal's token: issued on J-LIS's request, sealed to the portal (it has no node), recorded as issued.</summary>
public sealed class PortalTokenTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_portals_token_comes_back_sealed_to_the_portal_only_and_the_same_on_a_retry(string provider)
    {
        await using var h = await NetworkHarness.StartAsync(provider);
        var jlis = h.Client(NetworkHarness.JlisCode, h.Jlis);
        var person = NetworkHarness.Person(70);
        var request = new IssueTokenRequest(Guid.NewGuid(), NetworkHarness.PortalCode, person);

        var first = await jlis.IssueTokenAsync(request);
        Assert.Equal((request.RequestId, false), (first.RequestId, first.Delivered));
        Assert.NotNull(first.SealedToken);
        var token = h.OpenPortalToken(first);
        Assert.Equal(h.Network.Tokens.TokenFor(h.Network.Tokens.DeriveIdCode(person), NetworkHarness.PortalCode), token);

        // Only the portal's sealing key opens it, and only under this request id and portal.
        Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(h.A.Keys.Sealing, first.SealedToken!,
            MessageSealing.AssociatedData(IssueTokenResponse.PortalTokenContext(request.RequestId, NetworkHarness.PortalCode))));
        Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(h.Portal.Keys.Sealing, first.SealedToken!,
            MessageSealing.AssociatedData(IssueTokenResponse.PortalTokenContext(Guid.NewGuid(), NetworkHarness.PortalCode))));

        // A retry returns the first answer; the same id for another person is refused.
        var retry = await jlis.IssueTokenAsync(request);
        Assert.Equal(first, retry);
        var reused = await Assert.ThrowsAsync<NetworkException>(() => jlis.IssueTokenAsync(request with { ResidentCode = NetworkHarness.Person(71) }));
        Assert.Equal((HttpStatusCode.Conflict, "request-id-reused"), (reused.Status, reused.Code));

        // Issued like any token: the portal may now ask about the person, and a new request gives the same token.
        var records = await h.ClientOf(h.Portal).ProvisionRecordsAsync(new ProvisionRecordQuery(NetworkHarness.PortalCode, token, null, null));
        Assert.Empty(records.Records);
        Assert.Equal(token, await h.IssueAsync(h.Portal, person));

        // The token never crossed in clear on J-LIS's side (the portal itself sends it in its own queries' bodies).
        var issuance = h.Tap.Messages.Where(m => m.Route == NetworkRoutes.IssueToken).ToList();
        Assert.Equal(4, issuance.Count);
        Assert.All(issuance, m => Assert.DoesNotContain(token.Digits, m.Body));
        // Only J-LIS asks for tokens, the portal included.
        var notJlis = await Assert.ThrowsAsync<NetworkException>(() => h.ClientOf(h.Portal).IssueTokenAsync(request with { RequestId = Guid.NewGuid() }));
        Assert.Equal("numbering-authority-only", notJlis.Code);
    }
}
