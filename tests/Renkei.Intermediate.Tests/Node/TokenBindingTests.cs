using Renkei.Core.Crypto;
using Renkei.ServiceDefaults.Access;
using System.Net;
using System.Net.Http.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using static Renkei.Intermediate.Tests.IntermediateHarness;
using Renkei.ServiceDefaults.Signing;

namespace Renkei.Intermediate.Tests.Node;

/// <summary>
/// Token management at the node (符号管理): the holder registers which addressee a token request is for, the network
/// delivers the token under that request id (signed with its pinned key), and the node binds one token per addressee.
/// </summary>
public sealed class TokenBindingTests
{
    private static Token T(long value) => Token.FromInt64(value);

    private static async Task<HttpResponseMessage> DeliverAsync(HttpClient signedAsNetwork, TokenDelivery delivery) =>
        await signedAsNetwork.PostAsJsonAsync(NodeRoutes.DeliverToken, delivery, JsonDefaults.Options);

    private static async Task<ProblemBody> ProblemAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ProblemBody>(JsonDefaults.Options))!;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Delivered_tokens_bind_to_the_registered_addressees_once_and_never_come_back_out(string provider)
    {
        await using var pair = await NodePair.StartAsync(provider);
        var node = pair.Inquirer;
        var network = pair.Network.ClientFor(node.Host.BaseAddress, node.Code);

        // One at a time: registered, delivered, delivered again (idempotent).
        var single = Guid.NewGuid();
        var registered = await node.Client.RegisterPendingTokenAsync(new PendingTokenRequest(single, node.Code, 10, TestActors.Feed));
        Assert.False(registered.HasToken);
        Assert.Equal(registered, await node.Client.RegisterPendingTokenAsync(new PendingTokenRequest(single, node.Code, 10, TestActors.Feed)));
        var reused = await Assert.ThrowsAsync<IntermediateException>(() => node.Client.RegisterPendingTokenAsync(new PendingTokenRequest(single, node.Code, 11, TestActors.Feed)));
        Assert.Equal((HttpStatusCode.Conflict, "request-id-reused"), (reused.Status, reused.Code));
        Assert.Equal(1, (await node.Client.TokenStatusAsync(new TokenStatusRequest(node.Code))).Pending);

        using (var first = await DeliverAsync(network, new TokenDelivery(single, node.Code, T(1_000_000_000_000_010))))
            Assert.Equal(new TokenDeliveryAck(single, true), await first.Content.ReadFromJsonAsync<TokenDeliveryAck>(JsonDefaults.Options));
        using (var again = await DeliverAsync(network, new TokenDelivery(single, node.Code, T(1_000_000_000_000_010))))
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        // Another token for the same addressee, and the same token for another addressee, are conflicts: nothing changes.
        using (var other = await DeliverAsync(network, new TokenDelivery(single, node.Code, T(1_000_000_000_000_099))))
            Assert.Equal((HttpStatusCode.Conflict, "token-conflict"), (other.StatusCode, (await ProblemAsync(other)).Code));
        var second = Guid.NewGuid();
        Assert.False((await node.Client.RegisterPendingTokenAsync(new PendingTokenRequest(second, node.Code, 11, TestActors.Feed))).HasToken);
        using (var taken = await DeliverAsync(network, new TokenDelivery(second, node.Code, T(1_000_000_000_000_010))))
            Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Equal(10, (await node.Store.Tokens.AddresseeOfAsync(node.Code, T(1_000_000_000_000_010))));
        Assert.Null((await node.Store.Tokens.TokenOfAsync(node.Code, 11)));

        // A batch: positions are the indexes the network delivers under; position 3 already has a token.
        var batch = Guid.NewGuid();
        var pending = await node.Client.RegisterPendingTokenBatchAsync(new PendingTokenBatchRequest(batch, node.Code, [20, 21, 22, 10, 23], TestActors.Feed));
        Assert.Equal(5, pending.Registered);
        Assert.Equal([3], pending.WithToken);
        var tokens = new TokenBatchDelivery(batch, node.Code,
            [new IndexedToken(0, T(2_000_000_000_000_020)), new IndexedToken(2, T(2_000_000_000_000_022)), new IndexedToken(1, T(2_000_000_000_000_021))]);
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var delivered = await network.PostAsJsonAsync(NodeRoutes.DeliverTokenBatch, tokens, JsonDefaults.Options);
            Assert.Equal(new TokenBatchDeliveryAck(batch, 3), await delivered.Content.ReadFromJsonAsync<TokenBatchDeliveryAck>(JsonDefaults.Options));
        }
        Assert.Equal(21, (await node.Store.Tokens.AddresseeOfAsync(node.Code, T(2_000_000_000_000_021))));
        using (var outside = await network.PostAsJsonAsync(NodeRoutes.DeliverTokenBatch,
            new TokenBatchDelivery(batch, node.Code, [new IndexedToken(5, T(2_000_000_000_000_025))]), JsonDefaults.Options))
            Assert.Equal((HttpStatusCode.BadRequest, "invalid-request"), (outside.StatusCode, (await ProblemAsync(outside)).Code));
        using (var unknown = await DeliverAsync(network, new TokenDelivery(Guid.NewGuid(), node.Code, T(3_000_000_000_000_000))))
            Assert.Equal((HttpStatusCode.NotFound, "unknown-request"), (unknown.StatusCode, (await ProblemAsync(unknown)).Code));
        using (var elsewhere = await DeliverAsync(network, new TokenDelivery(single, NodePair.ProviderCode, T(1_000_000_000_000_010))))
            Assert.Equal((HttpStatusCode.BadRequest, "wrong-holder"), (elsewhere.StatusCode, (await ProblemAsync(elsewhere)).Code));

        // The status: 10, 20, 21, 22 have tokens; 23 waits; 11's delivery conflicted. No token in the answer.
        using var raw = await node.Http.PostAsJsonAsync(IntermediateNodeRoutes.TokenStatus, new TokenStatusRequest(node.Code, [10, 11, 22, 23, 99]), JsonDefaults.Options);
        var text = await raw.Content.ReadAsStringAsync();
        var status = System.Text.Json.JsonSerializer.Deserialize<TokenStatusResponse>(text, JsonDefaults.Options)!;
        Assert.Equal((4L, 1L, 1L), (status.WithToken, status.Pending, status.Conflicts));
        Assert.Equal(
            [new AddresseeTokenState(10, true, false), new AddresseeTokenState(11, false, false), new AddresseeTokenState(22, true, false),
             new AddresseeTokenState(23, false, true), new AddresseeTokenState(99, false, false)],
            status.Addressees);
        foreach (var token in new[] { "1000000000000010", "2000000000000020", "2000000000000021", "2000000000000022" })
            Assert.DoesNotContain(token, text);

        // The binding makes copies providable by token.
        await node.Client.UpsertAsync(new UpsertCopyRequest(Guid.NewGuid(), node.Code, LocalTax(22, taxableIncome: 2_200_000), TestActors.Feed));
        var byToken = await node.Client.ProvideAsync(new ProvisionRequest(Guid.NewGuid(), node.Code, null, "2000000000000022", InformationKindCodes.LocalTax, null, TestActors.Feed));
        Assert.Equal(2_200_000, CopyBodies.FromJson<LocalTaxBody>(byToken.Body!.Value).TaxableIncome);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_delivery_not_signed_by_the_network_with_its_pinned_key_is_refused_and_binds_nothing(string provider)
    {
        await using var pair = await NodePair.StartAsync(provider);
        var node = pair.Inquirer;
        var requestId = Guid.NewGuid();
        await node.Client.RegisterPendingTokenAsync(new PendingTokenRequest(requestId, node.Code, 5, TestActors.Feed));
        var delivery = new TokenDelivery(requestId, node.Code, T(5_000_000_000_000_005));

        using (var anonymous = new HttpClient { BaseAddress = node.Host.BaseAddress })
        using (var unsigned = await anonymous.PostAsJsonAsync(NodeRoutes.DeliverToken, delivery, JsonDefaults.Options))
            Assert.Equal((HttpStatusCode.Unauthorized, "unsigned-request"), (unsigned.StatusCode, (await ProblemAsync(unsigned)).Code));

        using var impostorKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using (var impostor = SigningHandler.CreateClient(node.Host.BaseAddress, NodeRoutes.NetworkInstitutionCode, impostorKey, node.Code))
        using (var forged = await impostor.PostAsJsonAsync(NodeRoutes.DeliverToken, delivery, JsonDefaults.Options))
            Assert.Equal((HttpStatusCode.Unauthorized, "bad-signature"), (forged.StatusCode, (await ProblemAsync(forged)).Code));

        // Another institution, however well it signs, is not the network.
        using (var keys = InstitutionKeys.LoadOrCreate(pair.Provider.KeyDirectory.Path))
        using (var ward = SigningHandler.CreateClient(node.Host.BaseAddress, pair.Provider.Code, keys.Signing, node.Code))
        using (var notNetwork = await ward.PostAsJsonAsync(NodeRoutes.DeliverToken, delivery, JsonDefaults.Options))
            Assert.Equal((HttpStatusCode.Unauthorized, "unknown-institution"), (notNetwork.StatusCode, (await ProblemAsync(notNetwork)).Code));

        // A signed body that was changed on the way.
        var tampering = new TamperingHandler { InnerHandler = new SocketsHttpHandler() };
        using (var network = new HttpClient(new SigningHandler(NodeRoutes.NetworkInstitutionCode, pair.Network.SigningKey, node.Code) { InnerHandler = tampering }) { BaseAddress = node.Host.BaseAddress })
        using (var altered = await network.PostAsJsonAsync(NodeRoutes.DeliverToken, delivery, JsonDefaults.Options))
            Assert.Equal((HttpStatusCode.Unauthorized, "bad-signature"), (altered.StatusCode, (await ProblemAsync(altered)).Code));

        Assert.Equal(0, (await node.Client.TokenStatusAsync(new TokenStatusRequest(node.Code))).WithToken);

        // A server without node settings has no network routes to offer: it knows its own holder only, not the network.
        await using var plain = await IntermediateHarness.StartAsync(provider);
        using var notANode = await pair.Network.ClientFor(plain.Host.BaseAddress, IntermediateHarness.Holder).PostAsJsonAsync(NodeRoutes.DeliverToken, delivery, JsonDefaults.Options);
        Assert.Equal((HttpStatusCode.Unauthorized, SignedRequestVerifier.UnknownInstitution), (notANode.StatusCode, (await ProblemAsync(notANode)).Code));
    }

    /// <summary>Changes the token in the body after it was signed.</summary>
    private sealed class TamperingHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            request.Content = new StringContent(body.Replace("5000000000000005", "5000000000000006"), System.Text.Encoding.UTF8, "application/json");
            return await base.SendAsync(request, cancellationToken);
        }
    }
}
