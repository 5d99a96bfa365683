using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Renkei.Core.Crypto;

namespace Renkei.Infrastructure.Signing;

/// <summary>
/// Signs every outgoing request as <c>institutionCode</c>: buffers the body, then adds the
/// <see cref="SignatureHeaders"/> (institution, Unix-seconds timestamp and the ECDSA P-256 signature of
/// <see cref="RequestSignature.StringToSign"/>). Put it in front of the <see cref="HttpClient"/> that talks to the
/// network (or, for the network, to an institution's node):
/// <code>new HttpClient(new SigningHandler(code, keys.Signing) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = … }</code>
/// The key stays the caller's: the handler does not dispose it.
/// </summary>
public sealed class SigningHandler(string institutionCode, ECDsa key, TimeProvider? clock = null) : DelegatingHandler
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string InstitutionCode { get; } = !string.IsNullOrWhiteSpace(institutionCode)
        ? institutionCode
        : throw new ArgumentException("an institution code is required", nameof(institutionCode));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri ?? throw new InvalidOperationException("a signed request needs an absolute address");
        byte[] body = [];
        if (request.Content is { } content)
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
        var signature = SignedRequestVerifier.Sign(key, request.Method.Method, SignedRequestVerifier.PathOf(uri), timestamp, body);
        var headers = request.Headers;
        headers.Remove(SignatureHeaders.Institution);
        headers.Remove(SignatureHeaders.Timestamp);
        headers.Remove(SignatureHeaders.Signature);
        headers.TryAddWithoutValidation(SignatureHeaders.Institution, InstitutionCode);
        headers.TryAddWithoutValidation(SignatureHeaders.Timestamp, timestamp.ToString(CultureInfo.InvariantCulture));
        headers.TryAddWithoutValidation(SignatureHeaders.Signature, signature);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A ready <see cref="HttpClient"/> that signs as <paramref name="institutionCode"/> and sends through <paramref name="inner"/> (default: a <see cref="SocketsHttpHandler"/>).</summary>
    public static HttpClient CreateClient(Uri baseAddress, string institutionCode, ECDsa key, HttpMessageHandler? inner = null, TimeSpan? timeout = null, TimeProvider? clock = null) =>
        new(new SigningHandler(institutionCode, key, clock) { InnerHandler = inner ?? new SocketsHttpHandler() })
        {
            BaseAddress = baseAddress,
            Timeout = timeout ?? TimeSpan.FromSeconds(100),
        };
}
