using Renkei.Core.Numbers;

namespace Renkei.Jlis.Contracts;

/// <summary>
/// J-LIS's published contract for token issuance (符号取得). An institution that holds a person's number asks J-LIS for
/// the person's token: J-LIS turns the number into the resident-record code and hands the code to the information
/// provision network, which derives the token and delivers it to the institution's own intermediate server under the
/// institution's request id (処理通番). The token never passes through J-LIS and never comes back in these answers.
/// <para>
/// Every request is signed by the asking institution with its network signing key (the network's
/// <c>SignedRequestHeaders</c>: build the client's <see cref="HttpClient"/> with a <c>SigningHandler</c>); J-LIS checks the
/// signature against the key the network's registry publishes for that institution and never answers an unsigned
/// request. The institution named in the body must be the signer. Numbers travel only in bodies, and no answer or error
/// repeats one: a refused item is named by its index.
/// </para>
/// Before asking, the institution registers the request at its intermediate server (a pending single request, or a
/// pending batch whose positions are the indexes used here), so the network has somewhere to deliver.
/// </summary>
public static class JlisTokenRoutes
{
    /// <summary>One person's token (<see cref="TokenRequest"/> → <see cref="TokenResponse"/>).</summary>
    public const string Request = "tokens/request";

    /// <summary>Bulk token issuance (符号一斉取得) for up to <see cref="MaxBatchItems"/> people (<see cref="TokenBatchRequest"/> → <see cref="TokenBatchResponse"/>).</summary>
    public const string Batches = "tokens/batches";

    /// <summary>The largest batch: J-LIS passes a batch to the network as one batch, and the network takes at most this many.</summary>
    public const int MaxBatchItems = 50_000;

    /// <summary>J-LIS's own code in the network's registry (class NumberingAuthority): J-LIS signs its requests to the network with it.</summary>
    public const string JlisInstitutionCode = "JLIS00";
}

/// <summary>
/// Ask for the token of the person with <paramref name="IndividualNumber"/>. <paramref name="RequestId"/> is the
/// institution's own (処理通番), already registered as pending at its intermediate server: the network delivers the token
/// there under this id. Sending the same request again returns the first answer.
/// </summary>
public sealed record TokenRequest(Guid RequestId, string Institution, IndividualNumber IndividualNumber);

/// <param name="Delivered">True once the institution's intermediate server accepted the token.</param>
public sealed record TokenResponse(Guid RequestId, bool Delivered);

/// <summary>One person of a batch: <paramref name="Index"/> is the position the institution gave the person in its pending batch.</summary>
public sealed record IndexedNumber(int Index, IndividualNumber IndividualNumber);

/// <summary>
/// Bulk token issuance (符号一斉取得): the people of the institution's pending batch <paramref name="BatchId"/>, each at
/// its index. Resending the same batch returns the first answer, so a resent batch is idempotent end to end.
/// </summary>
public sealed record TokenBatchRequest(Guid BatchId, string Institution, IReadOnlyList<IndexedNumber> Items);

/// <summary>
/// J-LIS's answer to a batch: how many items it accepted and passed to the network, how many tokens the network
/// delivered to the institution's intermediate server, and the items it refused, by index, with the reason.
/// </summary>
public sealed record TokenBatchResponse(Guid BatchId, int Accepted, int Delivered, IReadOnlyList<RefusedTokenItem> Refused);

/// <summary>An item J-LIS refused: its index, a stable code (<see cref="TokenRefusalCodes"/>) and a message without the number.</summary>
public sealed record RefusedTokenItem(int Index, string Code, string Reason);

/// <summary>Why J-LIS refuses to have a token issued for a number (in a single refusal's problem code, or per batch item).</summary>
public static class TokenRefusalCodes
{
    /// <summary>The number was the person's but has been changed since (個人番号の変更): ask with the current number.</summary>
    public const string NumberSuperseded = "number-superseded";

    /// <summary>J-LIS never designated this number for anyone.</summary>
    public const string NumberNotDesignated = "number-not-designated";

    /// <summary>The number's resident-record code has been retired.</summary>
    public const string ResidentCodeRetired = "resident-code-retired";

    /// <summary>The same index appears more than once in the batch (every occurrence is refused).</summary>
    public const string DuplicateIndex = "duplicate-index";

    /// <summary>The same number appears at more than one index of the batch (every occurrence is refused).</summary>
    public const string DuplicateNumber = "duplicate-number";
}

/// <summary>Token issuance through J-LIS (符号取得). Implemented over HTTP by <see cref="JlisHttpClient"/>, whose <see cref="HttpClient"/> must sign requests.</summary>
public interface IJlisTokenClient
{
    /// <exception cref="JlisException">J-LIS refused (the code says why: a <see cref="TokenRefusalCodes"/> value, a signature failure, …).</exception>
    Task<TokenResponse> RequestTokenAsync(TokenRequest request, CancellationToken cancellationToken = default);

    /// <exception cref="JlisException">J-LIS refused the batch as a whole.</exception>
    Task<TokenBatchResponse> RequestTokenBatchAsync(TokenBatchRequest request, CancellationToken cancellationToken = default);
}
