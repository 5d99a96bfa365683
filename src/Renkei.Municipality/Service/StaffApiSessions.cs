using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Renkei.Municipality.Staff;

namespace Renkei.Municipality.Service;

/// <summary>A session just opened: the bearer token (shown once, to the client that logged in) and when it lapses if unused.</summary>
public sealed class StaffApiSessionOpened(string token, DateTimeOffset expiresAt)
{
    public string Token { get; } = token;
    public DateTimeOffset ExpiresAt { get; } = expiresAt;
    public override string ToString() => $"staff API session until {ExpiresAt:O} (token hidden)";
}

/// <summary>A live session found by its token: the staff session's current state and the new (slid) expiry.</summary>
public sealed record StaffApiSessionFound(StaffSession Session, DateTimeOffset ExpiresAt);

/// <summary>
/// The API's staff sessions, in memory. A token is 256 random bits in base64url (43 characters); the table keeps only
/// its SHA-256, so neither a memory dump nor a log of the table yields a usable token. Expiry slides: a session unused
/// for <see cref="IdleTimeout"/> is gone, and every use extends it. Restarting the service ends every session.
/// </summary>
public sealed class StaffApiSessions(TimeProvider clock, TimeSpan idleTimeout)
{
    /// <summary>Length of a token as issued (32 bytes in unpadded base64url).</summary>
    public const int TokenLength = 43;

    private sealed record Entry(StaffSession Session, DateTimeOffset LastSeen);

    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);

    public TimeSpan IdleTimeout { get; } = idleTimeout > TimeSpan.Zero ? idleTimeout : throw new ArgumentOutOfRangeException(nameof(idleTimeout));

    public int Count => _sessions.Count;

    public StaffApiSessionOpened Open(StaffSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var bytes = RandomNumberGenerator.GetBytes(32);
        var token = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        CryptographicOperations.ZeroMemory(bytes);
        var now = clock.GetUtcNow();
        RemoveExpired(now);
        _sessions[Key(token)] = new Entry(session, now);
        return new StaffApiSessionOpened(token, now + IdleTimeout);
    }

    /// <summary>The session for a token, touched (its expiry slides); null when unknown, closed or idle too long.</summary>
    public StaffApiSessionFound? Find(string? token)
    {
        if (!LooksLikeToken(token)) return null;
        var key = Key(token!);
        if (!_sessions.TryGetValue(key, out var entry)) return null;
        var now = clock.GetUtcNow();
        if (now - entry.LastSeen > IdleTimeout)
        {
            _sessions.TryRemove(key, out _);
            return null;
        }
        _sessions.TryUpdate(key, entry with { LastSeen = now }, entry);
        return new StaffApiSessionFound(entry.Session, now + IdleTimeout);
    }

    /// <summary>Stores the session's new state (affair chosen or left, refreshed from the directory). No effect on a closed session.</summary>
    public void Update(string token, StaffSession session)
    {
        if (!LooksLikeToken(token)) return;
        var key = Key(token);
        if (_sessions.TryGetValue(key, out var entry)) _sessions.TryUpdate(key, entry with { Session = session }, entry);
    }

    /// <summary>Ends the session; false if there was none.</summary>
    public bool Close(string? token) => LooksLikeToken(token) && _sessions.TryRemove(Key(token!), out _);

    /// <summary>43 base64url characters: anything else is not one of ours and is not even hashed.</summary>
    public static bool LooksLikeToken(string? token) =>
        token is { Length: TokenLength } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var (key, entry) in _sessions)
            if (now - entry.LastSeen > IdleTimeout) _sessions.TryRemove(key, out _);
    }

    private static string Key(string token) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
}
