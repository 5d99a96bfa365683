using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Renkei.Core.Audit;

/// <summary>
/// The hash of one entry of a tamper-evident log (改ざん検知可能な記録):
/// <c>SHA-256(tag ‖ sequence ‖ recordedAt ‖ previousHash ‖ length(payload) ‖ payload)</c> where
/// <list type="bullet">
/// <item><c>tag</c> is the ASCII text <c>RENKEI-AUDIT-ENTRY-V1</c> followed by one zero byte (domain separation:
/// an entry hash can never be mistaken for a checkpoint or any other hash in the system);</item>
/// <item><c>sequence</c> is the entry's position (1, 2, 3 … with no gaps) as 8 bytes big-endian;</item>
/// <item><c>recordedAt</c> is microseconds since 1970-01-01T00:00:00Z as 8 bytes big-endian (signed);</item>
/// <item><c>previousHash</c> is the hash of entry sequence − 1, or 32 zero bytes for entry 1;</item>
/// <item><c>length(payload)</c> is 4 bytes big-endian, then the payload bytes as stored.</item>
/// </list>
/// Because the sequence is inside the hash, an entry moved to another position no longer matches its hash, and because
/// the previous hash is inside, removing or rewriting one entry breaks every link after it.
/// </summary>
public static class AuditHash
{
    public const int Size = 32;

    private static readonly byte[] EntryTag = Encoding.ASCII.GetBytes("RENKEI-AUDIT-ENTRY-V1\0");
    private const int FixedLength = 8 + 8 + Size + 4;

    /// <summary>The previous hash of entry 1: 32 zero bytes.</summary>
    public static ReadOnlySpan<byte> Genesis => new byte[Size];

    public static byte[] ComputeEntryHash(long sequence, long recordedAtMicros, ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> payload)
    {
        var hash = new byte[Size];
        ComputeEntryHash(sequence, recordedAtMicros, previousHash, payload, hash);
        return hash;
    }

    /// <summary>Writes the entry hash into <paramref name="destination"/> (32 bytes) without allocating for small payloads.</summary>
    public static void ComputeEntryHash(long sequence, long recordedAtMicros, ReadOnlySpan<byte> previousHash, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (previousHash.Length != Size) throw new ArgumentException($"a previous hash has {Size} bytes", nameof(previousHash));
        if (destination.Length < Size) throw new ArgumentException($"the destination needs {Size} bytes", nameof(destination));
        var length = EntryTag.Length + FixedLength + payload.Length;
        byte[]? rented = null;
        var buffer = length <= 1024 ? stackalloc byte[length] : (rented = ArrayPool<byte>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            EntryTag.CopyTo(buffer);
            var at = EntryTag.Length;
            BinaryPrimitives.WriteInt64BigEndian(buffer[at..], sequence); at += 8;
            BinaryPrimitives.WriteInt64BigEndian(buffer[at..], recordedAtMicros); at += 8;
            previousHash.CopyTo(buffer[at..]); at += Size;
            BinaryPrimitives.WriteInt32BigEndian(buffer[at..], payload.Length); at += 4;
            payload.CopyTo(buffer[at..]);
            SHA256.HashData(buffer, destination);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public static string ToHex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);

    /// <summary>Parses 64 hexadecimal characters; throws <see cref="FormatException"/> saying what was wrong.</summary>
    public static byte[] FromHex(string text)
    {
        var trimmed = text.Trim();
        if (trimmed.Length != Size * 2) throw new FormatException($"a hash is {Size * 2} hexadecimal characters, got {trimmed.Length}");
        try { return Convert.FromHexString(trimmed); }
        catch (FormatException) { throw new FormatException("a hash is written with the characters 0-9 and a-f only"); }
    }
}

/// <summary>Timestamps of a log are whole microseconds since the Unix epoch (UTC), the precision both databases keep.</summary>
public static class AuditTime
{
    public static long ToMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static DateTimeOffset FromMicros(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + micros * 10, TimeSpan.Zero);

    /// <summary>The same instant truncated to microseconds, in UTC.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) => FromMicros(ToMicros(time));
}
