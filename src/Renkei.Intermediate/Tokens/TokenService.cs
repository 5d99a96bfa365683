using Microsoft.AspNetCore.Http;
using Renkei.Intermediate.Contracts;
using Renkei.Intermediate.Copies;
using Renkei.Intermediate.Storage;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Intermediate.Tokens;

/// <summary>
/// Token management (符号管理) at the intermediate server: the holder registers which addressee a token request is for
/// before it asks J-LIS; the network delivers the token under the same request id (and index, for a batch); the server
/// binds token ↔ integrated addressee number, one token per addressee and one addressee per token. Tokens are never
/// returned to anyone: the holder's systems see only whether an addressee has one.
/// </summary>
public sealed class TokenService(CopyService copies, TimeProvider? clock = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    private IntermediateStore Store => copies.Store;
    private TokenStore Tokens => copies.Store.Tokens;
    private string HolderCode => copies.HolderCode;

    // ---------------------------------------------------------------- the holder registers

    public PendingTokenResponse RegisterPending(PendingTokenRequest request, string fingerprint)
    {
        copies.CheckHolder(request.Holder);
        var actor = CopyService.RequireActor(request.Actor);
        if (request.AddresseeNumber < 1) throw AddresseeInvalid("addresseeNumber");
        return copies.Idempotent(request.RequestId, "token-pending", fingerprint, (c, t, now) =>
        {
            Store.Actions.Append(c, t, request.RequestId, HolderActionLog.TokenPending, actor, now, request.AddresseeNumber);
            Tokens.Register(c, t, HolderCode, request.RequestId, batch: false, [request.AddresseeNumber], now);
            return new PendingTokenResponse(request.RequestId, Tokens.TokensOf(c, t, HolderCode, [request.AddresseeNumber]).Count > 0);
        });
    }

    public PendingTokenBatchResponse RegisterPendingBatch(PendingTokenBatchRequest request, string fingerprint)
    {
        copies.CheckHolder(request.Holder);
        var actor = CopyService.RequireActor(request.Actor);
        var addressees = request.AddresseeNumbers
            ?? throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", "addresseeNumbers: required (宛名番号がありません)");
        if (addressees.Count == 0 || addressees.Count > NetworkRoutes.MaxTokenBatch)
            throw new RefusalException(StatusCodes.Status400BadRequest, "batch-too-large",
                $"addresseeNumbers: 1 to {NetworkRoutes.MaxTokenBatch} per batch (件数が正しくありません)");
        for (var i = 0; i < addressees.Count; i++)
            if (addressees[i] < 1) throw AddresseeInvalid($"addresseeNumbers[{i}]");
        return copies.Idempotent(request.BatchId, "token-pending-batch", fingerprint, (c, t, now) =>
        {
            Tokens.Register(c, t, HolderCode, request.BatchId, batch: true, addressees, now);
            Store.Actions.Append(c, t, request.BatchId, HolderActionLog.TokenBatch, actor, now, items: addressees.Count);
            var held = Tokens.TokensOf(c, t, HolderCode, addressees.Distinct().ToList());
            var withToken = new List<int>();
            for (var i = 0; i < addressees.Count; i++)
                if (held.ContainsKey(addressees[i])) withToken.Add(i);
            return new PendingTokenBatchResponse(request.BatchId, addressees.Count, withToken);
        });
    }

    public async Task<TokenStatusResponse> StatusAsync(TokenStatusRequest request, CancellationToken cancellationToken)
    {
        copies.CheckHolder(request.Holder);
        var asked = request.AddresseeNumbers ?? [];
        if (asked.Count > IntermediateNodeRoutes.MaxStatusAddressees)
            throw new RefusalException(StatusCodes.Status400BadRequest, "batch-too-large",
                $"addresseeNumbers: at most {IntermediateNodeRoutes.MaxStatusAddressees} per request (件数が多すぎます)");
        for (var i = 0; i < asked.Count; i++)
            if (asked[i] < 1) throw AddresseeInvalid($"addresseeNumbers[{i}]");
        var counts = await Tokens.CountsAsync(HolderCode, cancellationToken);
        var distinct = asked.Distinct().ToList();
        var held = await Tokens.TokensOfAsync(HolderCode, distinct, cancellationToken);
        var pending = await Tokens.WithPendingRequestAsync(HolderCode, distinct.Where(a => !held.ContainsKey(a)).ToList(), cancellationToken);
        return new TokenStatusResponse(HolderCode, counts.WithToken, counts.Pending, counts.Conflicts,
            asked.Select(a => new AddresseeTokenState(a, held.ContainsKey(a), !held.ContainsKey(a) && pending.Contains(a))).ToList());
    }

    // ---------------------------------------------------------------- the network delivers

    /// <summary>Binds the token delivered for a single request. A conflicting binding is refused (409 <c>token-conflict</c>) and noted.</summary>
    public TokenDeliveryAck Deliver(TokenDelivery delivery)
    {
        CheckInstitution(delivery.Institution);
        var outcome = Store.Database.InTransaction((c, t) =>
        {
            var requested = Tokens.Requested(c, t, delivery.RequestId, batch: false);
            if (requested.Count == 0) return (BindOutcome?)null;
            var result = Tokens.Bind(c, t, HolderCode, [(requested[0].AddresseeNumber, delivery.Token)], _clock.GetUtcNow())[0];
            Tokens.SetStates(c, t, delivery.RequestId, [(0, result == BindOutcome.Conflict ? TokenStore.Conflict : TokenStore.Bound)]);
            return result;
        });
        if (outcome is null) throw UnknownRequest();
        if (outcome == BindOutcome.Conflict)
            throw new RefusalException(StatusCodes.Status409Conflict, "token-conflict",
                "the addressee registered under this request id already has another token, or the token is bound to another addressee (符号のひも付けが矛盾しています)");
        return new TokenDeliveryAck(delivery.RequestId, true);
    }

    /// <summary>
    /// Binds the tokens delivered for a batch, each at the position the holder registered. Re-delivery counts the same
    /// bindings again; conflicting positions are noted and not counted. An index outside the batch refuses the whole delivery.
    /// </summary>
    public TokenBatchDeliveryAck DeliverBatch(TokenBatchDelivery delivery)
    {
        CheckInstitution(delivery.Institution);
        var tokens = delivery.Tokens
            ?? throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request", "tokens: required (符号がありません)");
        var bound = Store.Database.InTransaction((c, t) =>
        {
            var requested = Tokens.Requested(c, t, delivery.BatchId, batch: true);
            if (requested.Count == 0) return (int?)null;
            var bindings = new List<(long, Renkei.Core.Numbers.Token)>(tokens.Count);
            var seen = new HashSet<int>();
            for (var i = 0; i < tokens.Count; i++)
            {
                var index = tokens[i].Index;
                if (index < 0 || index >= requested.Count || requested[index].Index != index)
                    throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request",
                        $"tokens[{i}].index: not a position of this batch (一括要求の位置が正しくありません)");
                if (!seen.Add(index))
                    throw new RefusalException(StatusCodes.Status400BadRequest, "invalid-request",
                        $"tokens[{i}].index: given twice (一括要求の位置が重複しています)");
                bindings.Add((requested[index].AddresseeNumber, tokens[i].Token));
            }
            var results = Tokens.Bind(c, t, HolderCode, bindings, _clock.GetUtcNow());
            Tokens.SetStates(c, t, delivery.BatchId,
                tokens.Select((item, i) => (item.Index, results[i] == BindOutcome.Conflict ? TokenStore.Conflict : TokenStore.Bound)).ToList());
            return results.Count(r => r != BindOutcome.Conflict);
        });
        return bound is { } count ? new TokenBatchDeliveryAck(delivery.BatchId, count) : throw UnknownRequest();
    }

    private void CheckInstitution(string? institution)
    {
        if (!string.Equals(institution, HolderCode, StringComparison.Ordinal))
            throw new RefusalException(StatusCodes.Status400BadRequest, "wrong-holder",
                $"this node receives tokens for institution {HolderCode} only (この中間サーバーの機関ではありません)");
    }

    private static RefusalException UnknownRequest() =>
        new(StatusCodes.Status404NotFound, "unknown-request", "no token request was registered under this request id (この処理通番の符号取得要求はありません)");

    private static RefusalException AddresseeInvalid(string path) =>
        new(StatusCodes.Status400BadRequest, "invalid-request", $"{path}: must be at least 1 (団体内統合宛名番号が正しくありません)");
}
