using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Renkei.Core.Crypto;
using Renkei.Network.Contracts;
using Renkei.Network.Storage;
using Renkei.ServiceDefaults.Signing;

namespace Renkei.Network.Registry;

/// <summary>
/// The network's institution registry (機関情報): code, name, class, node endpoint and public keys of every institution,
/// kept in the network's database and cached in memory with the parsed signing keys. <see cref="Upsert"/> registers
/// or updates an institution at any time (the single-process demo registers nodes once their ports are known).
/// </summary>
public sealed partial class InstitutionRegistry
{
    private readonly NetworkStore _store;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    internal sealed record Entry(InstitutionInfo Info, ECDsa SigningKey);

    internal InstitutionRegistry(NetworkStore store, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        foreach (var info in store.LoadInstitutions()) _entries[info.Code] = Parse(info);
    }

    /// <summary>Registers <paramref name="info"/> or replaces what was registered under its code (durably, then in memory). Throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Upsert(InstitutionInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var entry = Parse(info);
        _store.UpsertInstitution(info, _clock.GetUtcNow());
        // A replaced key is not disposed: a request being verified may still hold it.
        _entries[info.Code] = entry;
    }

    public InstitutionInfo? Find(string code) => _entries.TryGetValue(code, out var entry) ? entry.Info : null;

    public IReadOnlyList<InstitutionInfo> All => _entries.Values.Select(e => e.Info).OrderBy(i => i.Code, StringComparer.Ordinal).ToList();

    /// <summary>The registered signing key of <paramref name="code"/>, or null (for <c>SignedRequestVerifier</c>).</summary>
    internal ECDsa? SigningKeyOf(string code) => _entries.TryGetValue(code, out var entry) ? entry.SigningKey : null;

    internal Entry? EntryOf(string code) => _entries.GetValueOrDefault(code);

    /// <summary>6–8 of 0-9 and A-Z, e.g. a local government code (131091) or an insurer number.</summary>
    public static bool IsValidCode(string? code) => code is not null && CodePattern().IsMatch(code) && code != NodeRoutes.NetworkInstitutionCode;

    private static Entry Parse(InstitutionInfo info)
    {
        if (!IsValidCode(info.Code))
            throw new ArgumentException($"an institution code is 6–8 of 0-9 and A-Z, and not {NodeRoutes.NetworkInstitutionCode} (機関コードが正しくありません)", nameof(info));
        if (string.IsNullOrWhiteSpace(info.Name)) throw new ArgumentException("an institution needs a name (機関名がありません)", nameof(info));
        if (!Enum.IsDefined(info.Class)) throw new ArgumentException("unknown institution class (機関種別が正しくありません)", nameof(info));
        if (info.Endpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
            throw new ArgumentException("an institution's endpoint is an absolute http(s) address (接続先が正しくありません)", nameof(info));
        ECDsa signing;
        try
        {
            signing = RequestSignature.ImportPublicKey(info.SigningPublicKey);
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            throw new ArgumentException("the signing key is not an ECDSA public key in SubjectPublicKeyInfo base64 (署名鍵が正しくありません)", nameof(info));
        }
        if (signing.KeySize != 256)
        {
            signing.Dispose();
            throw new ArgumentException("the signing key is not a P-256 key (署名鍵が正しくありません)", nameof(info));
        }
        try
        {
            using var sealing = ECDiffieHellman.Create();
            sealing.ImportSubjectPublicKeyInfo(Convert.FromBase64String(info.SealingPublicKey), out _);
            if (sealing.KeySize != 256) throw new CryptographicException();
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            signing.Dispose();
            throw new ArgumentException("the sealing key is not a P-256 public key in SubjectPublicKeyInfo base64 (暗号化鍵が正しくありません)", nameof(info));
        }
        return new Entry(info, signing);
    }

    [GeneratedRegex("^[0-9A-Z]{6,8}$")]
    private static partial Regex CodePattern();
}
