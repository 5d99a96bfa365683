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
/// Several network instances on one database share the registry through it: the memory is a cache that never decides
/// alone — a code it does not know is looked up in the database (registered through another instance), and the whole
/// cache is reloaded in the background once it is older than <see cref="RefreshAfter"/> (a key replaced elsewhere).
/// </summary>
public sealed partial class InstitutionRegistry
{
    /// <summary>How long the cache is used before it is reloaded from the database (in the background, on the next lookup).</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(30);

    private readonly NetworkStore _store;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _loadedAtTicks;
    private int _reloading;

    internal sealed record Entry(InstitutionInfo Info, ECDsa SigningKey);

    internal InstitutionRegistry(NetworkStore store, TimeProvider clock)
    {
        _store = store;
        _clock = clock;
        Reload();
    }

    /// <summary>Reloads every registration from the database (what other instances registered or replaced).</summary>
    public void Reload()
    {
        var loadedAt = _clock.GetUtcNow().UtcTicks;
        foreach (var info in _store.LoadInstitutions())
            if (!_entries.TryGetValue(info.Code, out var known) || known.Info != info) _entries[info.Code] = Parse(info);
        Interlocked.Exchange(ref _loadedAtTicks, loadedAt);
    }

    /// <summary>The cached entry; a code not in memory is looked up in the database, and a stale cache is reloaded in the background.</summary>
    private Entry? Lookup(string code)
    {
        if (_clock.GetUtcNow().UtcTicks - Interlocked.Read(ref _loadedAtTicks) > RefreshAfter.Ticks && Interlocked.Exchange(ref _reloading, 1) == 0)
            _ = Task.Run(() =>
            {
                try { Reload(); }
                catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException or ArgumentException) { /* the cache stays; the next lookup tries again */ }
                finally { Volatile.Write(ref _reloading, 0); }
            });
        if (_entries.TryGetValue(code, out var entry)) return entry;
        if (!IsValidCode(code) || _store.LoadInstitution(code) is not { } info) return null;
        return _entries.GetOrAdd(code, _ => Parse(info));
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

    public InstitutionInfo? Find(string code) => Lookup(code)?.Info;

    public IReadOnlyList<InstitutionInfo> All => _entries.Values.Select(e => e.Info).OrderBy(i => i.Code, StringComparer.Ordinal).ToList();

    /// <summary>The registered signing key of <paramref name="code"/>, or null (for <c>SignedRequestVerifier</c>).</summary>
    internal ECDsa? SigningKeyOf(string code) => Lookup(code)?.SigningKey;

    internal Entry? EntryOf(string code) => Lookup(code);

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
