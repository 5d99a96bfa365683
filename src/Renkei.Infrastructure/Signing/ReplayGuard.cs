using System.Collections.Concurrent;
using Renkei.Core.Crypto;

namespace Renkei.Infrastructure.Signing;

/// <summary>
/// The nonces a receiver has accepted while their requests' timestamps are inside the clock window
/// (<see cref="SignatureHeaders.MaxClockSkewSeconds"/> either side): a signed request seen a second time is a replay.
/// One per receiving service (in memory: a nonce outlives its window by at most the window, so a restart forgets only
/// nonces whose requests a stale-timestamp check refuses anyway once the window has passed).
/// </summary>
public sealed class ReplayGuard(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private long _nextSweep;

    /// <summary>Records the nonce; false when <paramref name="institution"/> already used it inside the window.</summary>
    public bool TryAccept(string institution, string nonce, long timestamp)
    {
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        if (now >= Interlocked.Read(ref _nextSweep)) Sweep(now);
        // Keep it until no request with this timestamp can pass the clock check any more.
        var keepUntil = Math.Max(timestamp, now) + SignatureHeaders.MaxClockSkewSeconds;
        return _seen.TryAdd(institution + "\n" + nonce, keepUntil);
    }

    /// <summary>How many nonces are remembered now.</summary>
    public int Count => _seen.Count;

    private void Sweep(long now)
    {
        Interlocked.Exchange(ref _nextSweep, now + 10);
        foreach (var (key, keepUntil) in _seen)
            if (keepUntil < now) _seen.TryRemove(key, out _);
    }
}
