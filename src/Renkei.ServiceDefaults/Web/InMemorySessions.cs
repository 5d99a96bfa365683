using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Renkei.ServiceDefaults.Web;

/// <summary>
/// Login sessions of a web application (the staff console, the portal), in memory only. The cookie carries 256 random
/// bits (43 base64url characters); the store keys sessions by the cookie's SHA-256, so a memory dump of the table holds
/// no usable cookie. A session unused for the idle timeout is gone; logout removes it.
/// </summary>
public class InMemorySessions<TSession>(TimeProvider clock, TimeSpan idleTimeout) where TSession : class
{
    private sealed record Entry(TSession Session, DateTimeOffset LastSeen);

    private const int MaxCookieLength = 64;

    private readonly ConcurrentDictionary<string, Entry> _sessions = new(StringComparer.Ordinal);

    /// <summary>Opens a session and returns the cookie value for it.</summary>
    public string Open(TSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var cookie = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        RemoveExpired();
        _sessions[Key(cookie)] = new Entry(session, clock.GetUtcNow());
        return cookie;
    }

    /// <summary>The session for a cookie value, or null (unknown, closed or idle too long). Touches it.</summary>
    public TSession? Find(string? cookie)
    {
        if (!IsPlausible(cookie)) return null;
        var key = Key(cookie!);
        if (!_sessions.TryGetValue(key, out var entry)) return null;
        var now = clock.GetUtcNow();
        if (now - entry.LastSeen > idleTimeout)
        {
            _sessions.TryRemove(key, out _);
            return null;
        }
        _sessions[key] = entry with { LastSeen = now };
        return entry.Session;
    }

    /// <summary>Stores the session's new state (e.g. an affair chosen); nothing when the session is gone.</summary>
    public void Update(string cookie, TSession session)
    {
        if (!IsPlausible(cookie)) return;
        var key = Key(cookie);
        if (_sessions.TryGetValue(key, out var entry)) _sessions[key] = entry with { Session = session };
    }

    public void Close(string? cookie)
    {
        if (IsPlausible(cookie)) _sessions.TryRemove(Key(cookie!), out _);
    }

    public int Count => _sessions.Count;

    private static bool IsPlausible(string? cookie) => !string.IsNullOrEmpty(cookie) && cookie.Length <= MaxCookieLength;

    private void RemoveExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var (key, entry) in _sessions)
            if (now - entry.LastSeen > idleTimeout) _sessions.TryRemove(key, out _);
    }

    private static string Key(string cookie) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(cookie)));
}
