using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Crypto;
using Renkei.Infrastructure.Signing;

namespace Renkei.ServiceDefaults.Signing;

/// <summary>
/// A request body read by <see cref="SignedRequestVerifier.ReadAsync"/>: either verified (the sender's
/// <see cref="Institution"/> and the exact <see cref="Body"/> it signed) or refused with a stable
/// <see cref="FailureCode"/> (<see cref="SignedRequestVerifier.UnsignedRequest"/>, <see cref="SignedRequestVerifier.UnknownInstitution"/>,
/// <see cref="SignedRequestVerifier.BadSignature"/>, <see cref="SignedRequestVerifier.StaleTimestamp"/>,
/// <see cref="SignedRequestVerifier.WrongAudience"/>, <see cref="SignedRequestVerifier.ReplayedRequest"/>, <see cref="SignedRequestVerifier.BodyTooLarge"/>) and a message for a <see cref="Renkei.Core.Json.ProblemBody"/>.
/// </summary>
public sealed class SignedRequest
{
    private SignedRequest(string? institution, byte[] body, string? failureCode, string? failureMessage, int failureStatus)
    {
        Institution = institution;
        Body = body;
        FailureCode = failureCode;
        FailureMessage = failureMessage;
        FailureStatus = failureStatus;
    }

    public bool IsVerified => FailureCode is null;

    /// <summary>The sender's institution code (verified when <see cref="IsVerified"/>; as claimed otherwise, possibly null).</summary>
    public string? Institution { get; }

    /// <summary>The body bytes the signature covers; when refused, what was read of it (empty unless the refusal is <see cref="SignedRequestVerifier.BadSignature"/>).</summary>
    public byte[] Body { get; }

    public string? FailureCode { get; }
    public string? FailureMessage { get; }

    /// <summary>401, or 413 for <see cref="SignedRequestVerifier.BodyTooLarge"/>.</summary>
    public int FailureStatus { get; }

    /// <summary>The refusal as a problem response (only when not verified).</summary>
    public IResult ToProblem() => IsVerified
        ? throw new InvalidOperationException("the request was verified")
        : ErrorResponses.Problem(FailureStatus, FailureCode!, FailureMessage!);

    internal static SignedRequest Verified(string institution, byte[] body) => new(institution, body, null, null, 0);

    internal static SignedRequest Refused(string? institution, string code, string message, int status = StatusCodes.Status401Unauthorized, byte[]? body = null) =>
        new(institution, body ?? [], code, message, status);
}

/// <summary>
/// The receiving side of <see cref="SigningHandler"/>: reads the body and checks the <see cref="SignatureHeaders"/>
/// against the sender's registered signing key (ECDSA P-256 over Core <see cref="RequestSignature.StringToSign"/>): the
/// signature, the clock window, that the request is meant for this receiver (<see cref="SignatureHeaders.Audience"/>) and
/// that its nonce was not seen before (<see cref="ReplayGuard"/>). A request the service's authentication already verified
/// (<see cref="Access.InstitutionAuthentication"/>) is not verified twice: the verified body is reused.
/// </summary>
public static class SignedRequestVerifier
{
    public const string UnsignedRequest = "unsigned-request";
    public const string UnknownInstitution = "unknown-institution";
    public const string BadSignature = "bad-signature";
    public const string StaleTimestamp = "stale-timestamp";
    public const string BodyTooLarge = "body-too-large";
    public const string WrongAudience = "wrong-audience";
    public const string ReplayedRequest = "replayed-request";

    /// <summary>The largest body read (64 MiB: a token batch of 50,000 is about 3 MiB).</summary>
    public const int DefaultMaxBodyBytes = 64 << 20;

    /// <summary>
    /// Reads and verifies the request. <paramref name="signingKeyOf"/> returns the registered ECDSA public key of an
    /// institution code, or null when it is not registered; the key stays the function's (it is not disposed) and may be
    /// shared between requests. <paramref name="audience"/> is the receiver's own institution code; <paramref name="replays"/>
    /// the receiver's nonce memory (null: no replay check, for test peers only).
    /// </summary>
    public static Task<SignedRequest> ReadAsync(HttpContext context, Func<string, ECDsa?> signingKeyOf, TimeProvider clock, string audience,
        ReplayGuard? replays = null, int maxBodyBytes = DefaultMaxBodyBytes)
    {
        ArgumentNullException.ThrowIfNull(signingKeyOf);
        return ReadAsync(context, (code, _) => ValueTask.FromResult(signingKeyOf(code)), clock, audience, replays, maxBodyBytes);
    }

    /// <summary>
    /// <see cref="ReadAsync(HttpContext, Func{string, ECDsa?}, TimeProvider, string, ReplayGuard?, int)"/> with a key lookup that may call out (a registry cache).
    /// <paramref name="streamedBody"/>: the route streams its body (<see cref="RequestSignature.StreamedBody"/>): the signature
    /// is checked over the headers alone, the body is left unread for the handler and <see cref="SignedRequest.Body"/> is empty.
    /// </summary>
    public static async Task<SignedRequest> ReadAsync(HttpContext context, Func<string, CancellationToken, ValueTask<ECDsa?>> signingKeyOf, TimeProvider clock,
        string audience, ReplayGuard? replays = null, int maxBodyBytes = DefaultMaxBodyBytes, bool streamedBody = false)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(signingKeyOf);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentException.ThrowIfNullOrWhiteSpace(audience);
        if (context.Features.Get<SignedRequest>() is { IsVerified: true } already) return already;

        var headers = context.Request.Headers;
        var institution = headers[SignatureHeaders.Institution].ToString();
        var timestampText = headers[SignatureHeaders.Timestamp].ToString();
        var signature = headers[SignatureHeaders.Signature].ToString();
        var claimedAudience = headers[SignatureHeaders.Audience].ToString();
        var nonce = headers[SignatureHeaders.Nonce].ToString();
        if (institution.Length == 0 || timestampText.Length == 0 || signature.Length == 0 || claimedAudience.Length == 0 || nonce.Length == 0)
            return SignedRequest.Refused(institution.Length == 0 ? null : institution, UnsignedRequest,
                $"the request is not signed: {SignatureHeaders.Institution}, {SignatureHeaders.Audience}, {SignatureHeaders.Timestamp}, {SignatureHeaders.Nonce} and {SignatureHeaders.Signature} are required (署名がありません)");
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp))
            return SignedRequest.Refused(institution, UnsignedRequest, $"{SignatureHeaders.Timestamp} is not Unix seconds (時刻の形式が正しくありません)");
        if (!RequestSignature.IsWellFormedNonce(nonce))
            return SignedRequest.Refused(institution, UnsignedRequest, $"{SignatureHeaders.Nonce}: 16–64 base64url characters (ノンスの形式が正しくありません)");
        if (!string.Equals(claimedAudience, audience, StringComparison.Ordinal))
            return SignedRequest.Refused(institution, WrongAudience,
                "the request is signed for another receiving institution (宛先の機関が異なる要求です)");
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (Math.Abs(now - timestamp) > SignatureHeaders.MaxClockSkewSeconds)
            return SignedRequest.Refused(institution, StaleTimestamp,
                $"the request's timestamp is more than {SignatureHeaders.MaxClockSkewSeconds} seconds from the receiver's clock (時刻がずれています)");
        var key = await signingKeyOf(institution, context.RequestAborted).ConfigureAwait(false);
        if (key is null)
            return SignedRequest.Refused(institution, UnknownInstitution, "the sending institution is not registered (登録されていない機関です)");

        var (body, tooLarge) = streamedBody ? ([], false) : await ReadBodyAsync(context, maxBodyBytes).ConfigureAwait(false);
        if (tooLarge)
            return SignedRequest.Refused(institution, BodyTooLarge, $"the request body is larger than {maxBodyBytes} bytes (要求が大きすぎます)", StatusCodes.Status413PayloadTooLarge);
        var path = PathOf(context.Request);
        var digest = streamedBody ? RequestSignature.StreamedBody : Digest(body);
        if (!Verify(key, context.Request.Method, path, audience, timestamp, nonce, digest, signature))
            return SignedRequest.Refused(institution, BadSignature, "the request's signature does not verify with the institution's registered key (署名を検証できません)", body: body);
        // Only a verified request spends its nonce: a forged one must not block the real sender's request.
        if (replays is not null && !replays.TryAccept(institution, nonce, timestamp))
            return SignedRequest.Refused(institution, ReplayedRequest,
                "this signed request was already received; a retry must be signed anew (同じ要求が再送されました)");
        var verified = SignedRequest.Verified(institution, body);
        context.Features.Set(verified);
        // Later readers (a handler that parses the body itself) read the verified bytes.
        if (!streamedBody) context.Request.Body = new MemoryStream(body, writable: false);
        return verified;
    }

    /// <summary>Reads the whole body, at most <paramref name="maxBodyBytes"/>.</summary>
    private static async Task<(byte[] Body, bool TooLarge)> ReadBodyAsync(HttpContext context, int maxBodyBytes)
    {
        var declared = context.Request.ContentLength;
        if (declared > maxBodyBytes) return ([], true);
        using var buffer = new MemoryStream(declared is > 0 and <= int.MaxValue ? (int)declared.Value : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBodyBytes) return ([], true);
            buffer.Write(chunk, 0, read);
        }
        return (buffer.ToArray(), false);
    }

    /// <summary>The path a signature covers on the server: path base and path, decoded, without query.</summary>
    public static string PathOf(HttpRequest request) => request.PathBase.Add(request.Path).Value ?? "/";

    /// <summary>Verifies a signature with <paramref name="key"/>, one verification at a time per key (as <see cref="SigningHandler"/> signs).</summary>
    public static bool Verify(ECDsa key, string method, string path, string audience, long unixSeconds, string nonce, ReadOnlySpan<byte> body, string signature) =>
        Verify(key, method, path, audience, unixSeconds, nonce, Digest(body), signature);

    private static string Digest(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    private static bool Verify(ECDsa key, string method, string path, string audience, long unixSeconds, string nonce, string bodyDigest, string signature)
    {
        var text = RequestSignature.StringToSign(method, path, audience, unixSeconds, nonce, bodyDigest);
        try
        {
            lock (key) return RequestSignature.VerifyText(key, text, signature);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
