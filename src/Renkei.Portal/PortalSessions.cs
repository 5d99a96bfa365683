using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Numbers;
using Renkei.ServiceDefaults.Web;

namespace Renkei.Portal;

/// <summary>
/// One resident's login session: nothing but the person's portal token (符号) and when the login happened. The token is
/// masked when printed (<see cref="Token.ToString"/>) and never leaves the portal's memory.
/// </summary>
internal sealed record PortalSession(Token Token, DateTimeOffset LoggedInAt);

/// <summary>The portal's sessions, in memory only (see <see cref="InMemorySessions{TSession}"/>).</summary>
internal sealed class PortalSessions(TimeProvider clock, TimeSpan idleTimeout) : InMemorySessions<PortalSession>(clock, idleTimeout);

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
