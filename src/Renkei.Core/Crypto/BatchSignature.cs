using System.Buffers.Text;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Audit;

namespace Renkei.Core.Crypto;

/// <summary>
/// One message's share of a batch signature: the signer hashed every message of a batch into a Merkle tree (RFC 9162
/// hashing, <see cref="MerkleTree"/>) and signed the tree's root once with ECDSA P-256 / SHA-256. The message carries its
/// <see cref="LeafIndex"/>, the tree's <see cref="TreeSize"/>, its own random <see cref="Salt"/>, the audit
/// <see cref="Path"/> from its leaf to the root and the root's <see cref="RootSignature"/> (P1363).
/// <para>Leaf = SHA-256(0x00 ‖ salt ‖ SHA-256(UTF-8 text)); node = SHA-256(0x01 ‖ left ‖ right); the signature covers
/// <c>"renkei batch root v1" "\n" TreeSize "\n" lowercase-hex(root)</c>, a text no single-message signature ever covers.
/// The salt (<see cref="SaltSize"/> random bytes per message) makes a sibling's leaf hash say nothing about the sibling's
/// message, so a receiver learns only that other messages were signed with it, not what they were.</para>
/// <para>Written as one string (<see cref="Encode"/>): <c>b1.INDEX.SIZE.SALT.PATH.SIGNATURE</c>, the last three base64url
/// without padding, PATH the path's hashes concatenated (empty for a batch of one). A signature without the <c>b1.</c>
/// prefix is a plain single-message signature (<see cref="RequestSignature.SignText"/>); <see cref="RequestSignature.VerifyText"/>
/// accepts both.</para>
/// </summary>
public sealed record BatchSignature(long LeafIndex, long TreeSize, byte[] Salt, IReadOnlyList<byte[]> Path, byte[] RootSignature)
{
    public const string Prefix = "b1.";
    public const int SaltSize = 16;

    /// <summary>The largest batch a signature may claim (a signer never builds one this large).</summary>
    public const long MaxTreeSize = 1 << 20;

    private const int SignatureSize = 64; // P-256, P1363
    private const int MaxEncodedLength = 4096;

    /// <summary>Whether <paramref name="signature"/> is written as a batch signature (it may still be malformed).</summary>
    public static bool IsBatch(string? signature) => signature is not null && signature.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>SHA-256 of the message's UTF-8 text: what a leaf covers.</summary>
    public static byte[] MessageDigest(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    /// <summary>The leaf hash of a message digest with its salt: SHA-256(0x00 ‖ salt ‖ digest).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> messageDigest)
    {
        Span<byte> data = stackalloc byte[SaltSize + 32];
        if (salt.Length != SaltSize || messageDigest.Length != 32) throw new ArgumentException("a leaf is a 16-byte salt and a SHA-256 digest");
        salt.CopyTo(data);
        messageDigest.CopyTo(data[SaltSize..]);
        return MerkleTree.HashLeaf(data);
    }

    /// <summary>The bytes the root's signature covers.</summary>
    public static byte[] RootSignedData(long treeSize, ReadOnlySpan<byte> root) =>
        Encoding.UTF8.GetBytes("renkei batch root v1\n" + treeSize.ToString(CultureInfo.InvariantCulture) + "\n" + Convert.ToHexStringLower(root));

    public string Encode()
    {
        var path = new byte[Path.Count * MerkleTree.HashSize];
        for (var i = 0; i < Path.Count; i++) Path[i].CopyTo(path, i * MerkleTree.HashSize);
        return Prefix + LeafIndex.ToString(CultureInfo.InvariantCulture) + "." + TreeSize.ToString(CultureInfo.InvariantCulture) + "."
            + Base64Url.EncodeToString(Salt) + "." + Base64Url.EncodeToString(path) + "." + Base64Url.EncodeToString(RootSignature);
    }

    /// <summary>Reads <see cref="Encode"/>'s form; null for anything else (never throws).</summary>
    public static BatchSignature? TryParse(string? text)
    {
        if (!IsBatch(text) || text!.Length > MaxEncodedLength) return null;
        var parts = text[Prefix.Length..].Split('.');
        if (parts.Length != 5) return null;
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || size is < 1 or > MaxTreeSize || index >= size)
            return null;
        var salt = FromBase64Url(parts[2]);
        var path = FromBase64Url(parts[3]);
        var signature = FromBase64Url(parts[4]);
        if (salt is not { Length: SaltSize } || path is null || path.Length % MerkleTree.HashSize != 0 || signature is not { Length: SignatureSize })
            return null;
        var hashes = new byte[path.Length / MerkleTree.HashSize][];
        for (var i = 0; i < hashes.Length; i++) hashes[i] = path.AsSpan(i * MerkleTree.HashSize, MerkleTree.HashSize).ToArray();
        return new BatchSignature(index, size, salt, hashes, signature);
    }

    private static byte[]? FromBase64Url(string text)
    {
        try
        {
            return Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Signs a batch of message digests (SHA-256 each, <see cref="MessageDigest"/>) with one ECDSA signature over their
    /// Merkle root: one <see cref="BatchSignature"/> per message, in order. The caller serialises use of <paramref name="key"/>.
    /// </summary>
    public static BatchSignature[] SignBatch(ECDsa key, IReadOnlyList<byte[]> messageDigests)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(messageDigests);
        if (messageDigests.Count is 0 or > (int)MaxTreeSize) throw new ArgumentException("a batch has 1 to 2^20 messages", nameof(messageDigests));
        var salts = RandomNumberGenerator.GetBytes(SaltSize * messageDigests.Count);
        var tree = new MerkleTree();
        for (var i = 0; i < messageDigests.Count; i++) tree.Append(LeafHash(salts.AsSpan(i * SaltSize, SaltSize), messageDigests[i]));
        var root = tree.Root();
        var signature = key.SignData(RootSignedData(tree.Size, root), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var result = new BatchSignature[messageDigests.Count];
        for (var i = 0; i < result.Length; i++)
            result[i] = new BatchSignature(i, tree.Size, salts.AsSpan(i * SaltSize, SaltSize).ToArray(), tree.InclusionProof(i), signature);
        return result;
    }

    /// <summary>
    /// True when <paramref name="signature"/> (the <see cref="Encode"/> form) proves that <paramref name="publicKey"/>'s holder
    /// signed <paramref name="text"/>: the message's leaf leads by the audit path to a root whose signature verifies. A root
    /// verified once is remembered (<see cref="VerifiedRoots"/>, bounded, per key object), so the other messages of the batch
    /// cost only their path's hashes. False for anything malformed; never throws for bad input.
    /// </summary>
    public static bool Verify(ECDsa publicKey, string text, string signature) =>
        Verify(publicKey, text, signature, VerifiedRoots.For(publicKey ?? throw new ArgumentNullException(nameof(publicKey))));

    /// <summary>This process's batch-signed messages checked and the ECDSA verifications of roots that took (the others were cached; for benchmarks).</summary>
    public static (long Messages, long RootVerifications) ProcessVerifications =>
        (Interlocked.Read(ref s_messagesVerified), Interlocked.Read(ref s_rootVerifications));
    private static long s_messagesVerified;
    private static long s_rootVerifications;

    /// <summary><see cref="Verify(ECDsa, string, string)"/> with the receiver's own cache of roots verified with <paramref name="publicKey"/>.</summary>
    public static bool Verify(ECDsa publicKey, string text, string signature, VerifiedRoots roots)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        ArgumentNullException.ThrowIfNull(roots);
        Interlocked.Increment(ref s_messagesVerified);
        if (TryParse(signature) is not { } batch) return false;
        var leaf = LeafHash(batch.Salt, MessageDigest(text));
        if (MerkleTree.RootFromInclusion(leaf, batch.LeafIndex, batch.TreeSize, batch.Path) is not { } root) return false;
        var entry = VerifiedRoots.EntryOf(batch.TreeSize, root, batch.RootSignature);
        if (roots.Contains(entry)) return true;
        bool valid;
        Interlocked.Increment(ref s_rootVerifications);
        try
        {
            valid = publicKey.VerifyData(RootSignedData(batch.TreeSize, root), batch.RootSignature, HashAlgorithmName.SHA256,
                DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            return false;
        }
        if (valid) roots.Add(entry);
        return valid;
    }
}

/// <summary>
/// The batch roots a receiver has verified with one public key (by key object): (tree size, root, signature) entries, at
/// most <see cref="Capacity"/>, the oldest dropped first. A message whose path leads to a remembered root and carries the
/// same root signature needs no ECDSA verification. Thread-safe.
/// </summary>
public sealed class VerifiedRoots
{
    public const int Capacity = 4096;

    private static readonly ConditionalWeakTable<ECDsa, VerifiedRoots> ByKey = new();

    private readonly HashSet<UInt128> _entries = [];
    private readonly Queue<UInt128> _order = new();
    private readonly Lock _gate = new();

    /// <summary>The roots verified with <paramref name="publicKey"/> in this process (one set per key object).</summary>
    public static VerifiedRoots For(ECDsa publicKey) => ByKey.GetValue(publicKey, _ => new VerifiedRoots());

    /// <summary>The cache entry of a root and its signature: 128 bits of SHA-256(size ‖ root ‖ signature).</summary>
    internal static UInt128 EntryOf(long treeSize, byte[] root, byte[] signature)
    {
        Span<byte> data = stackalloc byte[8 + 32 + 64];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(data, treeSize);
        root.CopyTo(data[8..]);
        signature.AsSpan(0, Math.Min(signature.Length, 64)).CopyTo(data[40..]);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(data, hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(hash);
    }

    public int Count
    {
        get
        {
            lock (_gate) return _entries.Count;
        }
    }

    internal bool Contains(UInt128 entry)
    {
        lock (_gate) return _entries.Contains(entry);
    }

    internal void Add(UInt128 entry)
    {
        lock (_gate)
        {
            if (!_entries.Add(entry)) return;
            _order.Enqueue(entry);
            while (_order.Count > Capacity) _entries.Remove(_order.Dequeue());
        }
    }
}
