using System.Collections.Concurrent;
using System.Security.Cryptography;
using Renkei.Core.Crypto;
using Renkei.Network.Contracts;

namespace Renkei.Intermediate.Node;

/// <summary>
/// Other institutions' signing keys, as the network's registry publishes them (<see cref="NetworkRoutes.InstitutionLookup"/>),
/// looked up once and cached. A key that fails to verify can be looked up again (the institution may have changed keys).
/// </summary>
public sealed class InstitutionDirectory(INetworkClient network) : IDisposable
{
    private readonly ConcurrentDictionary<string, ECDsa> _signingKeys = new(StringComparer.Ordinal);

    public async Task<ECDsa> SigningKeyAsync(string institution, bool refresh, CancellationToken cancellationToken)
    {
        if (!refresh && _signingKeys.TryGetValue(institution, out var cached)) return cached;
        var info = await network.LookupInstitutionAsync(new InstitutionLookupRequest(institution), cancellationToken);
        ECDsa key;
        try
        {
            key = RequestSignature.ImportPublicKey(info.SigningPublicKey);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new CryptographicException("the registry's signing key of the institution is not an ECDSA public key");
        }
        // A replaced key is left to the garbage collector: a concurrent verification may still be using it.
        _signingKeys[institution] = key;
        return key;
    }

    public void Dispose()
    {
        foreach (var key in _signingKeys.Values) key.Dispose();
        _signingKeys.Clear();
    }
}
