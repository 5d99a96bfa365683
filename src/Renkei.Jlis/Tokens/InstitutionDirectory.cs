using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Renkei.Core.Crypto;
using Renkei.Jlis.Numbering;
using Renkei.Network.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Jlis.Tokens;

/// <summary>
/// The institutions J-LIS answers token requests for, as the network's registry describes them
/// (<see cref="NetworkRoutes.InstitutionLookup"/>, asked signed as J-LIS): class and signing key, cached for a while so a
/// bulk run costs one lookup. An institution the network does not know is remembered as unknown for a short time only.
/// </summary>
internal sealed partial class InstitutionDirectory(INetworkClient network, TimeProvider clock, TimeSpan cacheTime) : IDisposable
{
    private const int MaxEntries = 10_000;
    private static readonly TimeSpan UnknownCacheTime = TimeSpan.FromSeconds(30);

    public sealed record Entry(InstitutionInfo Info, ECDsa SigningKey);

    private readonly ConcurrentDictionary<string, (Entry? Entry, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>The registered institution with this code, or null when the network does not know it.</summary>
    /// <exception cref="RefusalException">the network did not answer (network-unavailable).</exception>
    public async Task<Entry?> FindAsync(string code, CancellationToken cancellationToken)
    {
        if (!CodePattern().IsMatch(code)) return null;
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(code, out var cached) && cached.Expires > now) return cached.Entry;

        Entry? entry = null;
        try
        {
            var info = await network.LookupInstitutionAsync(new InstitutionLookupRequest(code), cancellationToken);
            if (info.Code == code) entry = new Entry(info, RequestSignature.ImportPublicKey(info.SigningPublicKey));
        }
        catch (NetworkException e) when (e.Status == HttpStatusCode.NotFound || e.Code is "unknown-institution" or "not-found")
        {
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            // A registry entry whose key does not import cannot sign anything J-LIS could verify.
        }
        catch (Exception e) when (e is NetworkException or HttpRequestException or TaskCanceledException or IOException)
        {
            throw new RefusalException(StatusCodes.Status503ServiceUnavailable, "network-unavailable",
                "J-LIS could not look the institution up at the information provision network; try again later (情報提供ネットワークシステムに接続できません)");
        }
        if (_cache.Count >= MaxEntries) _cache.Clear();
        // Replaced keys are not disposed: a request may still be verifying with one (the finalizer releases it).
        _cache[code] = (entry, now + (entry is null ? (cacheTime < UnknownCacheTime ? cacheTime : UnknownCacheTime) : cacheTime));
        return entry;
    }

    public void Dispose()
    {
        foreach (var (_, (entry, _)) in _cache) entry?.SigningKey.Dispose();
        _cache.Clear();
    }

    /// <summary>Institution codes as the network's registry has them: 6–8 of 0-9 and A-Z.</summary>
    [GeneratedRegex("^[0-9A-Z]{6,8}$")]
    private static partial Regex CodePattern();
}
