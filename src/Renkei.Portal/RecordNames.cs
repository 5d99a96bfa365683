using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Network.Contracts;

namespace Renkei.Portal;

/// <summary>
/// Japanese names for what a provision record names by code, from the network's signed name table
/// (<see cref="ProvisionLogRoutes.Names"/>): the portal checks its signature with the pinned network key before using it,
/// and the history page hands the same signed table to the browser, which checks it again and compares every name it
/// shows with the record's leaf (proof-verifier.js). A code the table lacks is shown as it is. The table is kept and
/// fetched again when a code is missing from it (at most once a minute) or after an hour.
/// </summary>
internal sealed class RecordNames(IPortalNetworkClient network, string pinnedKey, TimeProvider clock)
{
    private static readonly TimeSpan RefreshAfter = TimeSpan.FromHours(1);
    private static readonly TimeSpan RetryMissingAfter = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _fetch = new(1, 1);
    private volatile VerifiedNames? _current;

    /// <summary>The verified table, fetched again when <paramref name="codes"/> holds a code it lacks and it is older than a minute.</summary>
    public async Task<VerifiedNames> CurrentAsync(IEnumerable<string> codes, CancellationToken cancellationToken)
    {
        var current = _current;
        var now = clock.GetUtcNow();
        if (current is not null && now - current.FetchedAt < RefreshAfter
            && (now - current.FetchedAt < RetryMissingAfter || codes.All(current.Knows))) return current;
        await _fetch.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } other && !ReferenceEquals(other, current)) return other;
            var signed = await network.NameTableAsync(cancellationToken);
            return _current = Verify(signed, pinnedKey, clock.GetUtcNow());
        }
        finally
        {
            _fetch.Release();
        }
    }

    /// <summary>The table if its signature verifies under the pinned key; otherwise <see cref="NetworkException"/> (502 <c>name-table-unverified</c>).</summary>
    internal static VerifiedNames Verify(SignedNameTable signed, string pinnedKey, DateTimeOffset fetchedAt)
    {
        var ok = signed.NetworkPublicKey == pinnedKey;
        NameTable? table = null;
        if (ok)
        {
            using var key = ECDsa.Create();
            try
            {
                key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(pinnedKey), out _);
                ok = RequestSignature.VerifyText(key, SignedNameTable.SignedText(signed.Table), signed.Signature);
                if (ok) table = JsonSerializer.Deserialize<NameTable>(Convert.FromBase64String(signed.Table), JsonDefaults.Options);
            }
            catch (Exception e) when (e is FormatException or CryptographicException or JsonException)
            {
                ok = false;
            }
        }
        if (!ok || table is null)
            throw new NetworkException(System.Net.HttpStatusCode.BadGateway, "name-table-unverified",
                "the network's name table does not verify under the pinned key (名称表の署名を確認できません)");
        return new VerifiedNames(signed, table, fetchedAt);
    }
}

/// <summary>A name table whose signature the portal checked, with lookups that fall back to the code.</summary>
internal sealed class VerifiedNames(SignedNameTable signed, NameTable table, DateTimeOffset fetchedAt)
{
    private readonly Dictionary<string, string> _institutions = table.Institutions.ToDictionary(n => n.Code, n => n.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, string> _affairs = table.Affairs.ToDictionary(n => n.Code, n => n.Name, StringComparer.Ordinal);
    private readonly Dictionary<string, string> _kinds = table.Kinds.ToDictionary(n => n.Code, n => n.Name, StringComparer.Ordinal);

    /// <summary>The table as the network signed it (the page verifies it again).</summary>
    public SignedNameTable Signed { get; } = signed;

    public DateTimeOffset FetchedAt { get; } = fetchedAt;

    public bool Knows(string code) => _institutions.ContainsKey(code) || _affairs.ContainsKey(code) || _kinds.ContainsKey(code);

    public string Institution(string code) => _institutions.GetValueOrDefault(code, code);
    public string Affair(string code) => _affairs.GetValueOrDefault(code, code);
    public string Kind(string code) => _kinds.GetValueOrDefault(code, code);
}
