using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Numbers;

namespace Renkei.Portal;

/// <summary>
/// One resident's login session: nothing but the person's portal token (符号) and when the login happened. The token is
/// masked when printed (<see cref="Token.ToString"/>) and never leaves the portal's memory.
/// </summary>
internal sealed record PortalSession(Token Token, DateTimeOffset LoggedInAt);

/// <summary>
/// The portal's sessions, in memory only: the cookie carries a random 256-bit value, the store keys sessions by its
/// SHA-256 (a memory dump shows no usable cookie). A session unused for the idle timeout is gone; logout removes it.
/// </summary>
internal sealed class PortalSessions(TimeProvider clock, TimeSpan idleTimeout)
{
    private sealed record Entry(PortalSession Session, DateTimeOffset LastSeen);

    private readonly ConcurrentDictionary<string, Entry> _sessions = new();

    /// <summary>Opens a session and returns the cookie value (43 base64url characters).</summary>
    public string Open(PortalSession session)
    {
        var cookie = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        RemoveExpired();
        _sessions[Key(cookie)] = new Entry(session, clock.GetUtcNow());
        return cookie;
    }

    /// <summary>The session for a cookie value, or null (unknown, closed or idle too long). Touches it.</summary>
    public PortalSession? Find(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie) || cookie.Length > 64) return null;
        var key = Key(cookie);
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

    public void Close(string? cookie)
    {
        if (!string.IsNullOrEmpty(cookie) && cookie.Length <= 64) _sessions.TryRemove(Key(cookie), out _);
    }

    public int Count => _sessions.Count;

    private void RemoveExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var (key, entry) in _sessions)
            if (now - entry.LastSeen > idleTimeout) _sessions.TryRemove(key, out _);
    }

    private static string Key(string cookie) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(cookie)));
}

/// <summary>
/// The login challenges the portal handed out (<see cref="Renkei.Core.Cards.CardLoginChallenge"/>), by nonce. Each is used
/// at most once and only while fresh: a signature over a challenge the portal did not issue, or issued and already used,
/// is refused before J-LIS is asked.
/// </summary>
internal sealed class LoginChallenges(string relyingParty, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Renkei.Core.Cards.CardLoginChallenge> _issued = new(StringComparer.Ordinal);

    public Renkei.Core.Cards.CardLoginChallenge Issue()
    {
        foreach (var (nonce, old) in _issued)
            if (!old.IsFresh(clock)) _issued.TryRemove(nonce, out _);
        var challenge = Renkei.Core.Cards.CardLoginChallenge.Create(relyingParty, clock);
        _issued[challenge.Nonce] = challenge;
        return challenge;
    }

    /// <summary>The challenge with this nonce, removed so it cannot be used again; null when unknown, used or stale.</summary>
    public Renkei.Core.Cards.CardLoginChallenge? Take(string? nonce)
    {
        if (string.IsNullOrEmpty(nonce) || nonce.Length != 43 || !_issued.TryRemove(nonce, out var challenge)) return null;
        return challenge.IsFresh(clock) ? challenge : null;
    }
}
