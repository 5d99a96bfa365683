using System.Diagnostics;

namespace Renkei.Cli.Bench;

/// <summary>What a load run measured: throughput and latency percentiles (milliseconds).</summary>
public sealed record LoadResult(long Operations, long Failures, double Seconds, double OperationsPerSecond, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// A closed-loop load driver: <c>concurrency</c> workers each run the operation back to back until <c>total</c>
/// operations have started, timing every one. Latencies are kept per operation (8 bytes each) and sorted at the end,
/// so the percentiles are exact rather than estimated.
/// </summary>
public static class LoadDriver
{
    public static async Task<LoadResult> RunAsync(Func<long, CancellationToken, Task> operation, long total, int concurrency,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(total, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var latencies = new long[total];
        long next = -1, failures = 0, finished = 0;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            long index;
            while ((index = Interlocked.Increment(ref next)) < total)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await operation(index, cancellationToken);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failures);
                }
                latencies[index] = Stopwatch.GetTimestamp() - started;
                var done = Interlocked.Increment(ref finished);
                if (done % 1000 == 0) progress?.Report(done);
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        clock.Stop();
        Array.Sort(latencies);
        double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p * latencies.Length) - 1)] * 1000.0 / Stopwatch.Frequency;
        return new LoadResult(total, failures, Math.Round(clock.Elapsed.TotalSeconds, 3), Math.Round(total / clock.Elapsed.TotalSeconds),
            Math.Round(Percentile(0.50), 3), Math.Round(Percentile(0.99), 3), Math.Round(Percentile(1.0), 3));
    }
}
