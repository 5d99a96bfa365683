using System.Security.Cryptography;
using Renkei.Core.Crypto;

namespace Renkei.Core.Tests.Crypto;

/// <summary>
/// Batch signatures (<see cref="BatchSignature"/>, <see cref="BatchSigner"/>): one ECDSA signature over the Merkle root of
/// a batch's salted message digests, each message with its leaf index, audit path and the root's signature; the receiver
/// remembers verified roots per key.
/// </summary>
public sealed class BatchSignatureTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _published;

    public BatchSignatureTests() => _published = RequestSignature.ImportPublicKey(Convert.ToBase64String(_key.ExportSubjectPublicKeyInfo()));

    public void Dispose()
    {
        _key.Dispose();
        _other.Dispose();
        _published.Dispose();
    }

    private static string[] Messages(int count, string tag = "m") =>
        Enumerable.Range(0, count).Select(i => $"POST\n/linkage/immediate\nNETWORK\n1795000000\n{tag}{i:D22}\n{Convert.ToHexStringLower(SHA256.HashData([(byte)i]))}").ToArray();

    private static string[] Sign(ECDsa key, string[] messages) =>
        BatchSignature.SignBatch(key, messages.Select(BatchSignature.MessageDigest).ToList()).Select(s => s.Encode()).ToArray();

    [Fact]
    public void A_batch_of_one_verifies_with_an_empty_path_and_nothing_else_does()
    {
        var message = Messages(1)[0];
        var signature = Sign(_key, [message])[0];

        var parsed = BatchSignature.TryParse(signature)!;
        Assert.Equal((0L, 1L, 0), (parsed.LeafIndex, parsed.TreeSize, parsed.Path.Count));
        Assert.True(RequestSignature.VerifyText(_published, message, signature));
        Assert.False(RequestSignature.VerifyText(_published, message + "x", signature));
        using var otherPublic = RequestSignature.ImportPublicKey(Convert.ToBase64String(_other.ExportSubjectPublicKeyInfo()));
        Assert.False(RequestSignature.VerifyText(otherPublic, message, signature));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(32)]
    public void Every_message_of_a_batch_verifies_and_the_root_is_verified_once(int size)
    {
        var messages = Messages(size, "s" + size);
        var signatures = Sign(_key, messages);
        var roots = VerifiedRoots.For(_published);
        var before = roots.Count;

        for (var i = 0; i < size; i++) Assert.True(RequestSignature.VerifyText(_published, messages[i], signatures[i]), $"message {i}");
        Assert.Equal(before + 1, roots.Count); // one root, remembered after the first message

        // The salts differ per message, so the leaves say nothing about the siblings' messages.
        Assert.Equal(size, signatures.Select(s => Convert.ToHexString(BatchSignature.TryParse(s)!.Salt)).Distinct().Count());
    }

    [Fact]
    public void A_forged_audit_path_is_refused()
    {
        var messages = Messages(8, "f");
        var signatures = Sign(_key, messages);
        var genuine = BatchSignature.TryParse(signatures[5])!;
        Assert.Equal(3, genuine.Path.Count);
        // The root is known (verified) already: a forged path must not lead there nor anywhere else.
        Assert.True(RequestSignature.VerifyText(_published, messages[0], signatures[0]));

        for (var level = 0; level < genuine.Path.Count; level++)
        {
            var path = genuine.Path.Select(p => (byte[])p.Clone()).ToList();
            path[level][7] ^= 0x01;
            Assert.False(RequestSignature.VerifyText(_published, messages[5], (genuine with { Path = path }).Encode()), $"flipped level {level}");
        }
        Assert.False(RequestSignature.VerifyText(_published, messages[5], (genuine with { Path = genuine.Path.Take(2).ToList() }).Encode())); // shortened
        Assert.False(RequestSignature.VerifyText(_published, messages[5], (genuine with { Path = [.. genuine.Path, genuine.Path[0]] }).Encode())); // lengthened
        Assert.False(RequestSignature.VerifyText(_published, messages[5], (genuine with { TreeSize = 9 }).Encode())); // another tree shape
        Assert.True(RequestSignature.VerifyText(_published, messages[5], genuine.Encode()));
    }

    [Fact]
    public void A_swapped_leaf_is_refused()
    {
        var messages = Messages(4, "w");
        var signatures = Sign(_key, messages);
        Assert.True(RequestSignature.VerifyText(_published, messages[1], signatures[1]));
        var first = BatchSignature.TryParse(signatures[0])!;
        var second = BatchSignature.TryParse(signatures[1])!;

        Assert.False(RequestSignature.VerifyText(_published, messages[0], signatures[1])); // message 0 with message 1's leaf
        Assert.False(RequestSignature.VerifyText(_published, messages[1], signatures[0]));
        Assert.False(RequestSignature.VerifyText(_published, messages[0], (first with { LeafIndex = 1 }).Encode())); // its path, another index
        Assert.False(RequestSignature.VerifyText(_published, messages[0], (first with { Salt = second.Salt }).Encode())); // a sibling's salt
        Assert.False(RequestSignature.VerifyText(_published, messages[0], (second with { Salt = first.Salt }).Encode())); // a sibling's path
    }

    [Fact]
    public void A_root_signed_by_another_key_is_refused_even_once_that_root_is_known_for_the_other_key()
    {
        var messages = Messages(4, "k");
        var byOther = Sign(_other, messages);
        using var otherPublic = RequestSignature.ImportPublicKey(Convert.ToBase64String(_other.ExportSubjectPublicKeyInfo()));

        Assert.True(RequestSignature.VerifyText(otherPublic, messages[0], byOther[0])); // remembered for the other key
        for (var i = 0; i < messages.Length; i++) Assert.False(RequestSignature.VerifyText(_published, messages[i], byOther[i]));

        // The genuine tree with its root signed by someone else.
        var genuine = BatchSignature.TryParse(Sign(_key, messages)[2])!;
        var root = Renkei.Core.Audit.MerkleTree.RootFromInclusion(BatchSignature.LeafHash(genuine.Salt, BatchSignature.MessageDigest(messages[2])), 2, 4, genuine.Path)!;
        var foreign = _other.SignData(BatchSignature.RootSignedData(4, root), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        Assert.False(RequestSignature.VerifyText(_published, messages[2], (genuine with { RootSignature = foreign }).Encode()));
        Assert.True(RequestSignature.VerifyText(_published, messages[2], genuine.Encode()));
    }

    [Fact]
    public void A_message_moved_into_another_batch_is_refused()
    {
        var batchX = Messages(4, "x");
        var batchY = Messages(4, "y");
        var signaturesX = Sign(_key, batchX);
        var signaturesY = Sign(_key, batchY);
        // Both roots are verified and remembered.
        Assert.True(RequestSignature.VerifyText(_published, batchX[0], signaturesX[0]));
        Assert.True(RequestSignature.VerifyText(_published, batchY[0], signaturesY[0]));

        for (var i = 0; i < 4; i++)
        {
            Assert.False(RequestSignature.VerifyText(_published, batchX[i], signaturesY[i]), $"X{i} in Y's place");
            Assert.False(RequestSignature.VerifyText(_published, batchY[i], signaturesX[i]), $"Y{i} in X's place");
        }
        // Y's path and root signature with X's salt: still not Y's tree.
        var x2 = BatchSignature.TryParse(signaturesX[2])!;
        var y2 = BatchSignature.TryParse(signaturesY[2])!;
        Assert.False(RequestSignature.VerifyText(_published, batchX[2], (y2 with { Salt = x2.Salt }).Encode()));
    }

    [Fact]
    public void A_replayed_batch_signature_is_refused_for_any_other_message()
    {
        var messages = Messages(3, "r");
        var signatures = Sign(_key, messages);
        Assert.True(RequestSignature.VerifyText(_published, messages[0], signatures[0]));

        // The same signature on a new message (a fresh nonce, another body, another receiver): refused, root known or not.
        var replayed = messages[0].Replace("r0", "q0", StringComparison.Ordinal);
        Assert.False(RequestSignature.VerifyText(_published, replayed, signatures[0]));
        Assert.False(RequestSignature.VerifyText(_published, messages[0].Replace("NETWORK", "131091", StringComparison.Ordinal), signatures[0]));
        Assert.False(RequestSignature.VerifyText(_published, Messages(1, "n")[0], signatures[0]));
    }

    [Theory]
    [InlineData("b1.")]
    [InlineData("b1.0.1...")]
    [InlineData("b1.0.0.AAAAAAAAAAAAAAAAAAAAAA..AAAA")]
    [InlineData("b1.1.1.AAAAAAAAAAAAAAAAAAAAAA..AAAA")]
    [InlineData("b1.-1.2.AAAAAAAAAAAAAAAAAAAAAA..AAAA")]
    [InlineData("b1.0.2.AAAAAAAAAAAAAAAAAAAAAA.!!.AAAA")]
    [InlineData("b1.0.99999999999999999999.AAAAAAAAAAAAAAAAAAAAAA..AAAA")]
    [InlineData("b1.0.1.AAAA..AAAA.extra")]
    public void A_malformed_batch_signature_is_refused_without_an_exception(string signature)
    {
        Assert.Null(BatchSignature.TryParse(signature));
        Assert.False(RequestSignature.VerifyText(_published, Messages(1)[0], signature));
    }

    [Fact]
    public void A_plain_signature_still_verifies_beside_batch_signatures()
    {
        var message = Messages(1, "p")[0];
        Assert.True(RequestSignature.VerifyText(_published, message, RequestSignature.SignText(_key, message)));
    }

    [Fact]
    public async Task Messages_that_wait_while_the_key_is_busy_share_one_signature_and_a_lone_message_is_a_batch_of_one()
    {
        var signer = new BatchSigner(_key);
        var alone = Messages(1, "a")[0];
        Assert.True(RequestSignature.VerifyText(_published, alone, await signer.SignAsync(alone)));
        Assert.Equal((1L, 1L), (signer.Batches, signer.Messages)); // nothing waited for company

        var messages = Messages(8, "b");
        Task<string>[] signed;
        Task<string> leader;
        lock (_key) // the key is busy: the first message's signer waits for it, the rest queue up behind it
        {
            leader = Task.Run(() => signer.SignAsync(messages[0]));
            Assert.True(SpinWait.SpinUntil(() => signer.IsSigning, TimeSpan.FromSeconds(30)));
            signed = messages.Skip(1).Select(signer.SignAsync).ToArray();
        }
        var signatures = await Task.WhenAll([leader, .. signed]);

        for (var i = 0; i < messages.Length; i++) Assert.True(RequestSignature.VerifyText(_published, messages[i], signatures[i]), $"message {i}");
        Assert.Equal(9L, signer.Messages);
        Assert.InRange(signer.Batches - 1, 1, 2); // eight messages, at most two signatures (the leader's batch and the rest)
        Assert.Contains(signatures, s => BatchSignature.TryParse(s)!.TreeSize > 1);
    }

    [Fact]
    public async Task Concurrent_signers_get_signatures_that_all_verify()
    {
        var signer = new BatchSigner(_key);
        var messages = Messages(200, "c");
        var signatures = await Task.WhenAll(messages.Select(m => Task.Run(() => signer.SignAsync(m))));
        for (var i = 0; i < messages.Length; i++) Assert.True(RequestSignature.VerifyText(_published, messages[i], signatures[i]), $"message {i}");
        Assert.Equal(200L, signer.Messages);
        Assert.InRange(signer.Batches, 1, 200);
    }
}
