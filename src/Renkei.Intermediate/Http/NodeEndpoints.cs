using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Renkei.Infrastructure;
using Renkei.ServiceDefaults.Access;
using Renkei.ServiceDefaults.ApiDescriptions;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Copies;
using Renkei.Intermediate.Node;
using Renkei.Intermediate.Tokens;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults.Signing;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Http;

/// <summary>
/// The node's routes: for the holder's own systems (<see cref="IntermediateNodeRoutes"/>; the holder itself by its
/// certificate or signature) and for the network (<see cref="NodeRoutes"/>). Requests on the network's routes must carry the network's signature, checked with its
/// pinned key (anything else: 401); the body is parsed strictly only after that. Without node settings the network's
/// routes and the linkage routes answer 503 <c>not-a-network-node</c>; registering token requests works regardless.
/// </summary>
public static class NodeEndpoints
{
    /// <summary>
    /// Maps the node's routes. The server knows two callers: its own holder (<paramref name="holderSigningKey"/>, the public
    /// half of the institution key in the key directory; its certificate when deployed) and, as a node, the network (its
    /// pinned key). Every other institution, even a valid node of the network, is refused.
    /// </summary>
    public static void Map(IEndpointRouteBuilder app, CopyService copies, TokenService tokens, IntermediateNode? node, ECDsa holderSigningKey, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(holderSigningKey);
        var holder = new KnownInstitution(copies.HolderCode, IntermediateEndpoints.HolderClass, holderSigningKey);
        app.ServiceProvider.UseInstitutionCallers(copies.HolderCode, node is null
            ? new FixedInstitutions(holder)
            : new FixedInstitutions(holder, new KnownInstitution(NodeRoutes.NetworkInstitutionCode, "Network", node.NetworkSigningKey)), clock);
        // ---------------------------------------------------------------- the holder's systems
        app.MapPost("/" + IntermediateNodeRoutes.PendingToken, (HttpRequest http) =>
            IntermediateEndpoints.HandleAsync<PendingTokenRequest, PendingTokenResponse>(http.HttpContext, tokens.RegisterPending))
            .ExchangesJson<PendingTokenRequest, PendingTokenResponse>()
            .RequireInstitutionCode(IntermediateEndpoints.HolderSystems, copies.HolderCode);
        app.MapPost("/" + IntermediateNodeRoutes.PendingTokenBatch, (HttpRequest http) =>
            IntermediateEndpoints.HandleAsync<PendingTokenBatchRequest, PendingTokenBatchResponse>(http.HttpContext, tokens.RegisterPendingBatch))
            .ExchangesJson<PendingTokenBatchRequest, PendingTokenBatchResponse>()
            .RequireInstitutionCode(IntermediateEndpoints.HolderSystems, copies.HolderCode);
        app.MapPost("/" + IntermediateNodeRoutes.TokenStatus, (HttpRequest http) =>
            IntermediateEndpoints.HandleAsync<TokenStatusRequest, TokenStatusResponse>(http.HttpContext, (request, _) => tokens.StatusAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<TokenStatusRequest, TokenStatusResponse>()
            .RequireInstitutionCode(IntermediateEndpoints.HolderSystems, copies.HolderCode);

        app.MapPost("/" + IntermediateNodeRoutes.Query, (HttpRequest http) => node is null ? NotANode() :
            IntermediateEndpoints.HandleAsync<InquiryRequest, InquiryResponse>(http.HttpContext, (request, _) => node.QueryAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<InquiryRequest, InquiryResponse>()
            .RequireInstitutionCode(IntermediateEndpoints.HolderSystems, copies.HolderCode);
        app.MapPost("/" + IntermediateNodeRoutes.QueryBatch, (HttpRequest http) => node is null ? NotANode() :
            IntermediateEndpoints.HandleAsync<InquiryBatchRequest, InquiryBatchAccepted>(http.HttpContext, (request, _) => node.SubmitBatchAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<InquiryBatchRequest, InquiryBatchAccepted>()
            .RequireInstitutionCode(IntermediateEndpoints.HolderSystems, copies.HolderCode);
        app.MapPost("/" + IntermediateNodeRoutes.QueryBatchStatus, (HttpRequest http) => node is null ? NotANode() :
            IntermediateEndpoints.HandleAsync<InquiryBatchStatusRequest, InquiryBatchStatusResponse>(http.HttpContext, (request, _) => node.BatchStatusAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<InquiryBatchStatusRequest, InquiryBatchStatusResponse>()
            .RequireInstitutionCode(IntermediateEndpoints.HolderSystems, copies.HolderCode);
        app.MapPost("/" + IntermediateNodeRoutes.Policy, (HttpRequest http) => node is null ? NotANode() :
            IntermediateEndpoints.HandleAsync<NodePolicyRequest, PolicyLinkagesResponse>(http.HttpContext, (request, _) => node.PolicyAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<NodePolicyRequest, PolicyLinkagesResponse>()
            .RequireInstitutionCode(IntermediateEndpoints.HolderSystems, copies.HolderCode);
        app.MapPost("/" + IntermediateNodeRoutes.SendNotice, (HttpRequest http) => node is null ? NotANode() :
            IntermediateEndpoints.HandleAsync<SendNoticeRequest, PushNoticeAccepted>(http.HttpContext, (request, _) => node.SendNoticeAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<SendNoticeRequest, PushNoticeAccepted>()
            .RequireInstitutionCode(IntermediateEndpoints.HolderSystems, copies.HolderCode);
        app.MapPost("/" + IntermediateNodeRoutes.Records, (HttpRequest http) => node is null ? NotANode() :
            IntermediateEndpoints.HandleAsync<PartyRecordQuery, PartyRecordList>(http.HttpContext, (request, _) => node.ReadRecordsAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<PartyRecordQuery, PartyRecordList>()
            .RequireInstitutionCode(IntermediateEndpoints.HolderSystems, copies.HolderCode);

        // ---------------------------------------------------------------- the network
        app.MapPost("/" + NodeRoutes.DeliverToken, (HttpRequest http) =>
            FromNetworkAsync<TokenDelivery, TokenDeliveryAck>(http.HttpContext, node, clock, request => Task.FromResult(tokens.Deliver(request))))
            .ExchangesJson<TokenDelivery, TokenDeliveryAck>()
            .RequireInstitutionCode("the network (情報提供ネットワークシステム)", NodeRoutes.NetworkInstitutionCode);
        app.MapPost("/" + NodeRoutes.DeliverTokenBatch, (HttpRequest http) =>
            FromNetworkAsync<TokenBatchDelivery, TokenBatchDeliveryAck>(http.HttpContext, node, clock, request => Task.FromResult(tokens.DeliverBatch(request))))
            .ExchangesJson<TokenBatchDelivery, TokenBatchDeliveryAck>()
            .RequireInstitutionCode("the network (情報提供ネットワークシステム)", NodeRoutes.NetworkInstitutionCode);
        app.MapPost("/" + NodeRoutes.Provide, (HttpRequest http) =>
            FromNetworkAsync<ProvideRequest, SignedSealedAnswer>(http.HttpContext, node, clock, request => node!.ProvideAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<ProvideRequest, SignedSealedAnswer>()
            .RequireInstitutionCode("the network (情報提供ネットワークシステム)", NodeRoutes.NetworkInstitutionCode);
        app.MapPost("/" + NodeRoutes.ProvideBulk, (HttpRequest http) =>
            FromNetworkAsync<BulkProvideRequest, BulkProvideResponse>(http.HttpContext, node, clock, request => node!.ProvideBulkAsync(request, http.HttpContext.RequestAborted)))
            .ExchangesJson<BulkProvideRequest, BulkProvideResponse>()
            .RequireInstitutionCode("the network (情報提供ネットワークシステム)", NodeRoutes.NetworkInstitutionCode);
    }

    private static async Task<IResult> FromNetworkAsync<TRequest, TResponse>(HttpContext context, IntermediateNode? node, TimeProvider clock,
        Func<TRequest, Task<TResponse>> operation) where TRequest : class
    {
        if (node is null) return await NotANode();
        var signed = await SignedRequestVerifier.ReadAsync(context, node.SigningKeyOf, clock, node.HolderCode);
        if (!signed.IsVerified) return signed.ToProblem();
        return await IntermediateEndpoints.RunAsync<TRequest, TResponse>(signed.Body, (request, _) => operation(request));
    }

    private static Task<IResult> NotANode() => Task.FromResult(ErrorResponses.Problem(StatusCodes.Status503ServiceUnavailable, "not-a-network-node",
        "this intermediate server is not configured as a node of the network (ネットワークの接続設定がありません)"));
}
