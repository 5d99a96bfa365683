using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Network.Contracts;
using Renkei.Network.Linkage;
using Renkei.Network.Registry;
using Renkei.Network.Storage;
using Renkei.ServiceDefaults;

namespace Renkei.Network.Tokens;

/// <summary>
/// Token issuance (符号取得) on J-LIS's request: resident-record code → ID code → the institution's token, recorded as
/// issued and delivered straight to the institution's node under the institution's own request (or batch) id. The
/// resident-record code is used only in memory here and never stored. Issuing again is harmless: the same code always
/// gives the same token, and the node binds a token it already holds again. The portal, which has no node, gets its
/// token sealed to it in the answer instead.
/// </summary>
internal sealed class TokenIssuance(NetworkStore store, InstitutionRegistry registry, TokenDeriver tokens, NodeClient nodes, TimeProvider clock, TimeSpan deliveryTimeout)
{
    public async Task<IssueTokenResponse> IssueAsync(IssueTokenRequest request, CancellationToken cancellationToken)
    {
        if (registry.EntryOf(request.Institution) is { Info.Class: InstitutionClass.Portal } portal)
            return await IssueToPortalAsync(request, portal.Info, cancellationToken).ConfigureAwait(false);
        var (code, endpoint) = Recipient(request.Institution);
        var idCode = tokens.DeriveIdCode(request.ResidentCode);
        await store.RecordIssuanceAsync(code, [idCode], clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var call = await nodes.PostAsync<TokenDelivery, TokenDeliveryAck>(code, endpoint, NodeRoutes.DeliverToken,
            new TokenDelivery(request.RequestId, code, tokens.TokenFor(idCode, code)), deliveryTimeout, cancellationToken).ConfigureAwait(false);
        var ack = Delivered(call);
        return new IssueTokenResponse(request.RequestId, ack.Bound);
    }

    public async Task<IssueTokenBatchResponse> IssueBatchAsync(IssueTokenBatchRequest request, CancellationToken cancellationToken)
    {
        if (request.Items.Count > NetworkRoutes.MaxTokenBatch)
            throw new RefusalException(StatusCodes.Status400BadRequest, "batch-too-large", $"items: at most {NetworkRoutes.MaxTokenBatch} codes per batch (件数が多すぎます)");
        var seen = new HashSet<int>();
        for (var i = 0; i < request.Items.Count; i++)
            if (request.Items[i].Index < 0 || !seen.Add(request.Items[i].Index))
                throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", $"items[{i}].index: negative or used twice (位置が正しくありません)");
        var (code, endpoint) = Recipient(request.Institution);

        var codes = new ResidentCode[request.Items.Count];
        for (var i = 0; i < codes.Length; i++) codes[i] = request.Items[i].ResidentCode;
        var idCodes = new long[codes.Length];
        tokens.DeriveIdCodes(codes, idCodes);
        Array.Clear(codes);
        var issued = new Token[idCodes.Length];
        tokens.TokensFor(idCodes, code, issued);
        await store.RecordIssuanceAsync(code, idCodes, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);

        var delivery = new IndexedToken[issued.Length];
        for (var i = 0; i < issued.Length; i++) delivery[i] = new IndexedToken(request.Items[i].Index, issued[i]);
        var call = await nodes.PostAsync<TokenBatchDelivery, TokenBatchDeliveryAck>(code, endpoint, NodeRoutes.DeliverTokenBatch,
            new TokenBatchDelivery(request.BatchId, code, delivery), deliveryTimeout, cancellationToken).ConfigureAwait(false);
        var ack = Delivered(call);
        return new IssueTokenBatchResponse(request.BatchId, ack.Bound);
    }

    private const string PortalOperation = "portal-token";

    /// <summary>
    /// The portal has no node: its token goes back to J-LIS sealed to the portal's sealing key (J-LIS hands it on unread),
    /// and the issuance is recorded as for any institution. Idempotent by request id: a retry gets the first answer; the
    /// id used for another person or institution is refused. The ledger's fingerprint is over the ID code, never the
    /// resident-record code.
    /// </summary>
    private async Task<IssueTokenResponse> IssueToPortalAsync(IssueTokenRequest request, InstitutionInfo portal, CancellationToken cancellationToken)
    {
        var idCode = tokens.DeriveIdCode(request.ResidentCode);
        var fingerprint = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            PortalOperation + "\n" + portal.Code + "\n" + idCode.ToString(CultureInfo.InvariantCulture))));
        var stored = await store.IssueOnceAsync(request.RequestId, portal.Code, idCode, PortalOperation, fingerprint, () =>
        {
            var token = tokens.TokenFor(idCode, portal.Code);
            var sealedToken = MessageSealing.Seal(Convert.FromBase64String(portal.SealingPublicKey), Encoding.UTF8.GetBytes(token.Digits),
                MessageSealing.AssociatedData(IssueTokenResponse.PortalTokenContext(request.RequestId, portal.Code)));
            return JsonSerializer.Serialize(new IssueTokenResponse(request.RequestId, false, sealedToken), JsonDefaults.Options);
        }, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false) ?? throw new RefusalException(StatusCodes.Status409Conflict, "request-id-reused",
            "this request id was already used for a different request (処理通番が別の要求に使われています)");
        return JsonSerializer.Deserialize<IssueTokenResponse>(stored, JsonDefaults.Options)!;
    }

    private (string Code, Uri Endpoint) Recipient(string institution)
    {
        var entry = registry.EntryOf(institution)
            ?? throw new RefusalException(StatusCodes.Status404NotFound, "institution-not-registered", "the institution is not registered with the network (機関が登録されていません)");
        if (entry.Info.Endpoint is null || entry.Info.Class is InstitutionClass.NumberingAuthority)
            throw new RefusalException(StatusCodes.Status422UnprocessableEntity, "institution-has-no-node",
                "the institution has no node to receive tokens (符号を受け取る中間サーバーがありません)");
        return (entry.Info.Code, entry.Info.Endpoint);
    }

    private static T Delivered<T>(NodeCall<T> call) where T : class => call.Failure switch
    {
        NodeFailure.None => call.Value!,
        NodeFailure.Unavailable => throw new RefusalException(StatusCodes.Status503ServiceUnavailable, "institution-unavailable",
            $"the institution's node could not take the token: {call.Message} (機関の中間サーバーに届きません)"),
        _ => throw new RefusalException(StatusCodes.Status502BadGateway, "delivery-refused",
            $"the institution's node refused the token: {call.Message} (機関の中間サーバーが受け付けません)"),
    };
}
