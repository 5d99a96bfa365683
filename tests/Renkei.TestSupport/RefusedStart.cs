using Microsoft.Extensions.Options;
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

    /// <summary>
    /// A row of a module's wrong-setting theory: <paramref name="settings"/> (a start that works) with <paramref name="key"/>
    /// set to <paramref name="value"/> (null: left out) refuse the start naming <paramref name="named"/>. A database
    /// setting's value (it may hold a password) and <paramref name="notEchoed"/> are not repeated, and nothing listens.
    /// </summary>
    public static Task<TException> SettingAsync<TException>(Func<IReadOnlyDictionary<string, string?>, int, Task<ServiceHost>> start,
        Dictionary<string, string?> settings, string key, string? value, string named, params string?[] notEchoed)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (value is null) settings.Remove(key);
        else settings[key] = value;
        string?[] secrets = key.EndsWith("Database", StringComparison.Ordinal) ? [value, .. notEchoed] : notEchoed;
        return AssertAsync<TException>(port => start(settings, port), [named], secrets);
    }
}
