using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Infrastructure;
using Renkei.Jlis.Contracts;
using Renkei.Jlis.Numbering;
using Renkei.Jlis.Storage;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tokens;

/// <summary>
/// J-LIS's part of token issuance (符号取得, seed 001 符号生成のイメージ ④⑤): an institution's individual number → the
/// resident-record code (only the code's current number; a superseded or never-designated number is refused) → the
/// network's <see cref="NetworkRoutes.IssueToken"/> / <see cref="NetworkRoutes.IssueTokenBatch"/>, signed as J-LIS. The
/// network derives the token and delivers it to the institution's intermediate server; J-LIS never sees it.
/// <para>Idempotent by the institution's request id / batch id (per institution): an answer whose every accepted item was
/// delivered is stored with the request, and a resent request gets it back without the network being asked again. An
/// answer with undelivered items is not stored, so resending asks the network again (its delivery is idempotent).
/// The same id with different content is refused. Refusals and errors never repeat a number.</para>
/// </summary>
public sealed class TokenIssuanceService
{
    private static readonly JsonSerializerOptions Json = JsonDefaults.Options;
    private static readonly RequestLedger Ledger = new("jlis_token_requests");

    private readonly NumberingService _numbering;
    private readonly INetworkClient _network;
    private readonly TimeProvider _clock;

    public TokenIssuanceService(NumberingService numbering, INetworkClient network, TimeProvider? clock = null)
    {
        _numbering = numbering ?? throw new ArgumentNullException(nameof(numbering));
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _clock = clock ?? TimeProvider.System;
        if (JlisTokenRoutes.MaxBatchItems != NetworkRoutes.MaxTokenBatch)
            throw new InvalidOperationException("J-LIS's token batch limit must equal the network's");
    }

    private JlisStore Store => _numbering.Store;

    /// <summary>Creates or upgrades J-LIS's tables (<see cref="JlisSchema"/>), the token request table among them (safe on every start).</summary>
    public void EnsureSchema() => Migrations.Apply(Store.Database, JlisSchema.Tables);

    /// <summary>One person's token for <see cref="TokenRequest.Institution"/> (already authenticated by the caller).</summary>
    /// <exception cref="RefusalException">the number is refused, the id was reused, or the network refused or did not answer.</exception>
    public async Task<TokenResponse> RequestAsync(TokenRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.RequestId, "requestId");
        var institution = RequireInstitution(request.Institution);
        var fingerprint = Fingerprint(Encoding.UTF8.GetBytes($"token|{institution}|{request.IndividualNumber.Digits}"));
        var key = LedgerKey(request.RequestId, institution, "token");
        if (await ClaimAsync<TokenResponse>(key, "token", fingerprint, cancellationToken) is { } stored) return stored;

        var code = await ResolveAsync(request.IndividualNumber, cancellationToken);
        var issued = await CallNetworkAsync(() => _network.IssueTokenAsync(new IssueTokenRequest(request.RequestId, institution, code), cancellationToken));
        if (issued.RequestId != request.RequestId)
            throw new RefusalException(StatusCodes.Status502BadGateway, "network-error", "the network answered with another request's id (情報提供ネットワークシステムの応答が不正です)");
        var response = new TokenResponse(request.RequestId, issued.Delivered);
        if (response.Delivered) await CompleteAsync(key, response);
        return response;
    }

    /// <summary>Bulk issuance (符号一斉取得) for <see cref="TokenBatchRequest.Institution"/> (already authenticated by the caller).</summary>
    /// <exception cref="RefusalException">the batch as a whole is malformed, the id was reused, or the network refused or did not answer.</exception>
    public async Task<TokenBatchResponse> RequestBatchAsync(TokenBatchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RequireId(request.BatchId, "batchId");
        var institution = RequireInstitution(request.Institution);
        var items = request.Items ?? throw RefusalException.BadRequest("invalid-request", "items is missing (一覧がありません)");
        if (items.Count == 0) throw RefusalException.BadRequest("empty-batch", "the batch holds no items (対象がありません)");
        if (items.Count > JlisTokenRoutes.MaxBatchItems)
            throw RefusalException.BadRequest("batch-too-large",
                $"a batch holds at most {JlisTokenRoutes.MaxBatchItems} items; split it (一度に送れる件数を超えています)");
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is null) throw RefusalException.BadRequest("invalid-request", $"items[{i}] is missing (要素がありません)");
            if (items[i].Index < 0) throw RefusalException.BadRequest("invalid-request", $"items[{i}].index is negative (位置が不正です)");
        }

        var fingerprint = BatchFingerprint(institution, items);
        var key = LedgerKey(request.BatchId, institution, "token-batch");
        if (await ClaimAsync<TokenBatchResponse>(key, "token-batch", fingerprint, cancellationToken) is { } stored) return stored;

        var (accepted, refused) = await ResolveBatchAsync(items, cancellationToken);
        var delivered = 0;
        if (accepted.Count > 0)
        {
            var issued = await CallNetworkAsync(() =>
                _network.IssueTokenBatchAsync(new IssueTokenBatchRequest(request.BatchId, institution, accepted), cancellationToken));
            if (issued.BatchId != request.BatchId)
                throw new RefusalException(StatusCodes.Status502BadGateway, "network-error", "the network answered with another batch's id (情報提供ネットワークシステムの応答が不正です)");
            delivered = issued.Delivered;
        }
        var response = new TokenBatchResponse(request.BatchId, accepted.Count, delivered, refused);
        if (delivered >= accepted.Count) await CompleteAsync(key, response);
        return response;
    }

    // ---------------------------------------------------------------- number → resident-record code

    /// <summary>The resident-record code whose current number is <paramref name="number"/>.</summary>
    private async Task<ResidentCode> ResolveAsync(IndividualNumber number, CancellationToken cancellationToken)
    {
        var (code, generation) = _numbering.Deriver.Invert(number);
        var refusal = await Store.Database.InTransactionAsync(async (c, t) =>
        {
            var current = await Store.FindCurrentAsync(c, t, code, cancellationToken);
            return Check(number, generation, current is null ? null : (current.IndividualNumber.ToInt64(), current.Generation),
                await Store.IsRetiredAsync(c, t, code, cancellationToken));
        }, cancellationToken: cancellationToken);
        if (refusal is not null) throw RefusalException.Conflict(refusal.Value.Code, refusal.Value.Message);
        return code;
    }

    private async Task<(List<IndexedResidentCode> Accepted, List<RefusedTokenItem> Refused)> ResolveBatchAsync(IReadOnlyList<IndexedNumber> items,
        CancellationToken cancellationToken)
    {
        var indexCount = new Dictionary<int, int>(items.Count);
        var numberCount = new Dictionary<long, int>(items.Count);
        foreach (var item in items)
        {
            indexCount[item.Index] = indexCount.GetValueOrDefault(item.Index) + 1;
            numberCount[item.IndividualNumber.ToInt64()] = numberCount.GetValueOrDefault(item.IndividualNumber.ToInt64()) + 1;
        }
        var codes = new long[items.Count];
        var generations = new int[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var (code, generation) = _numbering.Deriver.Invert(items[i].IndividualNumber);
            codes[i] = code.ToInt64();
            generations[i] = generation;
        }
        var (current, retired) = await Store.Database.InTransactionAsync(async (c, t) =>
        {
            var distinct = codes.Distinct().ToList();
            return (await Store.FindCurrentAsync(c, t, distinct, cancellationToken), await Store.FindRetiredAsync(c, t, distinct, cancellationToken));
        }, cancellationToken: cancellationToken);

        var accepted = new List<IndexedResidentCode>(items.Count);
        var refused = new List<RefusedTokenItem>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            (string Code, string Message)? refusal =
                indexCount[item.Index] > 1
                    ? (TokenRefusalCodes.DuplicateIndex, "the index appears more than once in the batch (位置が重複しています)")
                : numberCount[item.IndividualNumber.ToInt64()] > 1
                    ? (TokenRefusalCodes.DuplicateNumber, "the same individual number appears more than once in the batch (個人番号が重複しています)")
                : Check(item.IndividualNumber, generations[i], current.TryGetValue(codes[i], out var designation) ? designation : null,
                    retired.Contains(codes[i]));
            if (refusal is { } r) refused.Add(new RefusedTokenItem(item.Index, r.Code, r.Message));
            else accepted.Add(new IndexedResidentCode(item.Index, ResidentCode.FromInt64(codes[i])));
        }
        return (accepted, refused);
    }

    /// <summary>Null when <paramref name="number"/> (of inverted generation <paramref name="generation"/>) is its code's current number.</summary>
    private static (string Code, string Message)? Check(IndividualNumber number, int generation, (long Number, int Generation)? current, bool retired)
    {
        if (retired)
            return (TokenRefusalCodes.ResidentCodeRetired, "the resident-record code of this number has been retired (この個人番号の住民票コードは使用できません)");
        if (current is not { } designation)
            return (TokenRefusalCodes.NumberNotDesignated, "J-LIS has not designated this individual number (指定されていない個人番号です)");
        if (designation.Number == number.ToInt64()) return null;
        return generation < designation.Generation
            ? (TokenRefusalCodes.NumberSuperseded, "this individual number has been changed; ask with the current number (変更前の個人番号です)")
            : (TokenRefusalCodes.NumberNotDesignated, "J-LIS has not designated this individual number (指定されていない個人番号です)");
    }

    // ---------------------------------------------------------------- the network

    /// <summary>Calls the network, turning its refusals and silence into J-LIS's refusals (502 network-refused, 503 network-unavailable).</summary>
    internal static async Task<T> CallNetworkAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (NetworkException e)
        {
            // The network's codes and messages carry no personal values. 503: the network, or the institution's node behind
            // it, could not take the request now (worth retrying); anything else is a refusal.
            throw e.Status == System.Net.HttpStatusCode.ServiceUnavailable
                ? new RefusalException(StatusCodes.Status503ServiceUnavailable, "network-unavailable", $"{e.Message}; try again later (しばらくしてから再度要求してください)")
                : new RefusalException(StatusCodes.Status502BadGateway, "network-refused", $"{e.Message} (情報提供ネットワークシステムが要求を拒否しました)");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw Unavailable();
        }
    }

    private static RefusalException Unavailable() => new(StatusCodes.Status503ServiceUnavailable, "network-unavailable",
        "the information provision network did not answer; try again later (情報提供ネットワークシステムに接続できません)");

    // ---------------------------------------------------------------- idempotency

    /// <summary>
    /// Claims <paramref name="key"/> in J-LIS's token request table: returns the stored answer of a completed earlier
    /// request, null to go ahead (new, or an earlier attempt that did not complete), or refuses a reused id.
    /// </summary>
    private async Task<T?> ClaimAsync<T>(Guid key, string operation, string fingerprint, CancellationToken cancellationToken) where T : class =>
        await Store.Database.InTransactionAsync(async (c, t) =>
        {
            var stored = await Ledger.ClaimAsync(c, t, key, operation, fingerprint, _clock.GetUtcNow(), cancellationToken);
            if (stored is null) return null;
            if (stored.Operation != operation || stored.Fingerprint != fingerprint)
                throw RefusalException.Conflict("request-id-reused",
                    "this request ID was already used for a different request (要求IDが別の要求で使用済みです)");
            return stored.Response is null ? null : JsonSerializer.Deserialize<T>(stored.Response, Json);
        }, cancellationToken: cancellationToken);

    /// <summary>Stores the answer under <paramref name="key"/> (never cancelled: the tokens were delivered).</summary>
    private async Task CompleteAsync<T>(Guid key, T response) =>
        await Store.Database.InTransactionAsync((c, t) => Ledger.CompleteAsync(c, t, key, JsonSerializer.Serialize(response, Json)));

    /// <summary>Request ids are the institutions' own: the ledger keys them per institution so two institutions never collide.</summary>
    private static Guid LedgerKey(Guid id, string institution, string operation) => TokenAcquirer.DerivedId(id, $"jlis/{operation}/{institution}");

    private static void RequireId(Guid id, string name)
    {
        if (id == Guid.Empty) throw RefusalException.BadRequest("invalid-request", $"{name}: missing or empty (要求IDがありません)");
    }

    private static string RequireInstitution(string? institution) =>
        string.IsNullOrWhiteSpace(institution)
            ? throw RefusalException.BadRequest("invalid-request", "institution is missing (機関コードがありません)")
            : institution;

    private static string Fingerprint(ReadOnlySpan<byte> canonical) => Convert.ToHexString(SHA256.HashData(canonical));

    private static string BatchFingerprint(string institution, IReadOnlyList<IndexedNumber> items)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes("token-batch|" + institution + "|"));
        Span<byte> pair = stackalloc byte[12];
        foreach (var item in items)
        {
            BitConverter.TryWriteBytes(pair, item.Index);
            BitConverter.TryWriteBytes(pair[4..], item.IndividualNumber.ToInt64());
            hash.AppendData(pair);
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
