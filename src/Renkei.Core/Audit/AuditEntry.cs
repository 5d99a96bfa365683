namespace Renkei.Core.Audit;

/// <summary>
/// One entry of a tamper-evident log: its position, the time the log recorded it, the owner's payload (canonical bytes,
/// e.g. <see cref="CanonicalJson"/>), the hash of the entry before it and its own hash (see <see cref="AuditHash"/>).
/// Arrays are not copied: treat them as read-only.
/// </summary>
public sealed class AuditEntry
{
    public AuditEntry(long sequence, long recordedAtMicros, byte[] payload, byte[] previousHash, byte[] hash)
    {
        if (sequence < 1) throw new ArgumentOutOfRangeException(nameof(sequence), "sequences start at 1");
        if (previousHash.Length != AuditHash.Size) throw new ArgumentException($"a hash has {AuditHash.Size} bytes", nameof(previousHash));
        if (hash.Length != AuditHash.Size) throw new ArgumentException($"a hash has {AuditHash.Size} bytes", nameof(hash));
        Sequence = sequence;
        RecordedAtMicros = recordedAtMicros;
        Payload = payload;
        PreviousHash = previousHash;
        Hash = hash;
    }

    public long Sequence { get; }
    public long RecordedAtMicros { get; }
    public DateTimeOffset RecordedAt => AuditTime.FromMicros(RecordedAtMicros);
    public byte[] Payload { get; }
    public byte[] PreviousHash { get; }
    public byte[] Hash { get; }

    public AuditHead Head => new(Sequence, Hash, RecordedAtMicros);

    /// <summary>True when the stored hash is the hash of this entry's content.</summary>
    public bool HashMatchesContent()
    {
        Span<byte> computed = stackalloc byte[AuditHash.Size];
        AuditHash.ComputeEntryHash(Sequence, RecordedAtMicros, PreviousHash, Payload, computed);
        return computed.SequenceEqual(Hash);
    }
}

/// <summary>
/// The last entry of a log: what the next entry links to. <see cref="Empty"/> (sequence 0, zero hash) before the first entry.
/// </summary>
public sealed record AuditHead(long Sequence, byte[] Hash, long RecordedAtMicros)
{
    public static AuditHead Empty { get; } = new(0, new byte[AuditHash.Size], long.MinValue);

    public string HashHex => AuditHash.ToHex(Hash);

    /// <summary><c>sequence:hash</c>, the form an auditor writes down and gives back to the verifier.</summary>
    public override string ToString() => $"{Sequence}:{HashHex}";
}

/// <summary>
/// Builds entries in order, pure and in memory: the store reads the head inside its write transaction, then asks the
/// chain for the next entries. Recorded times never go backwards: an entry is stamped with the later of the clock
/// and its predecessor's time, so the log's order is also its time order even when the clock steps back.
/// </summary>
public sealed class AuditChain(AuditHead head)
{
    public AuditHead Head { get; private set; } = head;

    public AuditEntry Append(DateTimeOffset now, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var sequence = checked(Head.Sequence + 1);
        var recordedAt = Math.Max(AuditTime.ToMicros(now), Head.RecordedAtMicros);
        var hash = AuditHash.ComputeEntryHash(sequence, recordedAt, Head.Hash, payload);
        var entry = new AuditEntry(sequence, recordedAt, payload, Head.Hash, hash);
        Head = entry.Head;
        return entry;
    }
}
