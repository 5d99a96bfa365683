namespace Renkei.StaffConsole.Tests;

/// <summary>A clock the test moves: logins spend a TOTP step, so each login moves it past the last code's step.</summary>
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
