using System.Security.Cryptography;
using Renkei.Core.Audit;

namespace Renkei.Core.Tests;

public class MerkleTreeTests
{
    /// <summary>The reference leaves of RFC 6962's test suite (Certificate Transparency, merkle_tree_test.cc).</summary>
    private static readonly string[] ReferenceLeaves =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    /// <summary>Roots of the reference tree over its first 1 … 8 leaves.</summary>
    private static readonly string[] ReferenceRoots =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static MerkleTree ReferenceTree(int size) =>
        new(ReferenceLeaves.Take(size).Select(l => MerkleTree.HashLeaf(Hex(l))));

    [Fact]
    public void Roots_of_the_reference_tree_match_RFC_6962()
    {
        for (var size = 1; size <= 8; size++)
            Assert.Equal(ReferenceRoots[size - 1], Convert.ToHexStringLower(ReferenceTree(size).Root()));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(new MerkleTree().Root()));
    }

    [Theory]
    // (0-based leaf index, tree size, audit path) from RFC 6962's reference inclusion proofs
    [InlineData(0, 8, new[] { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" })]
    [InlineData(5, 8, new[] { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" })]
    [InlineData(2, 3, new[] { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" })]
    [InlineData(1, 5, new[] { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" })]
    [InlineData(0, 1, new string[0])]
    public void Inclusion_proofs_of_the_reference_tree_match_RFC_6962(int index, int size, string[] expected)
    {
        var tree = ReferenceTree(size);
        var path = tree.InclusionProof(index);

        Assert.Equal(expected, path.Select(Convert.ToHexStringLower));
        Assert.True(MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(Hex(ReferenceLeaves[index])), index, size, path, tree.Root()));
    }

    /// <summary>RFC 9162 §2.1.1 written as recursion, independent of the level-by-level tree.</summary>
    private static byte[] RecursiveRoot(List<byte[]> leaves, int from, int to)
    {
        var n = to - from;
        if (n == 0) return SHA256.HashData(Array.Empty<byte>());
        if (n == 1) return leaves[from];
        var k = 1;
        while (k * 2 < n) k *= 2;
        return MerkleTree.HashChildren(RecursiveRoot(leaves, from, from + k), RecursiveRoot(leaves, from + k, to));
    }

    [Fact]
    public void Random_trees_agree_with_the_recursive_definition_and_every_proof_verifies_while_any_flipped_bit_fails()
    {
        var random = new Random(20261122);
        for (var size = 1; size <= 70; size++)
        {
            var leafData = Enumerable.Range(0, size).Select(_ => { var b = new byte[random.Next(0, 40)]; random.NextBytes(b); return b; }).ToList();
            var leaves = leafData.Select(d => MerkleTree.HashLeaf(d)).ToList();
            var tree = new MerkleTree();
            foreach (var leaf in leaves) tree.Append(leaf);
            var root = tree.Root();

            Assert.Equal(size, tree.Size);
            Assert.Equal(RecursiveRoot(leaves, 0, size), root);
            for (var i = 0; i < size; i++)
            {
                var path = tree.InclusionProof(i);
                Assert.True(MerkleTree.VerifyInclusion(leaves[i], i, size, path, root), $"leaf {i} of {size}");

                // Edited leaf data, a flipped bit anywhere in the path or the root, the wrong index or size: refused.
                var edited = leafData[i].Append((byte)1).ToArray();
                Assert.False(MerkleTree.VerifyInclusion(MerkleTree.HashLeaf(edited), i, size, path, root));
                if (path.Count > 0)
                {
                    var which = random.Next(path.Count);
                    var tampered = path.Select(p => (byte[])p.Clone()).ToList();
                    tampered[which][random.Next(32)] ^= (byte)(1 << random.Next(8));
                    Assert.False(MerkleTree.VerifyInclusion(leaves[i], i, size, tampered, root));
                    Assert.False(MerkleTree.VerifyInclusion(leaves[i], i, size, path.Take(path.Count - 1).ToList(), root));
                }
                var badRoot = (byte[])root.Clone();
                badRoot[random.Next(32)] ^= 0x80;
                Assert.False(MerkleTree.VerifyInclusion(leaves[i], i, size, path, badRoot));
                if (size > 1) Assert.False(MerkleTree.VerifyInclusion(leaves[i], (i + 1) % size, size, path, root));
                Assert.False(MerkleTree.VerifyInclusion(leaves[i], i, size + 1, path.Append(new byte[32]).ToList(), root));
                Assert.False(MerkleTree.VerifyInclusion(leaves[i], size, size, path, root));
            }
        }
    }

    [Theory]
    // (old size, new size, proof) from RFC 6962's reference consistency proofs (merkle_tree_test.cc)
    [InlineData(1, 1, new string[0])]
    [InlineData(1, 8, new[] { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" })]
    [InlineData(6, 8, new[] { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" })]
    [InlineData(2, 5, new[] { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" })]
    public void Consistency_proofs_of_the_reference_tree_match_RFC_6962(int oldSize, int newSize, string[] expected)
    {
        var tree = ReferenceTree(newSize);
        var proof = tree.ConsistencyProof(oldSize);

        Assert.Equal(expected, proof.Select(Convert.ToHexStringLower));
        Assert.Equal(ReferenceRoots[oldSize - 1], Convert.ToHexStringLower(tree.RootAt(oldSize)));
        Assert.True(MerkleTree.VerifyConsistency(oldSize, newSize, Hex(ReferenceRoots[oldSize - 1]), Hex(ReferenceRoots[newSize - 1]), proof));
    }

    /// <summary>SUBPROOF of RFC 9162 §2.1.4.1 written over the leaf list, independent of the stored levels.</summary>
    private static void RecursiveSubProof(List<byte[]> leaves, int m, int from, int to, bool complete, List<byte[]> proof)
    {
        var n = to - from;
        if (m == n)
        {
            if (!complete) proof.Add(RecursiveRoot(leaves, from, to));
            return;
        }
        var k = 1;
        while (k * 2 < n) k *= 2;
        if (m <= k)
        {
            RecursiveSubProof(leaves, m, from, from + k, complete, proof);
            proof.Add(RecursiveRoot(leaves, from + k, to));
        }
        else
        {
            RecursiveSubProof(leaves, m - k, from + k, to, false, proof);
            proof.Add(RecursiveRoot(leaves, from, from + k));
        }
    }

    [Fact]
    public void Consistency_proofs_agree_with_the_recursive_definition_for_every_size_pair_and_catch_a_rewritten_or_forked_log()
    {
        var random = new Random(20261206);
        for (var size = 1; size <= 64; size++)
        {
            var leaves = Enumerable.Range(0, size).Select(_ => { var b = new byte[random.Next(1, 24)]; random.NextBytes(b); return MerkleTree.HashLeaf(b); }).ToList();
            var tree = new MerkleTree(leaves);
            var root = tree.Root();
            for (var old = 0; old <= size; old++)
            {
                var oldRoot = RecursiveRoot(leaves, 0, old);
                var proof = tree.ConsistencyProof(old);
                var expected = new List<byte[]>();
                if (old > 0 && old < size) RecursiveSubProof(leaves, old, 0, size, true, expected);
                Assert.Equal(expected, proof);
                Assert.Equal(oldRoot, tree.RootAt(old));
                Assert.True(MerkleTree.VerifyConsistency(old, size, oldRoot, root, proof), $"{old} → {size}");
                if (old == 0 || old == size) continue;

                // A flipped bit in the proof or either root, a dropped or extra hash: refused.
                var tampered = proof.Select(p => (byte[])p.Clone()).ToList();
                tampered[random.Next(tampered.Count)][random.Next(32)] ^= (byte)(1 << random.Next(8));
                Assert.False(MerkleTree.VerifyConsistency(old, size, oldRoot, root, tampered));
                var badOld = (byte[])oldRoot.Clone();
                badOld[random.Next(32)] ^= 1;
                Assert.False(MerkleTree.VerifyConsistency(old, size, badOld, root, proof));
                var badNew = (byte[])root.Clone();
                badNew[random.Next(32)] ^= 1;
                Assert.False(MerkleTree.VerifyConsistency(old, size, oldRoot, badNew, proof));
                // (Sizes are bound by the signed tree heads, not by the proof: RFC 9162 accepts a proof for any new size whose path has the same shape.)
                Assert.False(MerkleTree.VerifyConsistency(old, size, oldRoot, root, proof.Append(new byte[32]).ToList()));
                if (proof.Count > 1) Assert.False(MerkleTree.VerifyConsistency(old, size, oldRoot, root, proof.Take(proof.Count - 1).ToList()));

                // A log that rewrote one of the first `old` entries (a fork): its proof does not reach the head a monitor kept.
                var forked = leaves.ToList();
                forked[random.Next(old)] = MerkleTree.HashLeaf([0xFF, (byte)old]);
                var fork = new MerkleTree(forked);
                Assert.False(MerkleTree.VerifyConsistency(old, size, oldRoot, fork.Root(), fork.ConsistencyProof(old)));
            }
        }
    }

    [Fact]
    public void A_grown_tree_proves_consistency_between_any_two_of_its_earlier_heads()
    {
        var leaves = Enumerable.Range(0, 41).Select(i => MerkleTree.HashLeaf(BitConverter.GetBytes(i * 7919))).ToList();
        var tree = new MerkleTree(leaves);
        for (var newSize = 0; newSize <= leaves.Count; newSize++)
        {
            var newRoot = RecursiveRoot(leaves, 0, newSize);
            Assert.Equal(newRoot, tree.RootAt(newSize));
            for (var oldSize = 0; oldSize <= newSize; oldSize++)
            {
                // The same proof as the tree of exactly newSize leaves gives.
                var proof = tree.ConsistencyProof(oldSize, newSize);
                Assert.Equal(new MerkleTree(leaves.Take(newSize)).ConsistencyProof(oldSize), proof);
                Assert.True(MerkleTree.VerifyConsistency(oldSize, newSize, RecursiveRoot(leaves, 0, oldSize), newRoot, proof), $"{oldSize} → {newSize}");
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.ConsistencyProof(5, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.ConsistencyProof(1, 42));
    }

    [Fact]
    public void Consistency_edge_cases_are_refused_or_accepted_as_RFC_9162_says()
    {
        var tree = ReferenceTree(8);
        var root = tree.Root();
        Assert.True(MerkleTree.VerifyConsistency(0, 8, MerkleTree.EmptyRoot(), root, []));
        Assert.True(MerkleTree.VerifyConsistency(8, 8, root, root, []));
        Assert.False(MerkleTree.VerifyConsistency(8, 8, root, root, [new byte[32]]));
        Assert.False(MerkleTree.VerifyConsistency(8, 8, tree.RootAt(7), root, []));
        Assert.False(MerkleTree.VerifyConsistency(3, 8, tree.RootAt(3), root, []));
        Assert.False(MerkleTree.VerifyConsistency(9, 8, root, root, []));
        Assert.False(MerkleTree.VerifyConsistency(-1, 8, root, root, []));
        Assert.False(MerkleTree.VerifyConsistency(3, 8, tree.RootAt(3), root, [new byte[31]]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.ConsistencyProof(9));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.RootAt(-1));
    }

    [Fact]
    public void A_tree_grown_leaf_by_leaf_has_the_root_of_each_prefix()
    {
        var leaves = Enumerable.Range(0, 33).Select(i => MerkleTree.HashLeaf(BitConverter.GetBytes(i))).ToList();
        var grown = new MerkleTree();
        for (var i = 0; i < leaves.Count; i++)
        {
            grown.Append(leaves[i]);
            Assert.Equal(new MerkleTree(leaves.Take(i + 1)).Root(), grown.Root());
            Assert.Equal(RecursiveRoot(leaves, 0, i + 1), grown.Root());
        }
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        var tree = ReferenceTree(3);
        Assert.Throws<ArgumentException>(() => tree.Append(new byte[31]));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.InclusionProof(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.InclusionProof(-1));
        Assert.False(MerkleTree.VerifyInclusion(new byte[32], -1, 3, [], tree.Root()));
        Assert.False(MerkleTree.VerifyInclusion(new byte[31], 0, 3, [], tree.Root()));
    }
}
