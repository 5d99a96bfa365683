using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Audit;

namespace Renkei.Core.Tests.Audit;

public class AuditVerifierTests
{
    private const string Identity = "municipality/131091/operation_log";
    private static readonly DateTimeOffset Now = new(2026, 4, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private AuditCheckpointSigner Signer => new(Identity, _key);

    private static AuditEntry Relabel(AuditEntry e, long sequence) => new(sequence, e.RecordedAtMicros, e.Payload, e.PreviousHash, e.Hash);

    private static AuditEntry WithPayload(AuditEntry e, string payload) => new(e.Sequence, e.RecordedAtMicros, Encoding.UTF8.GetBytes(payload), e.PreviousHash, e.Hash);

    private AuditVerification Verify(IEnumerable<AuditEntry> entries, IEnumerable<AuditCheckpoint>? checkpoints = null, AuditHead? expected = null) =>
        AuditVerifier.Verify(entries, checkpoints ?? [], Signer.Verifier(), expected);

    [Fact]
    public void A_clean_log_is_intact_with_its_count_and_head()
    {
        var entries = AuditChainTests.Build(100);

        var result = Verify(entries, [Signer.Sign(entries[49].Head, Now)]);

        Assert.True(result.IsIntact);
        Assert.Null(result.Problem);
        Assert.Equal(100, result.EntriesVerified);
        Assert.Equal(AuditHash.ToHex(entries[^1].Hash), result.HeadHash);
        Assert.Equal(1, result.CheckpointsVerified);
        Assert.Equal(50, result.LatestCheckpointSequence);
        Assert.Equal(50, result.UnprotectedEntries);
    }

    [Fact]
    public void An_empty_log_is_intact()
    {
        var result = AuditVerifier.Verify([], [], null);

        Assert.True(result.IsIntact);
        Assert.Equal(0, result.EntriesVerified);
        Assert.Null(result.HeadHash);
    }

    [Fact]
    public void An_edited_payload_is_named()
    {
        var entries = AuditChainTests.Build(20);
        entries[11] = WithPayload(entries[11], "{\"op\":12,\"staff\":\"someone else\"}");

        var result = Verify(entries);

        Assert.False(result.IsIntact);
        Assert.Equal(AuditProblemKind.EditedEntry, result.Problem!.Kind);
        Assert.Equal(12, result.Problem.Sequence);
        Assert.Equal(11, result.EntriesVerified);
        Assert.Contains("12", result.Problem.Message);
    }

    [Fact]
    public void An_edited_time_is_named()
    {
        var entries = AuditChainTests.Build(5);
        var e = entries[2];
        entries[2] = new AuditEntry(e.Sequence, e.RecordedAtMicros + 1, e.Payload, e.PreviousHash, e.Hash);

        Assert.Equal((AuditProblemKind.EditedEntry, 3L), Kind(Verify(entries)));
    }

    [Fact]
    public void A_removed_middle_entry_is_named()
    {
        var entries = AuditChainTests.Build(20);
        entries.RemoveAt(6);

        Assert.Equal((AuditProblemKind.RemovedEntry, 7L), Kind(Verify(entries)));
    }

    [Fact]
    public void A_removed_first_entry_is_named()
    {
        var entries = AuditChainTests.Build(5);
        entries.RemoveAt(0);

        Assert.Equal((AuditProblemKind.RemovedEntry, 1L), Kind(Verify(entries)));
    }

    [Fact]
    public void A_removed_entry_with_the_later_ones_renumbered_is_named()
    {
        var entries = AuditChainTests.Build(20);
        entries.RemoveAt(6);
        for (var i = 6; i < entries.Count; i++) entries[i] = Relabel(entries[i], i + 1);

        var result = Verify(entries);

        Assert.Equal((AuditProblemKind.RemovedEntry, 7L), Kind(result));
        Assert.Equal(8, result.Problem!.RelatedSequence);
    }

    [Fact]
    public void Two_adjacent_entries_swapped_are_named_as_reordered()
    {
        var entries = AuditChainTests.Build(20);
        (entries[9], entries[10]) = (Relabel(entries[10], 10), Relabel(entries[9], 11));

        var result = Verify(entries);

        Assert.Equal((AuditProblemKind.ReorderedEntries, 10L), Kind(result));
        Assert.Equal(11, result.Problem!.RelatedSequence);
    }

    [Fact]
    public void Two_distant_entries_swapped_are_named_as_reordered()
    {
        var entries = AuditChainTests.Build(200);
        (entries[2], entries[149]) = (Relabel(entries[149], 3), Relabel(entries[2], 150));

        var result = Verify(entries);

        Assert.Equal((AuditProblemKind.ReorderedEntries, 3L), Kind(result));
        Assert.Equal(150, result.Problem!.RelatedSequence);
    }

    [Fact]
    public void Swapped_payloads_under_unchanged_hashes_are_named_as_edited()
    {
        var entries = AuditChainTests.Build(10);
        var (a, b) = (entries[3], entries[4]);
        entries[3] = new AuditEntry(a.Sequence, a.RecordedAtMicros, b.Payload, a.PreviousHash, a.Hash);
        entries[4] = new AuditEntry(b.Sequence, b.RecordedAtMicros, a.Payload, b.PreviousHash, b.Hash);

        Assert.Equal((AuditProblemKind.EditedEntry, 4L), Kind(Verify(entries)));
    }

    [Fact]
    public void A_stream_out_of_sequence_order_is_named_as_reordered()
    {
        var entries = AuditChainTests.Build(6);
        (entries[2], entries[3]) = (entries[3], entries[2]);

        Assert.Equal((AuditProblemKind.ReorderedEntries, 3L), Kind(Verify(entries)));
    }

    [Fact]
    public void A_rewritten_entry_with_its_own_hash_recomputed_breaks_the_next_link()
    {
        var entries = AuditChainTests.Build(10);
        var e = entries[4];
        var payload = "{\"forged\":true}"u8.ToArray();
        entries[4] = new AuditEntry(5, e.RecordedAtMicros, payload, e.PreviousHash, AuditHash.ComputeEntryHash(5, e.RecordedAtMicros, e.PreviousHash, payload));

        var result = Verify(entries);

        Assert.Equal((AuditProblemKind.ChainBroken, 6L), Kind(result));
        Assert.Equal(5, result.Problem!.RelatedSequence);
    }

    [Fact]
    public void A_rewrite_with_every_later_hash_recomputed_is_caught_by_the_next_checkpoint()
    {
        var original = AuditChainTests.Build(30);
        var checkpoints = new[] { Signer.Sign(original[9].Head, Now), Signer.Sign(original[19].Head, Now) };
        var forged = new AuditChain(original[11].Head);
        var rewritten = original.Take(12).Concat(original.Skip(12).Select(e => forged.Append(e.RecordedAt, e.Sequence == 13 ? "{}"u8.ToArray() : e.Payload))).ToList();

        var result = Verify(rewritten, checkpoints);

        Assert.Equal((AuditProblemKind.CheckpointMismatch, 20L), Kind(result));
        Assert.Equal(11, result.Problem!.RelatedSequence);
    }

    /// <summary>A checkpoint at entry <paramref name="to"/> listing entries <paramref name="from"/> to <paramref name="to"/>.</summary>
    private AuditCheckpoint Covering(IReadOnlyList<AuditEntry> entries, int from, int to) =>
        Signer.Sign(entries[to - 1].Head, Now, entries.Skip(from - 1).Take(to - from + 1).SelectMany(e => e.Hash).ToArray());

    [Fact]
    public void A_rewrite_with_every_later_hash_recomputed_is_named_by_the_signed_list_of_entries()
    {
        var original = AuditChainTests.Build(30);
        var checkpoints = new[] { Covering(original, 1, 10), Covering(original, 11, 20) };
        var forged = new AuditChain(original[11].Head);
        var rewritten = original.Take(12).Concat(original.Skip(12).Select(e => forged.Append(e.RecordedAt, e.Sequence == 13 ? "{}"u8.ToArray() : e.Payload))).ToList();

        var result = Verify(rewritten, checkpoints);

        Assert.Equal((AuditProblemKind.EditedEntry, 13L), Kind(result));
        Assert.Equal(20, result.Problem!.RelatedSequence);
        Assert.Equal(12, result.EntriesVerified);
    }

    [Fact]
    public void A_removal_or_an_exchange_with_every_later_hash_recomputed_is_named_by_the_signed_list()
    {
        var original = AuditChainTests.Build(30);
        var checkpoints = new[] { Covering(original, 1, 10), Covering(original, 11, 20), Covering(original, 21, 30) };
        List<AuditEntry> Rehashed(int from, IEnumerable<AuditEntry> rest)
        {
            // Renumbered and relinked from entry from − 1, each keeping its own time, hashed as the log hashes.
            var list = original.Take(from - 1).ToList();
            foreach (var e in rest)
            {
                var sequence = list.Count + 1;
                var previous = list[^1].Hash;
                list.Add(new AuditEntry(sequence, e.RecordedAtMicros, e.Payload, previous,
                    AuditHash.ComputeEntryHash(sequence, e.RecordedAtMicros, previous, e.Payload)));
            }
            return list;
        }
        var exchanged = original.Skip(14).ToList();
        (exchanged[0], exchanged[7]) = (exchanged[7], exchanged[0]); // entries 15 and 22

        var removed = Verify(Rehashed(15, original.Skip(15)), checkpoints);
        var moved = Verify(Rehashed(15, exchanged), checkpoints);

        Assert.Equal((AuditProblemKind.RemovedEntry, 15L), Kind(removed));
        Assert.Equal(16, removed.Problem!.RelatedSequence);
        Assert.Equal((AuditProblemKind.ReorderedEntries, 15L), Kind(moved));
        Assert.Equal(22, moved.Problem!.RelatedSequence);
    }

    [Fact]
    public void A_later_list_over_rewritten_entries_does_not_outvote_the_list_signed_first()
    {
        var original = AuditChainTests.Build(12);
        var forged = new AuditChain(original[4].Head);
        var rewritten = original.Take(5).Concat(original.Skip(5).Select(e => forged.Append(e.RecordedAt, e.Sequence == 6 ? "{}"u8.ToArray() : e.Payload))).ToList();
        var overlapping = Covering(rewritten, 6, 12); // as if signed over the rewrite, overlapping the first list

        var result = Verify(rewritten, [Covering(original, 1, 10), overlapping]);

        Assert.Equal((AuditProblemKind.EditedEntry, 6L), Kind(result));
        Assert.Equal(10, result.Problem!.RelatedSequence);
    }

    [Fact]
    public void A_list_of_entries_signed_by_another_key_or_not_ending_at_its_checkpoint_is_named()
    {
        var entries = AuditChainTests.Build(12);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var genuine = Covering(entries, 1, 10);
        var foreign = new AuditCheckpointSigner(Identity, other).Sign(entries[9].Head, Now, genuine.Coverage!.Hashes);

        var forged = Verify(entries, [genuine with { Coverage = foreign.Coverage }]);
        var shifted = Verify(entries, [genuine with { Coverage = genuine.Coverage with { Sequence = 9 } }]);

        Assert.Equal((AuditProblemKind.BadCheckpointSignature, 10L), Kind(forged));
        Assert.Equal(AuditProblemKind.BadCheckpointSignature, Kind(shifted).Item1);
        Assert.True(Verify(entries, [genuine]).IsIntact);
        Assert.Throws<ArgumentException>(() => Signer.Sign(entries[9].Head, Now, entries[8].Hash)); // a list must end at the head
    }

    [Fact]
    public void A_rewrite_after_the_last_checkpoint_is_caught_by_the_head_the_auditor_kept()
    {
        var original = AuditChainTests.Build(30);
        var kept = original[^1].Head;
        var forged = new AuditChain(original[24].Head);
        var rewritten = original.Take(25).Concat(original.Skip(25).Select(e => forged.Append(e.RecordedAt, "{}"u8.ToArray()))).ToList();

        Assert.True(Verify(rewritten).IsIntact); // nothing in the log itself can tell
        Assert.Equal((AuditProblemKind.CheckpointMismatch, 30L), Kind(Verify(rewritten, expected: kept)));
    }

    [Fact]
    public void Deleting_the_last_entries_up_to_a_checkpoint_is_detected()
    {
        var entries = AuditChainTests.Build(30);
        var checkpoint = Signer.Sign(entries[24].Head, Now);

        var result = Verify(entries.Take(22), [checkpoint]);

        Assert.Equal((AuditProblemKind.TruncatedAfterCheckpoint, 23L), Kind(result));
        Assert.Equal(25, result.Problem!.RelatedSequence);
    }

    [Fact]
    public void Deleting_entries_after_the_last_checkpoint_is_only_detected_with_an_expected_head()
    {
        var entries = AuditChainTests.Build(30);
        var checkpoint = Signer.Sign(entries[24].Head, Now);

        var withoutHead = Verify(entries.Take(27), [checkpoint]);
        Assert.True(withoutHead.IsIntact);
        Assert.Equal(2, withoutHead.UnprotectedEntries);

        var result = Verify(entries.Take(27), [checkpoint], expected: entries[^1].Head);
        Assert.Equal((AuditProblemKind.TruncatedAfterCheckpoint, 28L), Kind(result));
        Assert.Equal(30, result.Problem!.RelatedSequence);
    }

    [Fact]
    public void A_checkpoint_signed_by_another_key_is_named()
    {
        var entries = AuditChainTests.Build(10);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = new AuditCheckpointSigner(Identity, otherKey).Sign(entries[4].Head, Now);

        Assert.Equal((AuditProblemKind.BadCheckpointSignature, 5L), Kind(Verify(entries, [Signer.Sign(entries[1].Head, Now), forged])));
    }

    [Fact]
    public void A_checkpoint_with_an_altered_field_or_of_another_log_is_named()
    {
        var entries = AuditChainTests.Build(10);
        var genuine = Signer.Sign(entries[4].Head, Now);
        var otherLog = new AuditCheckpointSigner("network/provision_records", _key).Sign(entries[4].Head, Now);
        var signature = (byte[])genuine.Signature.Clone();
        signature[10] ^= 1;

        Assert.Equal((AuditProblemKind.BadCheckpointSignature, 5L), Kind(Verify(entries, [genuine with { SignedAtMicros = genuine.SignedAtMicros + 1 }])));
        Assert.Equal((AuditProblemKind.BadCheckpointSignature, 5L), Kind(Verify(entries, [genuine with { Signature = signature }])));
        Assert.Equal((AuditProblemKind.BadCheckpointSignature, 5L), Kind(Verify(entries, [otherLog])));
        Assert.True(Verify(entries, [genuine]).IsIntact);
    }

    [Fact]
    public void A_forged_checkpoint_beyond_the_end_is_a_bad_signature_not_a_truncation()
    {
        var entries = AuditChainTests.Build(10);
        var genuine = Signer.Sign(entries[4].Head, Now);
        var forged = genuine with { Sequence = 50 };

        Assert.Equal((AuditProblemKind.BadCheckpointSignature, 50L), Kind(Verify(entries, [genuine, forged])));
    }

    [Fact]
    public void The_verifier_stops_asking_for_entries_once_the_answer_is_known()
    {
        var entries = AuditChainTests.Build(10);
        entries[1] = WithPayload(entries[1], "{}");
        var verifier = new AuditVerifier([], null);

        Assert.True(verifier.Add(entries[0]));
        Assert.False(verifier.Add(entries[1]));
        Assert.False(verifier.WantsMore);
    }

    [Fact]
    public void Checkpoints_need_a_public_key()
    {
        var entries = AuditChainTests.Build(2);
        Assert.Throws<ArgumentException>(() => new AuditVerifier([Signer.Sign(entries[0].Head, Now)], null));
    }

    [Fact]
    public void A_public_key_round_trips_through_pem_and_a_wrong_pem_is_refused()
    {
        var entries = AuditChainTests.Build(3);
        var checkpoint = Signer.Sign(entries[2].Head, Now);
        var verifier = AuditCheckpointVerifier.FromPem(Identity, Signer.PublicKeyPem);

        Assert.True(verifier.HasValidSignature(checkpoint));
        Assert.Equal(16, verifier.KeyFingerprint.Length);
        Assert.Throws<FormatException>(() => AuditCheckpointVerifier.FromPem(Identity, "not a key"));
    }

    private static (AuditProblemKind, long) Kind(AuditVerification result)
    {
        Assert.False(result.IsIntact, "the log should not verify");
        return (result.Problem!.Kind, result.Problem.Sequence);
    }
}
