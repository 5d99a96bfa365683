using System.Security.Cryptography;

namespace Renkei.Core.Audit;

/// <summary>
/// A Merkle tree with the hashing of RFC 9162 §2.1 (Certificate Transparency 2.0): leaf hash = SHA-256(0x00 ‖ data),
/// node hash = SHA-256(0x01 ‖ left ‖ right); the tree over n leaves splits at the largest power of two below n, so it
/// equals a tree built level by level where an odd last node moves up unchanged. The empty tree's root is SHA-256("").
/// <para>An instance holds every level of the tree over the leaf hashes appended so far (32 bytes per node, about twice
/// the leaves in all) and gives the root and an inclusion proof (audit path) for any leaf. The static
/// <see cref="VerifyInclusion"/> is RFC 9162 §2.1.3.2 and needs only the proof: it is what a verifier runs (the
/// portal's page runs the same steps in JavaScript). <see cref="ConsistencyProof"/> and <see cref="VerifyConsistency"/>
/// are RFC 9162 §2.1.4: a proof that an earlier tree head (size and root) is a prefix of this tree, so a log that rewrote
/// or dropped an entry, or shows different trees to different people, is caught. Not thread-safe.</para>
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
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root) =>
        root.Length == HashSize && RootFromInclusion(leafHash, index, size, path) is { } computed && CryptographicOperations.FixedTimeEquals(computed, root);

    /// <summary>
    /// The root that <paramref name="path"/> leads to from <paramref name="leafHash"/> as leaf <paramref name="index"/> of a
    /// tree of <paramref name="size"/> leaves (the computation of RFC 9162 §2.1.3.2), or null when the path cannot belong to
    /// such a tree (wrong length, a hash of the wrong size, an index outside the tree). For a verifier that looks the root up
    /// (a cache of roots whose signature it checked) rather than comparing it with one it already has.
    /// </summary>
    public static byte[]? RootFromInclusion(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (index < 0 || index >= size || leafHash.Length != HashSize) return null;
        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (p is null || p.Length != HashSize || sn == 0) return null;
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
        return sn == 0 ? r : null;
    }

    /// <summary>The root of the tree over the first <paramref name="size"/> leaves: the root an earlier tree head of that size must have.</summary>
    public byte[] RootAt(long size)
    {
        if (size < 0 || size > Size) throw new ArgumentOutOfRangeException(nameof(size), "the tree has fewer leaves");
        return size == 0 ? EmptyRoot() : RangeHash(0, size);
    }

    /// <summary>
    /// RFC 9162 §2.1.4.1: the consistency proof from the tree's first <paramref name="oldSize"/> leaves to its first
    /// <paramref name="newSize"/> leaves (default: the whole tree) — empty when the sizes are equal or the old tree is empty.
    /// </summary>
    public IReadOnlyList<byte[]> ConsistencyProof(long oldSize, long? newSize = null)
    {
        var to = newSize ?? Size;
        if (to < 0 || to > Size) throw new ArgumentOutOfRangeException(nameof(newSize), "the tree has fewer leaves");
        if (oldSize < 0 || oldSize > to) throw new ArgumentOutOfRangeException(nameof(oldSize), "the old tree is larger than the new one");
        var proof = new List<byte[]>();
        if (oldSize > 0 && oldSize < to) SubProof(oldSize, 0, to, complete: true, proof);
        return proof;
    }

    /// <summary>SUBPROOF(m, D[start:end], b) of RFC 9162 §2.1.4.1, appending to <paramref name="proof"/>.</summary>
    private void SubProof(long m, long start, long end, bool complete, List<byte[]> proof)
    {
        if (m == end - start)
        {
            if (!complete) proof.Add(RangeHash(start, end));
            return;
        }
        var k = LargestPowerOfTwoBelow(end - start);
        if (m <= k)
        {
            SubProof(m, start, start + k, complete, proof);
            proof.Add(RangeHash(start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, complete: false, proof);
            proof.Add(RangeHash(start, start + k));
        }
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: true when <paramref name="proof"/> shows that the tree of <paramref name="oldSize"/> leaves with
    /// root <paramref name="oldRoot"/> is the first <paramref name="oldSize"/> leaves of the tree of
    /// <paramref name="newSize"/> leaves with root <paramref name="newRoot"/>. Equal sizes need equal roots and an empty
    /// proof; the empty tree is a prefix of every tree.
    /// </summary>
    public static bool VerifyConsistency(long oldSize, long newSize, ReadOnlySpan<byte> oldRoot, ReadOnlySpan<byte> newRoot, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (oldSize < 0 || oldSize > newSize || oldRoot.Length != HashSize || newRoot.Length != HashSize) return false;
        if (oldSize == newSize) return proof.Count == 0 && CryptographicOperations.FixedTimeEquals(oldRoot, newRoot);
        if (oldSize == 0) return proof.Count == 0;
        if (proof.Count == 0 || proof.Any(p => p is null || p.Length != HashSize)) return false;
        // An old tree whose size is a power of two is a node of the new one: its root starts the path.
        var path = (oldSize & (oldSize - 1)) == 0 ? [oldRoot.ToArray(), .. proof] : proof.ToList();
        var fn = oldSize - 1;
        var sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        var fr = path[0];
        var sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0) return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = HashChildren(c, fr);
                sr = HashChildren(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = HashChildren(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(fr, oldRoot) && CryptographicOperations.FixedTimeEquals(sr, newRoot);
    }

    /// <summary>
    /// MTH(D[start:end]) of RFC 9162 §2.1.1: a stored node when the range is one (aligned, and complete or reaching the
    /// tree's last leaf), else the hash of its two halves split at the largest power of two below its size.
    /// </summary>
    private byte[] RangeHash(long start, long end)
    {
        var size = end - start;
        var level = 0;
        while (1L << level < size) level++;
        if ((start & ((1L << level) - 1)) == 0 && end == Math.Min(start + (1L << level), Size))
            return Node(level, start >> level).ToArray();
        var k = LargestPowerOfTwoBelow(size);
        return HashChildren(RangeHash(start, start + k), RangeHash(start + k, end));
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n ≥ 2).</summary>
    private static long LargestPowerOfTwoBelow(long n)
    {
        var k = 1L;
        while (k << 1 < n) k <<= 1;
        return k;
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
