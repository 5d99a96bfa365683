using Spectre.Console;

namespace Renkei.Cli;

/// <summary>
/// Progress for long work: a live bar on an interactive terminal, nothing on redirected output or
/// under --json (so machine-readable output stays clean). Bars go to stderr.
/// </summary>
public static class ProgressDisplay
{
    private static readonly IAnsiConsole ErrorConsole = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });

    public static bool Interactive => !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;

    /// <summary>Runs <paramref name="work"/> with a bar named <paramref name="label"/>; the work reports (done, total).</summary>
    public static async Task<T> RunAsync<T>(string label, bool quiet, Func<IProgress<(long Done, long Total)>, Task<T>> work)
    {
        if (quiet || !Interactive)
            return await work(new Progress<(long, long)>(_ => { }));

        T result = default!;
        await ErrorConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(label, maxValue: 1);
                var progress = new SynchronousProgress(update =>
                {
                    task.MaxValue = Math.Max(1, update.Total);
                    task.Value = Math.Min(update.Done, task.MaxValue);
                });
                result = await work(progress);
                task.Value = task.MaxValue;
            });
        return result;
    }

    /// <summary>Reports on the caller's thread (Progress&lt;T&gt; would post to the thread pool and lag behind).</summary>
    private sealed class SynchronousProgress(Action<(long Done, long Total)> report) : IProgress<(long Done, long Total)>
    {
        public void Report((long Done, long Total) value) => report(value);
    }
}
