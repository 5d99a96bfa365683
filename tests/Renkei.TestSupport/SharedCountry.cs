using System.Collections.Concurrent;
using Xunit;

namespace Renkei.TestSupport;

/// <summary>
/// A country (or a harness on one) that the tests of a class share as an xunit class fixture instead of starting one per
/// test: one per database engine, started when a test first asks for it (<see cref="For"/>) and stopped after the class's
/// last test. Only for tests that read what the country holds or add records of their own without counting anyone
/// else's.
/// </summary>
public sealed class SharedCountry<T> : IAsyncLifetime where T : class, IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _started = new();

    /// <summary>The country on <paramref name="provider"/>'s engine, started by <paramref name="start"/> the first time it is asked for.</summary>
    public Task<T> For(string provider, Func<string, Task<T>> start) =>
        _started.GetOrAdd(provider, p => new Lazy<Task<T>>(() => start(p))).Value;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var started in _started.Values)
        {
            // A start that failed has failed its tests already and left nothing behind.
            if (started.Value is { IsCompletedSuccessfully: true } country) await (await country).DisposeAsync();
        }
    }
}
