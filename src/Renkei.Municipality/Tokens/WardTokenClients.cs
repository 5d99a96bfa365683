using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Infrastructure.Signing;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;

namespace Renkei.Municipality.Tokens;

/// <summary>
/// How a ward acquires its tokens (符号取得) as an institution on the network: J-LIS's address (asked with requests
/// signed by the ward's institution key), the ward's own intermediate server (where the network delivers), and the
/// directory of the ward's institution keys (signing.key, sealing.key; created on first use, mode 600). The ward's code
/// on the network is its local government code.
/// </summary>
public sealed record WardTokenOptions(Uri JlisAddress, Uri IntermediateAddress, string KeyDirectory)
{
    /// <summary>Makes the handler for requests to J-LIS and the intermediate server (mutual TLS plugs in here); null: plain <see cref="SocketsHttpHandler"/>s.</summary>
    public Func<HttpMessageHandler>? OutgoingHandler { get; init; }

    /// <summary>How long to wait for J-LIS (a batch includes the network's delivery) and the intermediate server.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock request signatures are made with.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}

/// <summary>The ward's ready <see cref="TokenAcquirer"/> with the HTTP clients and keys behind it. Dispose when done.</summary>
public sealed class WardTokenClients : IDisposable
{
    private readonly InstitutionKeys _keys;
    private readonly HttpClient _jlis;

    public WardTokenClients(LocalGovernmentCode ward, WardTokenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _keys = InstitutionKeys.LoadOrCreate(options.KeyDirectory);
        try
        {
            _jlis = SigningHandler.CreateClient(options.JlisAddress, ward.Digits, _keys.Signing, JlisTokenRoutes.JlisInstitutionCode, options.OutgoingHandler?.Invoke(), options.Timeout, options.Clock);
            // The ward's own intermediate server takes calls from the ward alone: signed with the same institution key.
            Intermediate = IntermediateHttpClient.Signed(options.IntermediateAddress, ward.Digits, _keys.Signing, options.OutgoingHandler?.Invoke(),
                options.Timeout, options.Clock);
        }
        catch
        {
            _jlis?.Dispose();
            _keys.Dispose();
            throw;
        }
        Jlis = new JlisHttpClient(_jlis);
        Acquirer = new TokenAcquirer(ward.Digits, new IntermediateTokenInbox(Intermediate, ward.Digits, IntermediateTokenInbox.Job), Jlis);
    }

    /// <summary>J-LIS, signing as the ward.</summary>
    public IJlisTokenClient Jlis { get; }

    /// <summary>The ward's intermediate server.</summary>
    public IntermediateHttpClient Intermediate { get; }

    public TokenAcquirer Acquirer { get; }

    /// <summary>The ward's public signing key as the network's registry must hold it (SPKI, base64).</summary>
    public string SigningPublicKey => _keys.SigningPublicKey;

    public string SealingPublicKey => _keys.SealingPublicKey;

    public void Dispose()
    {
        _jlis.Dispose();
        Intermediate.Dispose();
        _keys.Dispose();
    }
}
