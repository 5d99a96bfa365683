using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Crypto;

namespace Renkei.Core.Tests.Crypto;

/// <summary>
/// Windowed sealing keys (<see cref="SealingWindows"/>, <see cref="OpeningWindows"/>): one ephemeral key per window (at most
/// 1 s and 4,096 messages), one agreement per recipient and window, a key of its own per message, secrets erased when
/// the window closes.
/// </summary>
public sealed class SealingWindowsTests : IDisposable
{
    private readonly ECDiffieHellman _recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDiffieHellmanPublicKey _recipientPublic;
    private readonly string _recipientId;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 12, 6, 10, 0, 0, TimeSpan.Zero));

    public SealingWindowsTests()
    {
        _recipientPublic = _recipient.PublicKey;
        _recipientId = Convert.ToBase64String(_recipient.ExportSubjectPublicKeyInfo());
    }

    public void Dispose()
    {
        _recipientPublic.Dispose();
        _recipient.Dispose();
    }

    private static byte[] Info(string requestId) => Encoding.UTF8.GetBytes("request " + requestId + " provider P inquirer I kind local-tax");
    private static readonly byte[] Data = "associated"u8.ToArray();
    private static readonly byte[] Plain = """{"held":true,"kind":"local-tax"}"""u8.ToArray();

    private SealedPayload Seal(SealingWindows windows, string requestId) => windows.Seal(_recipientPublic, _recipientId, Plain, Info(requestId), Data);

    [Fact]
    public void Two_answers_of_one_window_have_different_keys()
    {
        using var windows = new SealingWindows(_clock);
        var first = Seal(windows, "1");
        var second = Seal(windows, "2");
        Assert.Equal(first.EphemeralPublicKey, second.EphemeralPublicKey); // one window, one agreement
        Assert.Equal(1, windows.WindowsOpened);

        var secret = windows.CurrentSecret(_recipientId)!;
        var windowKey = Convert.FromBase64String(first.EphemeralPublicKey);
        Assert.NotEqual(SealingWindows.DeriveMessageKey(secret, windowKey, Info("1")), SealingWindows.DeriveMessageKey(secret, windowKey, Info("2")));

        using var opener = new OpeningWindows(_recipient, _clock);
        Assert.Equal(Plain, opener.Open(first, Info("1"), Data));
        Assert.Equal(Plain, opener.Open(second, Info("2"), Data));
        // Each answer's key opens that answer only.
        Assert.ThrowsAny<CryptographicException>(() => opener.Open(first, Info("2"), Data));
        Assert.ThrowsAny<CryptographicException>(() => opener.Open(second, Info("1"), Data));
        Assert.ThrowsAny<CryptographicException>(() => opener.Open(first, Info("1"), "other"u8));
        Assert.Equal(1, opener.Count); // the window's secret was agreed once
    }

    [Fact]
    public void An_answer_cannot_be_opened_with_another_windows_secret()
    {
        using var windows = new SealingWindows(_clock);
        var first = Seal(windows, "1");
        var firstSecret = (byte[])windows.CurrentSecret(_recipientId)!.Clone();
        _clock.Advance(SealingWindows.MaxLifetime);
        var second = Seal(windows, "2");
        var secondSecret = (byte[])windows.CurrentSecret(_recipientId)!.Clone();
        Assert.NotEqual(first.EphemeralPublicKey, second.EphemeralPublicKey);
        Assert.NotEqual(firstSecret, secondSecret);

        Assert.Equal(Plain, OpeningWindows.OpenWithSecret(firstSecret, first, Info("1"), Data));
        Assert.ThrowsAny<CryptographicException>(() => OpeningWindows.OpenWithSecret(secondSecret, first, Info("1"), Data));
        Assert.ThrowsAny<CryptographicException>(() => OpeningWindows.OpenWithSecret(firstSecret, second, Info("2"), Data));
        // Another recipient's key opens neither.
        using var stranger = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        using var strangerOpener = new OpeningWindows(stranger, _clock);
        Assert.ThrowsAny<CryptographicException>(() => strangerOpener.Open(first, Info("1"), Data));
        // A windowed payload is not a single-message one and the other way round.
        Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(_recipient, first, Data));
        using var opener = new OpeningWindows(_recipient, _clock);
        Assert.ThrowsAny<CryptographicException>(() => opener.Open(MessageSealing.Seal(_recipientPublic, Plain, Data), Info("1"), Data));
    }

    [Fact]
    public void A_windows_secret_is_gone_after_it_closes_by_time_even_with_no_further_message()
    {
        using var windows = new SealingWindows(_clock);
        var payload = Seal(windows, "1");
        var providerSecret = windows.CurrentSecret(_recipientId)!;
        using var opener = new OpeningWindows(_recipient, _clock);
        Assert.Equal(Plain, opener.Open(payload, Info("1"), Data));
        var recipientSecret = opener.SecretOf(payload.EphemeralPublicKey)!;
        Assert.Equal(providerSecret, recipientSecret); // both sides agreed the same secret
        Assert.Contains(providerSecret, b => b != 0);

        _clock.Advance(SealingWindows.MaxLifetime); // the timers close the provider's window and drop the recipient's secret

        Assert.All(providerSecret, b => Assert.Equal(0, b));
        Assert.Null(windows.CurrentSecret(_recipientId));
        Assert.All(recipientSecret, b => Assert.Equal(0, b));
        Assert.Null(opener.SecretOf(payload.EphemeralPublicKey));
        Assert.Equal(0, opener.Count);
        // A late answer of the closed window still opens for its recipient: the secret is agreed again.
        Assert.Equal(Plain, opener.Open(payload, Info("1"), Data));
    }

    [Fact]
    public void A_window_closes_after_its_last_message_and_its_secret_is_erased()
    {
        using var windows = new SealingWindows(_clock, maxMessages: 3);
        var sealedOnes = Enumerable.Range(0, 3).Select(i => Seal(windows, i.ToString())).ToList();
        var secret = windows.CurrentSecret(_recipientId)!;
        Assert.Single(sealedOnes.Select(p => p.EphemeralPublicKey).Distinct());

        var fourth = Seal(windows, "3");
        Assert.NotEqual(sealedOnes[0].EphemeralPublicKey, fourth.EphemeralPublicKey);
        Assert.All(secret, b => Assert.Equal(0, b));
        Assert.Equal(2, windows.WindowsOpened);
    }

    [Fact]
    public void A_window_seals_at_most_4096_messages_and_lives_at_most_one_second()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SealingWindows(_clock, maxMessages: SealingWindows.MaxMessages + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SealingWindows(_clock, lifetime: TimeSpan.FromSeconds(1.5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpeningWindows(_recipient, _clock, TimeSpan.FromSeconds(2)));

        using var windows = new SealingWindows(_clock);
        var keys = Enumerable.Range(0, SealingWindows.MaxMessages + 1).Select(i => Seal(windows, i.ToString()).EphemeralPublicKey).ToList();
        Assert.Single(keys.Take(SealingWindows.MaxMessages).Distinct());
        Assert.NotEqual(keys[0], keys[^1]);

        _clock.Advance(SealingWindows.MaxLifetime - TimeSpan.FromMilliseconds(1));
        Assert.Equal(keys[^1], Seal(windows, "x").EphemeralPublicKey);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.NotEqual(keys[^1], Seal(windows, "y").EphemeralPublicKey);
    }

    /// <summary>A clock that moves only when told, firing due timers as it does.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private readonly Lock _gate = new();
        private readonly List<ManualTimer> _timers = [];
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow()
        {
            lock (_gate) return _now;
        }

        public void Advance(TimeSpan by)
        {
            List<ManualTimer> due;
            lock (_gate)
            {
                _now += by;
                due = _timers.Where(t => t.Due <= _now).ToList();
            }
            foreach (var timer in due) timer.Fire();
        }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(this, callback, state, period);
            lock (_gate)
            {
                timer.Due = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : _now + dueTime;
                _timers.Add(timer);
            }
            return timer;
        }

        private sealed class ManualTimer(ManualClock clock, TimerCallback callback, object? state, TimeSpan period) : ITimer
        {
            public DateTimeOffset Due { get; set; }

            public void Fire()
            {
                lock (clock._gate)
                {
                    if (!clock._timers.Contains(this)) return;
                    if (period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero) clock._timers.Remove(this);
                    else Due = clock._now + period;
                }
                callback(state);
            }

            public bool Change(TimeSpan dueTime, TimeSpan newPeriod) => throw new NotSupportedException();

            public void Dispose()
            {
                lock (clock._gate) clock._timers.Remove(this);
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
