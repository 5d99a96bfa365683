namespace Renkei.Core.Audit;

/// <summary>What is wrong with a log, named by the first entry it concerns.</summary>
public enum AuditProblemKind
{
    /// <summary>The entry's content (payload, time or sequence) no longer matches its hash, while its link to the entry before is intact.</summary>
    EditedEntry,
    /// <summary>A sequence number is missing: the entry was deleted (or deleted and the later ones renumbered).</summary>
    RemovedEntry,
    /// <summary>The entry that belongs at this sequence was found at another position.</summary>
    ReorderedEntries,
    /// <summary>The entry is consistent in itself but does not link to the one before: the one before was rewritten with a recomputed hash, or an entry was inserted.</summary>
    ChainBroken,
    /// <summary>A checkpoint's signature is not the owner's: forged or altered.</summary>
    BadCheckpointSignature,
    /// <summary>The entry at a signed checkpoint (or at the head the auditor expected) has another hash: something up to it was rewritten and the hashes recomputed.</summary>
    CheckpointMismatch,
    /// <summary>A signed checkpoint (or the head the auditor expected) refers to entries that are gone: the log was cut short.</summary>
    TruncatedAfterCheckpoint,
}

/// <summary>
/// The first problem found. <see cref="Sequence"/> is the entry to look at; <see cref="RelatedSequence"/> is where the
/// moved entry was found, the checkpoint that caught the problem, or the first entry that may have been rewritten.
/// The message holds sequence numbers only, never content.
/// </summary>
public sealed record AuditProblem(AuditProblemKind Kind, long Sequence, string Message, long? RelatedSequence = null);

/// <summary>
/// The outcome of verifying a log. <see cref="UnprotectedEntries"/> counts entries after the latest signed checkpoint:
/// deleting them leaves no trace in the log itself, so an auditor keeps the latest head (<c>sequence:hash</c>) and
/// passes it back as the expected head, or asks for a checkpoint first.
/// </summary>
public sealed record AuditVerification(
    bool IsIntact,
    long EntriesVerified,
    long LastSequence,
    string? HeadHash,
    long CheckpointsVerified,
    long? LatestCheckpointSequence,
    long UnprotectedEntries,
    AuditProblem? Problem);

/// <summary>
/// Verifies a log in one streaming pass over its entries in sequence order, with the owner's signed checkpoints and,
/// optionally, a head the auditor kept. Pure: entries come from any source (database, export file). Memory is constant
/// apart from the checkpoint list.
/// <para>Rules, checked entry by entry, the first problem wins:</para>
/// <list type="number">
/// <item>sequence numbers run 1, 2, 3 … — a gap at <c>p</c> is <see cref="AuditProblemKind.RemovedEntry"/>(p) unless entry p turns up later in the stream (then <see cref="AuditProblemKind.ReorderedEntries"/>);</item>
/// <item>the entry's hash matches its content, and its previous hash is the hash of the entry before:
/// content wrong but link right is <see cref="AuditProblemKind.EditedEntry"/>; link wrong but content right is
/// <see cref="AuditProblemKind.ChainBroken"/>; both wrong means the row at p holds another entry — if p's own entry is
/// found further on (recognised by its link to p − 1 and its hash under sequence p) it is
/// <see cref="AuditProblemKind.ReorderedEntries"/>(p); if the row is a later entry renumbered, <see cref="AuditProblemKind.RemovedEntry"/>(p);
/// otherwise <see cref="AuditProblemKind.EditedEntry"/>(p);</item>
/// <item>at each checkpoint, the signature is the owner's and the hash equals the entry's;</item>
/// <item>an entry a checkpoint's signed <see cref="AuditCoverage"/> lists has the hash listed there: an entry rewritten with
/// every hash after it recomputed is named itself (<see cref="AuditProblemKind.EditedEntry"/>), and so are entries removed
/// or moved with the later entries renumbered and rehashed (<see cref="AuditProblemKind.RemovedEntry"/>,
/// <see cref="AuditProblemKind.ReorderedEntries"/>), since the signed list gives each original entry's hash;</item>
/// <item>after the last entry, no valid checkpoint and no expected head lies beyond it.</item>
/// </list>
/// Diagnosing a moved entry reads the rest of the stream; everything else stops at the problem.
/// </summary>
public sealed class AuditVerifier
{
    private const int NearbySequences = 16;

    private readonly AuditCheckpoint[] _checkpoints;
    private readonly AuditCheckpoint[] _covering; // the checkpoints with a signed list, by the first entry listed
    private readonly List<AuditCheckpoint> _activeCovering = [];
    private int _nextCovering;
    private readonly AuditCheckpointVerifier? _signatures;
    private readonly AuditHead? _expectedHead;
    private readonly byte[] _lastGoodHash = new byte[AuditHash.Size];
    private readonly byte[] _scratch = new byte[AuditHash.Size];
    private int _nextCheckpoint;
    private long _lastCheckpointVerified;
    private long _checkpointsVerified;
    private long _next = 1;
    private AuditProblem? _problem;

    // Diagnosis after the row at _next did not belong there.
    private Pending? _pending;

    /// <param name="SignedHash">entry <paramref name="Sequence"/>'s hash from a signed coverage, when the entries were rehashed: a later row is that entry if its content hashes to it</param>
    private sealed record Pending(AuditProblemKind Kind, long Sequence, string Message, long? Related, bool SearchForLaterEntry, byte[]? SignedHash = null);

    /// <param name="checkpoints">the owner's checkpoints, any order</param>
    /// <param name="signatures">the owner's public key; required when there are checkpoints</param>
    /// <param name="expectedHead">a head the auditor kept (sequence and hash): the log must reach it with that hash</param>
    public AuditVerifier(IEnumerable<AuditCheckpoint> checkpoints, AuditCheckpointVerifier? signatures, AuditHead? expectedHead = null)
    {
        _checkpoints = checkpoints.OrderBy(c => c.Sequence).ToArray();
        _covering = _checkpoints.Where(c => c.Coverage is not null).OrderBy(c => c.Coverage!.FirstSequence).ThenBy(c => c.Sequence).ToArray();
        if (_checkpoints.Length > 0 && signatures is null)
            throw new ArgumentException("checkpoints can only be verified with the owner's public key", nameof(signatures));
        _signatures = signatures;
        if (expectedHead is not null && (expectedHead.Sequence < 0 || expectedHead.Hash.Length != AuditHash.Size))
            throw new ArgumentException("an expected head has a sequence ≥ 0 and a 32-byte hash", nameof(expectedHead));
        _expectedHead = expectedHead;
        if (_checkpoints.Length > 0 && _checkpoints[0].Sequence < 1)
            Fail(AuditProblemKind.BadCheckpointSignature, _checkpoints[0].Sequence,
                $"checkpoint {_checkpoints[0].Sequence} names no entry (署名付きチェックポイントの不正)");
    }

    /// <summary>Entries accepted as intact so far.</summary>
    public long EntriesVerified => _next - 1;

    /// <summary>True while another entry can change the outcome; once false, the caller may stop reading.</summary>
    public bool WantsMore => _problem is null;

    public static AuditVerification Verify(IEnumerable<AuditEntry> entries, IEnumerable<AuditCheckpoint> checkpoints,
        AuditCheckpointVerifier? signatures, AuditHead? expectedHead = null)
    {
        var verifier = new AuditVerifier(checkpoints, signatures, expectedHead);
        foreach (var entry in entries)
            if (!verifier.Add(entry)) break;
        return verifier.Complete();
    }

    public bool Add(AuditEntry entry) => Add(entry.Sequence, entry.RecordedAtMicros, entry.Payload, entry.PreviousHash, entry.Hash);

    /// <summary>Feeds the next entry as read. Returns <see cref="WantsMore"/>.</summary>
    public bool Add(long sequence, long recordedAtMicros, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> hash)
    {
        if (_problem is not null) return false;
        if (_pending is not null)
        {
            Diagnose(sequence, recordedAtMicros, payload, previousHash, hash);
            return _problem is null;
        }

        var p = _next;
        if (sequence != p)
        {
            if (sequence < p)
                Fail(AuditProblemKind.ReorderedEntries, sequence, $"entry {sequence} appears again after entry {p - 1} (記録の順序の入れ替え)", p - 1);
            else
                _pending = new Pending(AuditProblemKind.RemovedEntry, p,
                    sequence == p + 1 ? $"entry {p} is missing (記録の削除)" : $"entries {p} to {sequence - 1} are missing (記録の削除)",
                    null, SearchForLaterEntry: false);
            return _problem is null;
        }

        var linkIntact = previousHash.Length == AuditHash.Size && previousHash.SequenceEqual(_lastGoodHash);
        var contentIntact = ContentMatches(sequence, recordedAtMicros, payload, previousHash, hash);
        if (linkIntact && contentIntact)
        {
            if (!MatchesCoverage(p, recordedAtMicros, payload, hash)) return _problem is null;
            hash.CopyTo(_lastGoodHash);
            _next++;
            CheckCheckpointsAt(sequence, hash);
            return _problem is null;
        }

        if (linkIntact)
            Fail(AuditProblemKind.EditedEntry, p, $"entry {p} was edited: its content no longer matches its hash (記録の改ざん)");
        else if (contentIntact)
            Fail(AuditProblemKind.ChainBroken, p,
                $"entry {p} does not follow entry {p - 1}: entry {p - 1} was rewritten with a recomputed hash, or an entry was inserted (連鎖の断絶)", p - 1);
        else
        {
            // The row at p holds some other entry. Is it a nearby entry renumbered or moved here?
            var original = NearbyOriginal(p, recordedAtMicros, payload, previousHash, hash);
            _pending = original switch
            {
                { } s when s > p => new Pending(AuditProblemKind.RemovedEntry, p,
                    $"entry {p} is missing: the entry stored as {p} is entry {s} renumbered (記録の削除)", s, SearchForLaterEntry: true),
                { } s => new Pending(AuditProblemKind.EditedEntry, p, $"entry {p} was replaced by a copy of entry {s} (記録の改ざん)", s, SearchForLaterEntry: true),
                null => new Pending(AuditProblemKind.EditedEntry, p, $"entry {p} was edited: neither its content nor its link matches (記録の改ざん)", null, SearchForLaterEntry: true),
            };
        }
        return _problem is null;
    }

    public AuditVerification Complete()
    {
        if (_pending is not null && _problem is null)
            Fail(_pending.Kind, _pending.Sequence, _pending.Message, _pending.Related);

        var last = _next - 1;
        if (_problem is null) CheckBeyondEnd(last);

        var latestCheckpoint = _problem is null && _lastCheckpointVerified > 0 ? _lastCheckpointVerified : (long?)null;
        var protectedUpTo = Math.Max(_lastCheckpointVerified, _expectedHead?.Sequence ?? 0);
        return new AuditVerification(
            IsIntact: _problem is null,
            EntriesVerified: last,
            LastSequence: last,
            HeadHash: last > 0 ? AuditHash.ToHex(_lastGoodHash) : null,
            CheckpointsVerified: _checkpointsVerified,
            LatestCheckpointSequence: latestCheckpoint,
            UnprotectedEntries: Math.Max(0, last - protectedUpTo),
            Problem: _problem);
    }

    /// <summary>
    /// False (with the problem or a pending diagnosis set) when a signed coverage lists another hash for entry
    /// <paramref name="p"/>, which is consistent with its predecessor: it was rewritten, or the entries were renumbered,
    /// and the hashes recomputed.
    /// </summary>
    private bool MatchesCoverage(long p, long recordedAtMicros, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> hash)
    {
        var coverage = DisagreeingCoverage(p, hash);
        if (_problem is not null) return false;
        if (coverage is null) return true;
        var signed = coverage.HashOf(p).ToArray();
        // The row at p is a later entry j renumbered: its content hashes, under j and after j − 1's signed hash, to j's signed hash.
        for (var j = p + 1; j <= p + NearbySequences; j++)
        {
            if (SignedHashOf(j - 1) is not { } before || SignedHashOf(j) is not { } own) break;
            AuditHash.ComputeEntryHash(j, recordedAtMicros, before, payload, _scratch);
            if (_scratch.AsSpan().SequenceEqual(own))
            {
                _pending = new Pending(AuditProblemKind.RemovedEntry, p,
                    $"entry {p} is missing: the entry stored as {p} is entry {j} renumbered, the hashes recomputed (記録の削除)", j,
                    SearchForLaterEntry: true, SignedHash: signed);
                return false;
            }
        }
        Fail(AuditProblemKind.EditedEntry, p,
            $"entry {p} was edited and the hashes after it recomputed: it differs from the hash signed with the checkpoint at entry {coverage.Sequence} (記録の改ざん)",
            coverage.Sequence);
        return false;
    }

    /// <summary>Entry <paramref name="sequence"/>'s hash as a validly signed coverage lists it, if one does (for diagnosis only).</summary>
    private byte[]? SignedHashOf(long sequence)
    {
        foreach (var checkpoint in _covering)
            if (checkpoint.Coverage!.Covers(sequence) && _signatures!.HasValidCoverage(checkpoint, checkpoint.Coverage))
                return checkpoint.Coverage.HashOf(sequence).ToArray();
        return null;
    }

    /// <summary>
    /// A signed list that gives entry <paramref name="p"/> another hash than <paramref name="hash"/>, or null when every list
    /// that covers it agrees (normally one; lists never overlap unless someone made them overlap). Entries are visited in
    /// order; a list whose signature is not the owner's is a problem.
    /// </summary>
    private AuditCoverage? DisagreeingCoverage(long p, ReadOnlySpan<byte> hash)
    {
        for (var i = _activeCovering.Count - 1; i >= 0; i--)
            if (_activeCovering[i].Sequence < p) _activeCovering.RemoveAt(i);
        while (_nextCovering < _covering.Length && _covering[_nextCovering].Coverage!.FirstSequence <= p)
        {
            var checkpoint = _covering[_nextCovering++];
            if (!_signatures!.HasValidCoverage(checkpoint, checkpoint.Coverage!))
            {
                Fail(AuditProblemKind.BadCheckpointSignature, checkpoint.Sequence,
                    $"the entries listed with the checkpoint at entry {checkpoint.Sequence} are not signed by the log's key (署名付きチェックポイントの不正)");
                return null;
            }
            if (checkpoint.Sequence >= p) _activeCovering.Add(checkpoint);
        }
        foreach (var checkpoint in _activeCovering)
            if (!hash.SequenceEqual(checkpoint.Coverage!.HashOf(p))) return checkpoint.Coverage;
        return null;
    }

    private void Diagnose(long sequence, long recordedAtMicros, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> hash)
    {
        var pending = _pending!;
        if (pending.SignedHash is not null)
        {
            // Entry p's own content somewhere later, rehashed there: under sequence p after p − 1 it has p's signed hash.
            AuditHash.ComputeEntryHash(pending.Sequence, recordedAtMicros, _lastGoodHash, payload, _scratch);
            if (_scratch.AsSpan().SequenceEqual(pending.SignedHash))
                Fail(AuditProblemKind.ReorderedEntries, pending.Sequence,
                    $"entry {pending.Sequence} was moved: it is stored as entry {sequence}, the hashes recomputed (記録の順序の入れ替え)", sequence);
            return;
        }
        if (pending.Kind == AuditProblemKind.RemovedEntry && !pending.SearchForLaterEntry)
        {
            // A gap: does the missing entry come later in the stream (out of order) rather than not at all?
            if (sequence == pending.Sequence)
                Fail(AuditProblemKind.ReorderedEntries, pending.Sequence, $"entry {pending.Sequence} is out of order (記録の順序の入れ替え)");
            return;
        }
        // Entry p's own content somewhere later: it links to p − 1 and hashes under sequence p.
        if (previousHash.SequenceEqual(_lastGoodHash) && ContentMatches(pending.Sequence, recordedAtMicros, payload, previousHash, hash))
            Fail(AuditProblemKind.ReorderedEntries, pending.Sequence,
                $"entry {pending.Sequence} was moved: it is stored as entry {sequence} (記録の順序の入れ替え)", sequence);
    }

    private long? NearbyOriginal(long p, long recordedAtMicros, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> hash)
    {
        if (previousHash.Length != AuditHash.Size || hash.Length != AuditHash.Size) return null;
        for (var distance = 1; distance <= NearbySequences; distance++)
        {
            if (ContentMatches(p + distance, recordedAtMicros, payload, previousHash, hash)) return p + distance;
            if (p - distance >= 1 && ContentMatches(p - distance, recordedAtMicros, payload, previousHash, hash)) return p - distance;
        }
        return null;
    }

    private bool ContentMatches(long sequence, long recordedAtMicros, ReadOnlySpan<byte> payload, ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> hash)
    {
        if (previousHash.Length != AuditHash.Size || hash.Length != AuditHash.Size) return false;
        AuditHash.ComputeEntryHash(sequence, recordedAtMicros, previousHash, payload, _scratch);
        return hash.SequenceEqual(_scratch);
    }

    private void CheckCheckpointsAt(long sequence, ReadOnlySpan<byte> hash)
    {
        while (_nextCheckpoint < _checkpoints.Length && _checkpoints[_nextCheckpoint].Sequence == sequence)
        {
            var checkpoint = _checkpoints[_nextCheckpoint++];
            if (!_signatures!.HasValidSignature(checkpoint))
            {
                Fail(AuditProblemKind.BadCheckpointSignature, sequence,
                    $"the checkpoint at entry {sequence} is not signed by the log's key (署名付きチェックポイントの不正)");
                return;
            }
            if (!hash.SequenceEqual(checkpoint.Hash))
            {
                var firstSuspect = _lastCheckpointVerified + 1;
                Fail(AuditProblemKind.CheckpointMismatch, sequence,
                    $"entry {sequence} differs from its signed checkpoint: an entry from {firstSuspect} to {sequence} was rewritten and the hashes recomputed (記録の改ざん)",
                    firstSuspect);
                return;
            }
            _checkpointsVerified++;
            _lastCheckpointVerified = sequence;
        }
        if (_expectedHead is not null && _expectedHead.Sequence == sequence && !hash.SequenceEqual(_expectedHead.Hash))
        {
            var firstSuspect = _lastCheckpointVerified + 1;
            Fail(AuditProblemKind.CheckpointMismatch, sequence,
                $"entry {sequence} differs from the expected head: an entry up to {sequence} was rewritten and the hashes recomputed (記録の改ざん)",
                firstSuspect);
        }
    }

    private void CheckBeyondEnd(long last)
    {
        for (; _nextCheckpoint < _checkpoints.Length; _nextCheckpoint++)
        {
            var checkpoint = _checkpoints[_nextCheckpoint];
            if (checkpoint.Sequence <= last) continue; // cannot happen: checkpoints are visited as entries pass
            if (!_signatures!.HasValidSignature(checkpoint))
            {
                Fail(AuditProblemKind.BadCheckpointSignature, checkpoint.Sequence,
                    $"the checkpoint at entry {checkpoint.Sequence} is not signed by the log's key (署名付きチェックポイントの不正)");
                return;
            }
            Fail(AuditProblemKind.TruncatedAfterCheckpoint, last + 1,
                $"entries from {last + 1} on were removed: the signed checkpoint at entry {checkpoint.Sequence} refers to entries that are gone (末尾の削除)",
                checkpoint.Sequence);
            return;
        }
        if (_expectedHead is not null && _expectedHead.Sequence > last)
            Fail(AuditProblemKind.TruncatedAfterCheckpoint, last + 1,
                $"entries from {last + 1} on were removed: the expected head is entry {_expectedHead.Sequence} (末尾の削除)",
                _expectedHead.Sequence);
    }

    private void Fail(AuditProblemKind kind, long sequence, string message, long? related = null) =>
        _problem ??= new AuditProblem(kind, sequence, message, related);
}
