using System.Collections.Concurrent;
using Renkei.Core.Cards;
using Renkei.Municipality.Contracts;

namespace Renkei.IssuanceCentre;

/// <summary>
/// One kiosk session at the centre: the kiosk it belongs to, the ward holding the card holder's register and the holder's
/// resident-record code (only here, in the centre's memory: the kiosk never learns it), and the ward's menu.
/// </summary>
internal sealed record KioskSessionState(string Kiosk, string Ward, string ResidentCode, KioskMenu Menu)
{
    /// <summary>Without the resident-record code.</summary>
    public override string ToString() => $"KioskSessionState {{ Kiosk = {Kiosk}, Ward = {Ward} }}";
}

/// <summary>
/// The kiosk sessions, in memory only, by opaque id: a session ends when its kiosk deletes it (the card is removed) or
/// after the idle timeout; each use extends it. A session is its kiosk's alone (<see cref="Find"/>).
/// </summary>
internal sealed class KioskSessions(TimeProvider clock, TimeSpan idleTimeout)
{
    private sealed record Entry(KioskSessionState Session, DateTimeOffset LastSeen);

    private readonly ConcurrentDictionary<Guid, Entry> _sessions = new();

    public Guid Open(KioskSessionState session)
    {
        RemoveExpired();
        var id = Guid.NewGuid();
        _sessions[id] = new Entry(session, clock.GetUtcNow());
        return id;
    }

    /// <summary>The live session <paramref name="id"/> of <paramref name="kiosk"/>, touched; null when unknown, ended, idle too long or another kiosk's.</summary>
    public KioskSessionState? Find(Guid id, string kiosk)
    {
        if (!_sessions.TryGetValue(id, out var entry)) return null;
        var now = clock.GetUtcNow();
        if (now - entry.LastSeen > idleTimeout)
        {
            _sessions.TryRemove(id, out _);
            return null;
        }
        if (entry.Session.Kiosk != kiosk) return null;
        _sessions[id] = entry with { LastSeen = now };
        return entry.Session;
    }

    /// <summary>Ends the kiosk's session; false when there was none of that kiosk.</summary>
    public bool Close(Guid id, string kiosk) =>
        _sessions.TryGetValue(id, out var entry) && entry.Session.Kiosk == kiosk && _sessions.TryRemove(id, out _);

    public int Count => _sessions.Count;

    private void RemoveExpired()
    {
        var now = clock.GetUtcNow();
        foreach (var (id, entry) in _sessions)
            if (now - entry.LastSeen > idleTimeout) _sessions.TryRemove(id, out _);
    }
}

/// <summary>
/// The card login challenges the centre handed to kiosks (<see cref="CardLoginChallenge"/> naming the centre), by text:
/// each serves one session, only at the kiosk it was given to and only while fresh.
/// </summary>
internal sealed class KioskChallenges(string centre, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, string> _issued = new(StringComparer.Ordinal);

    public CardLoginChallenge Issue(string kiosk)
    {
        foreach (var (text, _) in _issued)
            if (!CardLoginChallenge.TryParse(text, out var old) || !old!.IsFresh(clock)) _issued.TryRemove(text, out _);
        var challenge = CardLoginChallenge.Create(centre, clock);
        _issued[challenge.Text] = kiosk;
        return challenge;
    }

    /// <summary>Takes the challenge back for <paramref name="kiosk"/>: true when the centre gave it to that kiosk, it is fresh and unused.</summary>
    public bool Take(string? text, string kiosk)
    {
        if (text is null || !_issued.TryGetValue(text, out var owner) || owner != kiosk || !_issued.TryRemove(text, out _)) return false;
        return CardLoginChallenge.TryParse(text, out var challenge) && challenge!.IsFresh(clock);
    }
}
