using System.Diagnostics;
using Renkei.Intermediate.Contracts;
using Renkei.Network.Contracts;
using static Renkei.Cli.Commands.BenchCommands;

namespace Renkei.Cli.Bench;

/// <param name="Provided">people whose result was fetched as provided; <paramref name="Failures"/> the others (a failed submission or poll counts its whole batch)</param>
public sealed record BatchLinkageBenchResult(
    string Benchmark,
    int People,
    int Batches,
    int BatchSize,
    string Database,
    string Route,
    double Seconds,
    double PeoplePerSecond,
    long Provided,
    long Failures,
    string? FirstFailure,
    RecordCounts Records,
    double SetupSeconds,
    double[]? LoadAverage,
    MachineInfo Machine);

/// <summary>
/// <c>renkei bench linkage --mode batch</c>: batch queries (一括照会) of up to <see cref="BatchSize"/> people from ward A's
/// business system through A's intermediate server and the network to ward B's, in the country of <see cref="LinkageBench"/>.
/// The clock runs from the first submission until every person's result is fetched (and so opened and recorded by A); the
/// network forwards each batch to B in chunks under one signed request each, and every party's provision records are
/// counted and the network's chain verified after the run.
/// </summary>
public static class BatchLinkageBench
{
    public const int BatchSize = NetworkRoutes.MaxLinkageBatch;

    /// <summary>Prints the result (JSON when <paramref name="json"/>) and returns the exit code.</summary>
    public static int Print(BatchLinkageBenchResult result, bool json)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (json)
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(result, Renkei.Core.Json.JsonDefaults.Options));
        else
            Console.WriteLine($"{result.People:N0} people in {result.Batches} batch queries: {result.PeoplePerSecond:N0} people/s, {result.Failures} failed; "
                + $"records +{result.Records.Network:N0} network, +{result.Records.Inquirer:N0} inquirer, +{result.Records.Provider:N0} provider ({result.Database}, "
                + $"{result.Machine.ProcessorCount} cores, load {string.Join(" ", result.LoadAverage ?? [])})");
        if (result.FirstFailure is not null) Console.Error.WriteLine($"first failure: {result.FirstFailure}");
        return result.Failures == 0 ? ExitCodes.Success : ExitCodes.Failure;
    }

    public static async Task<BatchLinkageBenchResult> RunAsync(BenchDatabases databases, int people, bool quiet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(databases);
        var setup = Stopwatch.StartNew();
        await using var country = await LinkageBench.BenchCountry.StartAsync(databases, null, cancellationToken);
        await country.GivePeopleTokensAndCopiesAsync(people, quiet, cancellationToken);
        setup.Stop();

        using var client = country.IntermediateClientOf(LinkageBench.Inquirer);
        var before = await country.RecordHeadsAsync(cancellationToken);
        var loadAverage = LinkageBench.LoadAverage();
        long provided = 0, failures = 0, fetched = 0;
        string? firstFailure = null;
        var clock = Stopwatch.StartNew();
        var batches = Enumerable.Range(0, (people + BatchSize - 1) / BatchSize)
            .Select(b => Enumerable.Range(b * BatchSize + 1, Math.Min(BatchSize, people - b * BatchSize)).ToList()).ToList();
        await ProgressDisplay.RunAsync("people through batch queries", quiet, async progress =>
        {
            await Task.WhenAll(batches.Select(async addressees =>
            {
                try
                {
                    var batchId = Guid.NewGuid();
                    var accepted = await client.SubmitQueryBatchAsync(new InquiryBatchRequest(batchId, LinkageBench.Inquirer.Code, LinkageBench.Affair,
                        LinkageBench.Provider.Code, LinkageBench.Kind, null, addressees.Select(n => new InquiryBatchItem("p" + n, n)).ToList(),
                        Actor.System("linkage-bench", LinkageBench.Affair)), cancellationToken);
                    if (accepted.WithoutToken.Count > 0) throw new InvalidOperationException($"{accepted.WithoutToken.Count} people have no token");
                    var (after, got) = (-1, 0);
                    while (got < accepted.Submitted)
                    {
                        var page = await client.QueryBatchStatusAsync(new InquiryBatchStatusRequest(batchId, LinkageBench.Inquirer.Code, after), cancellationToken);
                        foreach (var result in page.Results)
                        {
                            if (result.Response.Outcome == LinkageOutcome.Provided && result.Response.Information is { Held: true }) Interlocked.Increment(ref provided);
                            else
                            {
                                Interlocked.Increment(ref failures);
                                Interlocked.CompareExchange(ref firstFailure, $"an item ended {result.Response.Outcome} ({result.Response.RefusalCode ?? "no code"})", null);
                            }
                        }
                        got += page.Results.Count;
                        progress.Report((Interlocked.Add(ref fetched, page.Results.Count), people));
                        if (page.Results.Count > 0) after = page.Results[^1].ItemIndex;
                        else await Task.Delay(20, cancellationToken);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Only the exception type and the service's stable code: never a personal value.
                    Interlocked.Add(ref failures, addressees.Count);
                    Interlocked.CompareExchange(ref firstFailure, e is IntermediateException refused ? $"{(int)refused.Status} {refused.Code}" : e.GetType().Name, null);
                }
            }));
            return 0;
        });
        clock.Stop();
        var after = await country.RecordHeadsAsync(cancellationToken);
        var verification = country.Network.VerifyRecords();
        return new BatchLinkageBenchResult("linkage-batch", people, batches.Count, BatchSize, databases.Provider.ToString().ToLowerInvariant(),
            "ward A's business system → A's intermediate server → network → B's intermediate server in chunks → back, loopback HTTP",
            clock.Elapsed.TotalSeconds, Math.Round(provided / clock.Elapsed.TotalSeconds, 1), provided, failures, firstFailure,
            new RecordCounts(after.Network - before.Network, after.Inquirer - before.Inquirer, after.Provider - before.Provider,
                verification.EntriesVerified, verification.IsIntact),
            Math.Round(setup.Elapsed.TotalSeconds, 3), loadAverage, MachineInfo.Current());
    }
}
