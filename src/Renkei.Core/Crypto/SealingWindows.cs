using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Renkei.Core.Crypto;

/// <summary>
/// A provider's windowed sealing keys (scheme <see cref="Scheme"/>): one ephemeral ECDH P-256 key pair per window, a window
/// lasting at most <see cref="MaxLifetime"/> and at most <see cref="MaxMessages"/> messages. The shared secret with each
/// recipient key is agreed once per window; each message's AES-256-GCM key is HKDF-SHA256 over that secret (salt: the
/// window's public key, info: <see cref="KeyInfoPrefix"/> ‖ the caller's info, e.g. request id, provider, inquirer and
/// kind), so every message has its own key while the elliptic-curve work is paid once per window and recipient. When a
/// window closes (its time or count is up; a timer closes an idle one) its private key is disposed and its secrets are
/// zeroed. Forward secrecy holds per window: whoever later learns one window's secret (or its ephemeral private key) reads
/// that window's messages to that recipient, and nothing else. Thread-safe.
/// </summary>
public sealed class SealingWindows : IDisposable
{
    /// <summary>The <see cref="SealedPayload.Scheme"/> of a windowed payload.</summary>
    public const string Scheme = "w1";
    public const int MaxMessages = 4096;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromSeconds(1);

    /// <summary>Every per-message key's HKDF info starts with these bytes.</summary>
    public static ReadOnlySpan<byte> KeyInfoPrefix => "renkei windowed seal v1\n"u8;

    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;
    private readonly int _maxMessages;
    private readonly Lock _gate = new();
    private Window? _current;
    private bool _disposed;

    /// <param name="lifetime">How long a window lives (at most <see cref="MaxLifetime"/>).</param>
    /// <param name="maxMessages">How many messages a window seals (at most <see cref="MaxMessages"/>).</param>
    public SealingWindows(TimeProvider? clock = null, TimeSpan? lifetime = null, int maxMessages = MaxMessages)
    {
        _clock = clock ?? TimeProvider.System;
        _lifetime = lifetime ?? MaxLifetime;
        if (_lifetime <= TimeSpan.Zero || _lifetime > MaxLifetime)
            throw new ArgumentOutOfRangeException(nameof(lifetime), $"a window lives more than 0 and at most {MaxLifetime.TotalSeconds} s");
        if (maxMessages is < 1 or > MaxMessages)
            throw new ArgumentOutOfRangeException(nameof(maxMessages), $"a window seals 1 to {MaxMessages} messages");
        _maxMessages = maxMessages;
    }

    /// <summary>How many windows have been opened (for benchmarks and tests).</summary>
    public long WindowsOpened { get; private set; }

    /// <summary>
    /// Seals <paramref name="plaintext"/> to <paramref name="recipient"/> (known to the caller as <paramref name="recipientId"/>,
    /// e.g. its SubjectPublicKeyInfo in base64: one secret per id and window) under the current window.
    /// <paramref name="info"/> goes into the message key's HKDF info; <paramref name="associatedData"/> is bound by GCM. The
    /// recipient opens it with the same info and associated data (<see cref="OpeningWindows.Open"/>).
    /// </summary>
    public SealedPayload Seal(ECDiffieHellmanPublicKey recipient, string recipientId, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> associatedData)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(recipientId);
        byte[] key;
        string windowPublic;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _clock.GetUtcNow();
            if (_current is null || now - _current.Opened >= _lifetime || _current.Sealed >= _maxMessages)
            {
                _current?.Close();
                _current = OpenWindow(now);
            }
            var window = _current;
            window.Sealed++;
            if (!window.Secrets.TryGetValue(recipientId, out var secret))
            {
                secret = window.Key!.DeriveRawSecretAgreement(recipient);
                window.Secrets.Add(recipientId, secret);
            }
            key = DeriveMessageKey(secret, window.PublicKey, info);
            windowPublic = window.PublicKeyBase64;
        }
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(MessageSealing.NonceSize);
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[MessageSealing.TagSize];
            using (var aes = new AesGcm(key, MessageSealing.TagSize)) aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
            return new SealedPayload(windowPublic, Convert.ToBase64String(nonce), Convert.ToBase64String(ciphertext), Convert.ToBase64String(tag), Scheme);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>A message's AES-256 key: HKDF-SHA256(secret, salt = the window's public key, info = <see cref="KeyInfoPrefix"/> ‖ info).</summary>
    internal static byte[] DeriveMessageKey(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> windowPublicKey, ReadOnlySpan<byte> info)
    {
        var fullInfo = new byte[KeyInfoPrefix.Length + info.Length];
        KeyInfoPrefix.CopyTo(fullInfo);
        info.CopyTo(fullInfo.AsSpan(KeyInfoPrefix.Length));
        var key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, key, windowPublicKey, fullInfo);
        return key;
    }

    /// <summary>For tests: the current window's secret with <paramref name="recipientId"/> (the live buffer, not a copy), or null.</summary>
    internal byte[]? CurrentSecret(string recipientId)
    {
        lock (_gate) return _current is { } window && window.Secrets.TryGetValue(recipientId, out var secret) ? secret : null;
    }

    private Window OpenWindow(DateTimeOffset now)
    {
        var window = new Window(now).Init();
        WindowsOpened++;
        // An idle window is closed on time too: its secrets do not outlive it waiting for the next message.
        window.Timer = _clock.CreateTimer(static state =>
        {
            var (owner, closing) = ((SealingWindows, Window))state!;
            lock (owner._gate)
            {
                if (owner._current == closing) owner._current = null;
                closing.Close();
            }
        }, (this, window), _lifetime, Timeout.InfiniteTimeSpan);
        return window;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _current?.Close();
            _current = null;
        }
    }

    private sealed class Window(DateTimeOffset opened)
    {
        public DateTimeOffset Opened { get; } = opened;
        public ECDiffieHellman? Key { get; private set; } = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        public byte[] PublicKey { get; private set; } = [];
        public string PublicKeyBase64 { get; private set; } = "";
        public int Sealed { get; set; }
        public Dictionary<string, byte[]> Secrets { get; } = new(StringComparer.Ordinal);
        public ITimer? Timer { get; set; }

        public Window Init()
        {
            PublicKey = Key!.ExportSubjectPublicKeyInfo();
            PublicKeyBase64 = Convert.ToBase64String(PublicKey);
            return this;
        }

        /// <summary>Zeroes every secret and disposes the private key (idempotent; the caller holds the owner's lock).</summary>
        public void Close()
        {
            foreach (var secret in Secrets.Values) CryptographicOperations.ZeroMemory(secret);
            Secrets.Clear();
            Key?.Dispose();
            Key = null;
            Timer?.Dispose();
            Timer = null;
        }
    }
}

/// <summary>
/// The recipient's side of <see cref="SealingWindows"/>: opens windowed payloads sealed to <c>own</c> key, agreeing the secret
/// with each window's public key once and keeping it for at most <see cref="SealingWindows.MaxLifetime"/> after that (a
/// sender's window lives no longer), at most <see cref="Capacity"/> windows at once; an expired secret is zeroed (on the next
/// call or by a timer when none comes). A payload of a window whose secret was erased is still opened: the secret is agreed
/// again. Thread-safe; <see cref="For"/> gives the process's opener of a key.
/// </summary>
public sealed class OpeningWindows : IDisposable
{
    public const int Capacity = 1024;

    private static readonly ConditionalWeakTable<ECDiffieHellman, OpeningWindows> ByKey = new();

    private readonly ECDiffieHellman _own;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _retention;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private ITimer? _sweeper;

    /// <param name="own">The recipient's ECDH key (stays the caller's; used under its lock, as <see cref="MessageSealing"/> does).</param>
    public OpeningWindows(ECDiffieHellman own, TimeProvider? clock = null, TimeSpan? retention = null)
    {
        ArgumentNullException.ThrowIfNull(own);
        _own = own;
        _clock = clock ?? TimeProvider.System;
        _retention = retention ?? SealingWindows.MaxLifetime;
        if (_retention <= TimeSpan.Zero || _retention > SealingWindows.MaxLifetime)
            throw new ArgumentOutOfRangeException(nameof(retention), $"a window's secret is kept more than 0 and at most {SealingWindows.MaxLifetime.TotalSeconds} s");
    }

    /// <summary>The process's opener for <paramref name="own"/> (one per key object).</summary>
    public static OpeningWindows For(ECDiffieHellman own)
    {
        ArgumentNullException.ThrowIfNull(own);
        return ByKey.GetValue(own, k => new OpeningWindows(k));
    }

    /// <summary>How many windows' secrets are held now.</summary>
    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    /// <summary>
    /// Opens a payload of scheme <see cref="SealingWindows.Scheme"/> with the same info and associated data it was sealed
    /// with. Throws <see cref="CryptographicException"/> when it is of another scheme, altered, sealed to another key, or
    /// bound to other info or data.
    /// </summary>
    public byte[] Open(SealedPayload sealedPayload, ReadOnlySpan<byte> info, ReadOnlySpan<byte> associatedData)
    {
        ArgumentNullException.ThrowIfNull(sealedPayload);
        if (sealedPayload.Scheme != SealingWindows.Scheme) throw new CryptographicException("sealed payload: not sealed under a window");
        var (windowPublic, nonce, ciphertext, tag) = MessageSealing.Decode(sealedPayload);
        var key = KeyFor(sealedPayload.EphemeralPublicKey, windowPublic, info);
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, MessageSealing.TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>For tests: opens with a given window secret instead of the agreed one.</summary>
    internal static byte[] OpenWithSecret(ReadOnlySpan<byte> secret, SealedPayload sealedPayload, ReadOnlySpan<byte> info, ReadOnlySpan<byte> associatedData)
    {
        var (windowPublic, nonce, ciphertext, tag) = MessageSealing.Decode(sealedPayload);
        var key = SealingWindows.DeriveMessageKey(secret, windowPublic, info);
        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(key, MessageSealing.TagSize);
        aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        return plaintext;
    }

    /// <summary>For tests: the secret held for the window with this public key (the live buffer), or null.</summary>
    internal byte[]? SecretOf(string windowPublicKey)
    {
        lock (_gate)
        {
            Sweep(_clock.GetUtcNow());
            return _entries.TryGetValue(windowPublicKey, out var entry) ? entry.Secret : null;
        }
    }

    private byte[] KeyFor(string windowId, byte[] windowPublic, ReadOnlySpan<byte> info)
    {
        lock (_gate)
        {
            Sweep(_clock.GetUtcNow());
            if (_entries.TryGetValue(windowId, out var known)) return SealingWindows.DeriveMessageKey(known.Secret, windowPublic, info);
        }
        // A new window: import its key (validates the point) and agree, outside the table's lock.
        byte[] secret;
        using (var window = ECDiffieHellman.Create())
        {
            window.ImportSubjectPublicKeyInfo(windowPublic, out _);
            if (window.KeySize != 256) throw new CryptographicException("sealed payload: the window's key is not a P-256 key");
            using var windowKey = window.PublicKey;
            lock (_own) secret = _own.DeriveRawSecretAgreement(windowKey);
        }
        lock (_gate)
        {
            if (_entries.TryGetValue(windowId, out var raced))
            {
                CryptographicOperations.ZeroMemory(secret);
                return SealingWindows.DeriveMessageKey(raced.Secret, windowPublic, info);
            }
            _entries.Add(windowId, new Entry(secret, _clock.GetUtcNow() + _retention));
            _order.Enqueue(windowId);
            while (_entries.Count > Capacity) Erase(_order.Dequeue());
            _sweeper ??= _clock.CreateTimer(static state =>
            {
                var owner = (OpeningWindows)state!;
                lock (owner._gate) owner.Sweep(owner._clock.GetUtcNow());
            }, this, _retention, _retention);
            return SealingWindows.DeriveMessageKey(secret, windowPublic, info);
        }
    }

    /// <summary>Zeroes and drops every secret past its time (oldest first); stops the timer when none is left. Under the lock.</summary>
    private void Sweep(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest))
        {
            if (_entries.TryGetValue(oldest, out var entry) && entry.Expires > now) break;
            Erase(_order.Dequeue());
        }
        if (_entries.Count == 0 && _sweeper is not null)
        {
            _sweeper.Dispose();
            _sweeper = null;
        }
    }

    private void Erase(string windowId)
    {
        if (_entries.Remove(windowId, out var entry)) CryptographicOperations.ZeroMemory(entry.Secret);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var entry in _entries.Values) CryptographicOperations.ZeroMemory(entry.Secret);
            _entries.Clear();
            _order.Clear();
            _sweeper?.Dispose();
            _sweeper = null;
        }
    }

    private sealed record Entry(byte[] Secret, DateTimeOffset Expires);
}
