using Renkei.ServiceDefaults;
using Xunit;

namespace Renkei.TestSupport;

/// <summary>
/// A service whose start its settings refuse: the start throws <typeparamref name="TException"/> naming each setting in
/// <c>named</c>, repeating none of <c>notEchoed</c> (a value that may be secret), and nothing listens on the port it was
/// given afterwards.
/// </summary>
public static class RefusedStart
{
    public static async Task<TException> AssertAsync<TException>(Func<int, Task<ServiceHost>> start, IEnumerable<string> named, params string?[] notEchoed)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(start);
        var port = LoopbackPorts.Free();
        var refused = await Assert.ThrowsAnyAsync<TException>(() => start(port));
        foreach (var setting in named) Assert.Contains(setting, refused.Message, StringComparison.Ordinal);
        foreach (var value in notEchoed)
            if (!string.IsNullOrEmpty(value)) Assert.DoesNotContain(value, refused.Message, StringComparison.Ordinal);
        Assert.False(LoopbackPorts.IsListening(port), "a service whose start was refused listens nowhere");
        return refused;
    }
}
