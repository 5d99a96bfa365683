using System.Security.Cryptography;

namespace Renkei.Core.Audit;

/// <summary>
/// A Merkle tree with the hashing of RFC 9162 §2.1 (Certificate Transparency 2.0): leaf hash = SHA-256(0x00 ‖ data),
/// node hash = SHA-256(0x01 ‖ left ‖ right); the tree over n leaves splits at the largest power of two below n, so it
/// equals a tree built level by level where an odd last node moves up unchanged. The empty tree's root is SHA-256("").
/// <para>An instance holds every level of the tree over the leaf hashes appended so far (32 bytes per node, about twice
/// the leaves in all) and gives the root and an inclusion proof (audit path) for any leaf. The static
/// <see cref="VerifyInclusion"/> is RFC 9162 §2.1.3.2 and needs only the proof: it is what a verifier runs (the
/// portal's page runs the same steps in JavaScript). Not thread-safe.</para>
/// </summary>
public sealed class MerkleTree
{
    /// <summary>Bytes of a hash (SHA-256).</summary>
    public const int HashSize = 32;

    // _levels[0] are the leaf hashes, _levels[k + 1] the parents of _levels[k]; each is a flat buffer of HashSize-byte nodes.
    private readonly List<byte[]> _levels = [];
    private readonly List<long> _counts = [];

    public MerkleTree()
    {
    }

    /// <summary>A tree over these leaf hashes (each <see cref="HashSize"/> bytes), in order.</summary>
    public MerkleTree(IEnumerable<byte[]> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        foreach (var leaf in leafHashes) Append(leaf);
    }

    /// <summary>The number of leaves.</summary>
    public long Size => _counts.Count == 0 ? 0 : _counts[0];

    /// <summary>SHA-256(0x00 ‖ <paramref name="data"/>): the hash of a leaf with these bytes.</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> data)
    {
        var buffer = new byte[1 + data.Length];
        buffer[0] = 0x00;
        data.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary>SHA-256(0x01 ‖ <paramref name="left"/> ‖ <paramref name="right"/>): the hash of an inner node.</summary>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashSize];
        if (left.Length != HashSize || right.Length != HashSize) throw new ArgumentException($"a node hash has {HashSize} bytes");
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashSize)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>The root of the empty tree: SHA-256 of no bytes.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>Adds the next leaf by its hash (<see cref="HashLeaf"/> of its data) and updates the last node of each level above it.</summary>
    public void Append(byte[] leafHash)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        if (leafHash.Length != HashSize) throw new ArgumentException($"a leaf hash has {HashSize} bytes", nameof(leafHash));
        var level = 0;
        var index = Size;
        var node = leafHash;
        while (true)
        {
            if (level == _levels.Count)
            {
                _levels.Add(new byte[HashSize * 4]);
                _counts.Add(0);
            }
            Put(level, index, node); // a new last node, or the level's last node recomputed
            if (index == _counts[level]) _counts[level] = index + 1;
            if (_counts[level] == 1) return; // the root's level
            // The parent: the pair's hash when this node is a right child, else this node moved up unchanged.
            node = index % 2 == 1 ? HashChildren(Node(level, index - 1), Node(level, index)) : node;
            level++;
            index /= 2;
        }
    }

    /// <summary>The root hash of the whole tree (<see cref="EmptyRoot"/> when it has no leaf).</summary>
    public byte[] Root()
    {
        if (Size == 0) return EmptyRoot();
        return Node(_levels.Count - 1, 0).ToArray();
    }

    /// <summary>
    /// The audit path of leaf <paramref name="index"/>: the sibling hashes from the leaf up to the root (RFC 9162 §2.1.3.1),
    /// empty for a tree of one leaf.
    /// </summary>
    public IReadOnlyList<byte[]> InclusionProof(long index)
    {
        if (index < 0 || index >= Size) throw new ArgumentOutOfRangeException(nameof(index), "the leaf is not in the tree");
        var path = new List<byte[]>();
        for (var level = 0; level < _levels.Count - 1; level++)
        {
            var count = _counts[level];
            if (index % 2 == 1) path.Add(Node(level, index - 1).ToArray());
            else if (index + 1 < count) path.Add(Node(level, index + 1).ToArray());
            // else: the last node of an odd level moves up unchanged, no sibling at this level
            index /= 2;
        }
        return path;
    }

    /// <summary>
    /// RFC 9162 §2.1.3.2: true when <paramref name="path"/> proves that <paramref name="leafHash"/> is leaf
    /// <paramref name="index"/> of the tree of <paramref name="size"/> leaves whose root is <paramref name="root"/>.
    /// </summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (index < 0 || index >= size || leafHash.Length != HashSize || root.Length != HashSize) return false;
        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (p is null || p.Length != HashSize || sn == 0) return false;
            if (fn % 2 == 1 || fn == sn)
            {
                r = HashChildren(p, r);
                if (fn % 2 == 0)
                {
                    while (fn % 2 == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = HashChildren(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    private ReadOnlySpan<byte> Node(int level, long index) => _levels[level].AsSpan(checked((int)(index * HashSize)), HashSize);

    private void Put(int level, long index, byte[] node)
    {
        var offset = checked((int)(index * HashSize));
        var buffer = _levels[level];
        if (offset + HashSize > buffer.Length)
        {
            var grown = new byte[Math.Max(buffer.Length * 2, offset + HashSize)];
            buffer.CopyTo(grown, 0);
            _levels[level] = buffer = grown;
        }
        node.CopyTo(buffer, offset);
    }
}
