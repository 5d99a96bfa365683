using System.Text.Json;
using Renkei.Municipality.Addressee;

namespace Renkei.Municipality.Business;

/// <summary>
/// One copy (副本) for the intermediate server: information kind, subject by integrated addressee number, as-of date and
/// the JSON body. Never the individual number nor the four basic facts (trust rule 3).
/// </summary>
public sealed record IntermediateCopy(string InformationKind, IntegratedAddresseeNumber Subject, DateOnly AsOf, JsonElement Body);

/// <summary>
/// Where the business systems send their copies: the intermediate server's published client. The HTTP adapter over
/// <c>Renkei.Intermediate.Contracts</c> lives with whoever wires the ward (it is not in this module, which references no
/// other institution's contracts besides J-LIS's).
/// </summary>
public interface IIntermediateFeed
{
    /// <summary>Stores or replaces the copies (idempotent per kind, subject and as-of date); <paramref name="requestId"/> makes a retry safe.</summary>
    Task SendAsync(Guid requestId, IReadOnlyList<IntermediateCopy> copies, CancellationToken cancellationToken = default);
}

public sealed record IntermediateFeedReport(long CopiesSent, long Batches, IReadOnlyDictionary<string, long> LastSequenceBySystem);

/// <summary>
/// Sends the business systems' providable information to the intermediate server: in bulk (every enrolled person of
/// every system, e.g. after the yearly tax assessment) and incrementally (people in each system's change outbox after
/// the last sequence sent). Request ids are a hash of each batch's content, so a rerun of unchanged data repeats the same ids.
/// </summary>
public sealed class IntermediateFeeder(MunicipalBusinessSystems systems, IIntermediateFeed feed, int batchSize = 5_000)
{
    public async Task<IntermediateFeedReport> SendAllAsync(DateOnly asOf, CancellationToken cancellationToken = default)
    {
        long sent = 0, batches = 0;
        var batch = new List<IntermediateCopy>(batchSize);
        foreach (var system in systems.All)
        {
            foreach (var subject in system.EnrolledAddressees())
                foreach (var kind in system.InformationKinds)
                {
                    if (system.Provide(kind, subject, asOf) is not { } info) continue;
                    batch.Add(new IntermediateCopy(info.InformationKind, info.Subject, info.AsOf, info.Body));
                    if (batch.Count == batchSize) { await Flush(); }
                }
        }
        if (batch.Count > 0) await Flush();
        return new IntermediateFeedReport(sent, batches, new Dictionary<string, long>());

        async Task Flush()
        {
            await feed.SendAsync(BatchId(batch), batch.ToList(), cancellationToken);
            sent += batch.Count;
            batches++;
            batch.Clear();
        }
    }

    /// <summary>Sends the copies of people changed after <paramref name="afterSequence"/> (per system code; missing means from the start).</summary>
    public async Task<IntermediateFeedReport> SendChangesAsync(DateOnly asOf, IReadOnlyDictionary<string, long> afterSequence, CancellationToken cancellationToken = default)
    {
        long sent = 0, batches = 0;
        var last = new Dictionary<string, long>();
        foreach (var system in systems.All)
        {
            var from = afterSequence.TryGetValue(system.SystemCode, out var s) ? s : 0;
            last[system.SystemCode] = from;
            while (true)
            {
                var changes = system.ChangesAfter(from, batchSize);
                if (changes.Count == 0) break;
                var copies = new List<IntermediateCopy>();
                foreach (var subject in changes.Select(c => c.Addressee).Distinct())
                    foreach (var kind in system.InformationKinds)
                        if (system.Provide(kind, subject, asOf) is { } info)
                            copies.Add(new IntermediateCopy(info.InformationKind, info.Subject, info.AsOf, info.Body));
                if (copies.Count > 0)
                {
                    await feed.SendAsync(BatchId(copies), copies, cancellationToken);
                    sent += copies.Count;
                    batches++;
                }
                from = changes[^1].Sequence;
                last[system.SystemCode] = from;
            }
        }
        return new IntermediateFeedReport(sent, batches, last);
    }

    /// <summary>The request id of a batch is a hash of its content: resending the same copies is a retry, changed copies are a new request.</summary>
    private static Guid BatchId(IReadOnlyList<IntermediateCopy> copies)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var c in copies)
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{c.InformationKind}|{c.Subject.Digits}|{c.AsOf:yyyy-MM-dd}|{c.Body.GetRawText()}\n"));
        return new Guid(hash.GetHashAndReset().AsSpan(0, 16));
    }
}
