using System.Data;
using System.Security.Cryptography;
using System.Text;
using Renkei.Holders.Records;
using Renkei.Holders.Storage;
using Renkei.Intermediate.Contracts;
using Renkei.Holders.Contracts;
using Renkei.ServiceDefaults;

namespace Renkei.Holders.Feed;

/// <summary>
/// Sends the holder's copies (副本) to its own intermediate server over the intermediate server's published client,
/// keyed by the holder's person ID in the addressee-number field. The outbox is <c>holder_copy_state</c>: every change of
/// a record raises the version of the person's copy; a feed sends each copy whose version has not been sent, then records
/// it as sent. The copy's version is that record version, so the intermediate server never lets an older state replace a
/// newer one, and a request id is a hash of what it sends, so a feed interrupted anywhere can simply run again.
/// A person who no longer has anything to provide has the copy withdrawn (<see cref="IntermediateRoutes.Delete"/>).
/// </summary>
public sealed class CopyFeed(HolderRecords records, IIntermediateClient intermediate)
{
    public const int DefaultBatchSize = 5_000;
    public const string WithdrawReason = "no-longer-held";

    /// <summary>The feed acting as a job of its own: the intermediate server keeps it with every copy change it makes.</summary>
    public static readonly Actor Job = Actor.System("copy-feed", "copy-registration");

    private readonly SemaphoreSlim _gate = new(1, 1);

    public HolderRecords Records { get; } = records;

    /// <summary>
    /// Sends every pending copy (or only those of <paramref name="personIds"/>) in batches of <paramref name="batchSize"/>.
    /// One feed runs at a time.
    /// </summary>
    /// <exception cref="IntermediateException">The intermediate server refused a batch (nothing of it is recorded as sent).</exception>
    public async Task<CopyFeedReport> FeedAsync(int batchSize = DefaultBatchSize, IReadOnlyCollection<long>? personIds = null,
        CancellationToken cancellationToken = default)
    {
        if (batchSize is < 1 or > IntermediateRoutes.MaxBatchSize)
            throw new RefusalException(400, "invalid-request", $"batchSize: 1 … {IntermediateRoutes.MaxBatchSize} (件数が正しくありません)");
        var holder = Records.InstitutionCode;
        long sent = 0, stored = 0, unchanged = 0, stale = 0, withdrawn = 0, requests = 0;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var (pending, updates, withdrawals) = ReadPending(batchSize, personIds);
                if (pending.Count == 0) break;
                if (updates.Count > 0)
                {
                    var response = await intermediate.LoadBatchAsync(new LoadBatchRequest(BatchId(holder, updates), holder, updates, Job), cancellationToken);
                    requests++;
                    var refused = response.Ignored.FirstOrDefault(i => i.Code is not ("stale" or "unchanged"));
                    if (refused is not null)
                        throw new IntermediateException(System.Net.HttpStatusCode.UnprocessableEntity, refused.Code, refused.Reason);
                    sent += updates.Count;
                    stored += response.Stored;
                    unchanged += response.Unchanged;
                    stale += response.Stale;
                }
                foreach (var copy in withdrawals)
                {
                    await intermediate.DeleteAsync(new DeleteCopyRequest(WithdrawId(holder, copy), holder, copy.PersonId, copy.Kind, WithdrawReason, Job), cancellationToken);
                    requests++;
                    withdrawn++;
                }
                Records.Store.MarkFed(pending);
                if (pending.Count < batchSize) break;
            }
        }
        finally
        {
            _gate.Release();
        }
        return new CopyFeedReport(sent, stored, unchanged, stale, withdrawn, requests);
    }

    /// <summary>Pending versions and the bodies they stand for, read in one snapshot so each body is its version's.</summary>
    private (List<PendingCopy> Pending, List<CopyUpdate> Updates, List<PendingCopy> Withdrawals) ReadPending(int batchSize, IReadOnlyCollection<long>? personIds) =>
        Records.Store.Database.InTransaction((c, t) =>
        {
            var pending = Records.Store.PendingCopies(c, t, batchSize, personIds);
            var updates = new List<CopyUpdate>(pending.Count);
            var withdrawals = new List<PendingCopy>();
            foreach (var copy in pending)
            {
                if (Records.Copy(c, t, copy.PersonId) is { } body)
                    updates.Add(new CopyUpdate(copy.PersonId, copy.Kind, body.AsOf, copy.Version, body.Body));
                else
                    withdrawals.Add(copy);
            }
            return (pending, updates, withdrawals);
        }, IsolationLevel.RepeatableRead);

    /// <summary>A hash of (holder, person, kind, version) of every copy: the same send is the same request.</summary>
    internal static Guid BatchId(string holder, IReadOnlyList<CopyUpdate> copies)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes("renkei/holder-feed/v1|" + holder + "\n"));
        foreach (var copy in copies) hash.AppendData(Encoding.UTF8.GetBytes($"{copy.AddresseeNumber}|{copy.Kind}|{copy.Version}\n"));
        return new Guid(hash.GetHashAndReset().AsSpan(0, 16));
    }

    private static Guid WithdrawId(string holder, PendingCopy copy) =>
        new(SHA256.HashData(Encoding.UTF8.GetBytes($"renkei/holder-feed/v1/withdraw|{holder}|{copy.PersonId}|{copy.Kind}|{copy.Version}")).AsSpan(0, 16));
}
