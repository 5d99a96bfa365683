using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;

namespace Renkei.Core.Crypto;

/// <summary>
/// Signs every outgoing request as <c>institutionCode</c> for the receiving institution <c>audience</c>: buffers the body,
/// then adds the <see cref="SignatureHeaders"/> (institution, audience, Unix-seconds timestamp, a fresh nonce and the
/// ECDSA P-256 batch signature (<see cref="BatchSigner"/>) of <see cref="RequestSignature.StringToSign"/>). Put it in front of the <see cref="HttpClient"/>
/// that talks to another institution:
/// <code>new HttpClient(new SigningHandler(code, keys.Signing, receiverCode) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = … }</code>
/// Every send (a retry too) gets its own nonce, so a receiver never mistakes a retry for a replay. The key stays the
/// caller's: the handler does not dispose it.
/// </summary>
public sealed class SigningHandler(string institutionCode, ECDsa key, string? audience, TimeProvider? clock = null) : DelegatingHandler
{
    /// <summary>A request's own receiver, overriding <see cref="Audience"/> (the network's one client to every node sets it per request).</summary>
    public static readonly HttpRequestOptionsKey<string> AudienceOption = new("renkei.signature.audience");

    /// <summary>
    /// The request's body is streamed, not buffered: it is sent as it is written and the signature covers
    /// <see cref="RequestSignature.StreamedBody"/> in place of its digest (for routes the receiver declares streamed).
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> StreamedBodyOption = new("renkei.signature.streamed-body");

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string InstitutionCode { get; } = !string.IsNullOrWhiteSpace(institutionCode)
        ? institutionCode
        : throw new ArgumentException("an institution code is required", nameof(institutionCode));

    /// <summary>The institution code of the receiver; null: every request names its own (<see cref="AudienceOption"/>).</summary>
    public string? Audience { get; } = audience is null || !string.IsNullOrWhiteSpace(audience)
        ? audience
        : throw new ArgumentException("the receiving institution's code must not be blank", nameof(audience));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("a signed request needs an absolute address");
        byte[] body = [];
        var streamed = request.Options.TryGetValue(StreamedBodyOption, out var isStreamed) && isStreamed;
        if (!streamed && request.Content is { } content)
        {
            body = await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            // Replace the content with the exact bytes that were signed (a streamed content could not be read twice).
            var buffered = new ByteArrayContent(body);
            foreach (var header in content.Headers) buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
            buffered.Headers.ContentLength = body.Length;
            request.Content = buffered;
            content.Dispose();
        }
        var timestamp = _clock.GetUtcNow().ToUnixTimeSeconds();
        var nonce = RequestSignature.NewNonce();
        var audience = request.Options.TryGetValue(AudienceOption, out var own) ? own : Audience
            ?? throw new InvalidOperationException("the request names no receiving institution (SigningHandler.AudienceOption)");
        // The path a signature covers: the URI's path, decoded, without query (the receiver reads path base and path).
        var path = Uri.UnescapeDataString(uri.AbsolutePath);
        var text = streamed
            ? RequestSignature.StringToSign(request.Method.Method, path, audience, timestamp, nonce, RequestSignature.StreamedBody)
            : RequestSignature.StringToSign(request.Method.Method, path, audience, timestamp, nonce, body);
        // Signed with whatever else waits for this key at the moment (a batch of one when nothing does): one ECDSA signature
        // per batch, the key locked while it signs (ECDSA instances are not documented as thread-safe; receivers lock alike).
        var signature = await BatchSigner.For(key).SignAsync(text).ConfigureAwait(false);
        var headers = request.Headers;
        foreach (var name in (string[])[SignatureHeaders.Institution, SignatureHeaders.Audience, SignatureHeaders.Timestamp, SignatureHeaders.Nonce, SignatureHeaders.Signature])
            headers.Remove(name);
        headers.TryAddWithoutValidation(SignatureHeaders.Institution, InstitutionCode);
        headers.TryAddWithoutValidation(SignatureHeaders.Audience, audience);
        headers.TryAddWithoutValidation(SignatureHeaders.Timestamp, timestamp.ToString(CultureInfo.InvariantCulture));
        headers.TryAddWithoutValidation(SignatureHeaders.Nonce, nonce);
        headers.TryAddWithoutValidation(SignatureHeaders.Signature, signature);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A ready <see cref="HttpClient"/> that signs as <paramref name="institutionCode"/> for the receiver
    /// <paramref name="audience"/> and sends through <paramref name="inner"/> (default: a <see cref="SocketsHttpHandler"/>).
    /// </summary>
    public static HttpClient CreateClient(Uri baseAddress, string institutionCode, ECDsa key, string audience, HttpMessageHandler? inner = null,
        TimeSpan? timeout = null, TimeProvider? clock = null) =>
        new(new SigningHandler(institutionCode, key, audience, clock) { InnerHandler = inner ?? new SocketsHttpHandler() })
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
}
