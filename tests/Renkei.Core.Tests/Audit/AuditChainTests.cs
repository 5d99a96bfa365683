using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Audit;

namespace Renkei.Core.Tests.Audit;

public class AuditChainTests
{
    private static readonly DateTimeOffset Start = new(2026, 4, 1, 9, 0, 0, TimeSpan.FromHours(9));

    internal static List<AuditEntry> Build(int count, DateTimeOffset? start = null)
    {
        var chain = new AuditChain(AuditHead.Empty);
        var at = start ?? Start;
        return Enumerable.Range(1, count)
            .Select(i => chain.Append(at.AddMilliseconds(i), Encoding.UTF8.GetBytes($"{{\"op\":{i},\"staff\":\"職員{i % 7}\"}}")))
            .ToList();
    }

    [Fact]
    public void Entries_are_numbered_from_1_and_each_links_to_the_one_before()
    {
        var entries = Build(5);

        Assert.Equal([1L, 2, 3, 4, 5], entries.Select(e => e.Sequence));
        Assert.Equal(new byte[32], entries[0].PreviousHash);
        for (var i = 1; i < entries.Count; i++) Assert.Equal(entries[i - 1].Hash, entries[i].PreviousHash);
        Assert.All(entries, e => Assert.True(e.HashMatchesContent()));
    }

    [Fact]
    public void The_hash_is_sha256_over_tag_sequence_time_previous_hash_length_and_payload()
    {
        var payload = "{\"a\":1}"u8.ToArray();
        var previous = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var expected = SHA256.HashData([
            .. "RENKEI-AUDIT-ENTRY-V1\0"u8.ToArray(),
            0, 0, 0, 0, 0, 0, 0, 7,
            0, 0, 0, 0, 0, 0, 0x01, 0x00,
            .. previous,
            0, 0, 0, 7,
            .. payload,
        ]);

        Assert.Equal(expected, AuditHash.ComputeEntryHash(7, 256, previous, payload));
    }

    [Fact]
    public void Large_payloads_hash_the_same_way_as_small_ones()
    {
        var payload = RandomNumberGenerator.GetBytes(5000);
        var previous = new byte[32];
        var expected = SHA256.HashData([.. "RENKEI-AUDIT-ENTRY-V1\0"u8.ToArray(), 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, .. previous, 0, 0, 0x13, 0x88, .. payload]);

        Assert.Equal(expected, AuditHash.ComputeEntryHash(1, 0, previous, payload));
    }

    [Fact]
    public void Any_change_of_sequence_time_link_or_payload_changes_the_hash()
    {
        var payload = "x"u8.ToArray();
        var zero = new byte[32];
        var baseline = AuditHash.ComputeEntryHash(3, 1000, zero, payload);

        Assert.NotEqual(baseline, AuditHash.ComputeEntryHash(4, 1000, zero, payload));
        Assert.NotEqual(baseline, AuditHash.ComputeEntryHash(3, 1001, zero, payload));
        var otherLink = new byte[32];
        otherLink[31] = 1;
        Assert.NotEqual(baseline, AuditHash.ComputeEntryHash(3, 1000, otherLink, payload));
        Assert.NotEqual(baseline, AuditHash.ComputeEntryHash(3, 1000, zero, "y"u8.ToArray()));
    }

    [Fact]
    public void Recorded_time_never_goes_backwards_even_when_the_clock_does()
    {
        var chain = new AuditChain(AuditHead.Empty);
        var first = chain.Append(Start, [1]);
        var second = chain.Append(Start.AddMinutes(-5), [2]);

        Assert.Equal(first.RecordedAtMicros, second.RecordedAtMicros);
        Assert.True(second.HashMatchesContent());
    }

    [Fact]
    public void Times_are_kept_to_the_microsecond_in_utc()
    {
        var time = new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.FromHours(9)).AddTicks(1234567);

        var roundTrip = AuditTime.FromMicros(AuditTime.ToMicros(time));

        Assert.Equal(TimeSpan.Zero, roundTrip.Offset);
        Assert.Equal(time.UtcTicks / 10 * 10, roundTrip.UtcTicks);
    }

    [Fact]
    public void A_chain_continues_from_a_stored_head()
    {
        var entries = Build(3);
        var resumed = new AuditChain(entries[^1].Head);

        var next = resumed.Append(Start.AddSeconds(10), [9]);

        Assert.Equal(4, next.Sequence);
        Assert.Equal(entries[^1].Hash, next.PreviousHash);
    }

    [Fact]
    public void Hex_hashes_round_trip_and_bad_hex_says_what_is_wrong()
    {
        var hash = AuditHash.ComputeEntryHash(1, 0, new byte[32], [1]);

        Assert.Equal(hash, AuditHash.FromHex(AuditHash.ToHex(hash)));
        Assert.Contains("64", Assert.Throws<FormatException>(() => AuditHash.FromHex("abc")).Message);
        Assert.Contains("0-9", Assert.Throws<FormatException>(() => AuditHash.FromHex(new string('z', 64))).Message);
    }
}
