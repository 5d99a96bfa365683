namespace Renkei.TestSupport;

/// <summary>A clock the test moves (timers it creates run on real time; the code under test reads the time from it).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now.ToUniversalTime();
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate) _now += by;
    }
}
