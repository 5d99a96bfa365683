using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Jlis.Contracts;

namespace Renkei.Municipality.Service;

/// <summary>
/// How a ward reaches J-LIS (住基ネット): J-LIS's address and the directory of the ward's institution keys (signing.key,
/// sealing.key; created on first use, mode 600; in the CLI <c>DataLayout.MunicipalityInstitutionKeyDirectory</c>). Every
/// request is signed as the ward (its local government code), and J-LIS answers a ward only for its own residents; J-LIS
/// must have the ward registered with that signing key (its own registry, or the network's).
/// </summary>
public sealed record WardJlisOptions(Uri Address, string KeyDirectory)
{
    /// <summary>Makes the handler (mutual TLS plugs in here); null: a plain <see cref="SocketsHttpHandler"/>.</summary>
    public Func<HttpMessageHandler>? OutgoingHandler { get; init; }

    /// <summary>How long to wait for J-LIS.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock request signatures are made with.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>The ward's signed clients of J-LIS: numbering, cards, certificate status and the certificate-signing CA. Dispose when done.</summary>
public sealed class WardJlisConnection : IDisposable
{
    private readonly InstitutionKeys _keys;

    public WardJlisConnection(LocalGovernmentCode ward, WardJlisOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeyDirectory);
        _keys = InstitutionKeys.LoadOrCreate(options.KeyDirectory);
        try
        {
            Http = SigningHandler.CreateClient(options.Address, ward.Digits, _keys.Signing, JlisTokenRoutes.JlisInstitutionCode,
                options.OutgoingHandler?.Invoke(), options.Timeout, options.Clock);
        }
        catch
        {
            _keys.Dispose();
            throw;
        }
        Numbering = new JlisHttpClient(Http);
        Cards = new CardHttpClient(Http);
        Pki = new JpkiHttpClient(Http);
        Paper = new PaperSigningHttpClient(Http);
    }

    /// <summary>The signing HTTP client (base address: J-LIS).</summary>
    public HttpClient Http { get; }

    public JlisHttpClient Numbering { get; }

    public CardHttpClient Cards { get; }

    public JpkiHttpClient Pki { get; }

    /// <summary>The certificate-signing CA (the certificate of the key that signs the ward's certificates).</summary>
    public PaperSigningHttpClient Paper { get; }

    /// <summary>The ward's public signing key as J-LIS's registry must hold it (SPKI, base64).</summary>
    public string SigningPublicKey => _keys.SigningPublicKey;

    public void Dispose()
    {
        Http.Dispose();
        _keys.Dispose();
    }
}
