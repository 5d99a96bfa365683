using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Business;

namespace Renkei.Municipality.Service;

/// <summary>
/// Runs the ward's <see cref="WardCopyFeed"/> inside the ward's service: at once after each register event of this
/// service, every <see cref="WardCopyFeedSettings.Interval"/> for changes made elsewhere, and again after a failure
/// (the intermediate server down: nothing is lost, the outbox waits).
/// </summary>
internal sealed class CopyFeedWorker(WardCopyFeed feed, IOptions<WardOptions> options, ILogger<CopyFeedWorker> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Wakes the worker (a register event was committed).</summary>
    public void Wake()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { } // already awake
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.CopyFeed.Interval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var more = false;
            try
            {
                var report = await feed.RunOnceAsync(stoppingToken);
                if (report.SentAnything)
                    logger.LogInformation("copy feed: {Households} households, {ResidentCopies} resident-record copies, {BusinessCopies} business copies, {Runs} full runs",
                        report.Households, report.ResidentCopies, report.BusinessCopies, report.FullRuns);
                more = report.SentAnything;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception failure)
            {
                // The intermediate server down or refusing, the database busy: the outbox keeps everything for the next round.
                // Only the kind and the stable code are logged (a message could name a kind of information, never a person).
                var code = failure switch { IntermediateException e => e.Code, BusinessSystemException e => e.Code, _ => null };
                logger.LogWarning("copy feed: not sent ({Kind} {Code}); retrying in {Interval}", failure.GetType().Name, code, interval);
            }
            if (more) continue;
            try { await _wake.WaitAsync(interval, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
