using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Audit;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Network.Tests.Citizen;

/// <summary>
/// docs/provision-proofs.md's worked example is byte-exact: the leaf data is what the network's canonical JSON writes for
/// the record, its hash, audit path and root verify with the network's Merkle code, the signed text is the tree head's,
/// and the signature verifies with the example key. An outside verifier who follows the page gets the same bytes.
/// </summary>
public sealed class ProvisionProofDocsTests
{
    [Fact]
    public void The_worked_example_in_the_docs_is_what_the_network_computes()
    {
        var example = WorkedExample();
        var leaf = new ProvisionLeaf(2, new DateTimeOffset(2026, 11, 22, 1, 23, 45, TimeSpan.Zero).AddTicks(6_789_010), Guid.Parse("d2a1c4e8-6b3f-4a7d-9e25-1f0c8b7a6d43"),
            "131091", "131113", "child-allowance", "local-tax", ProvisionResult.Provided, null,
            Convert.ToHexStringLower(SHA256.HashData("renkei/docs/worked-example"u8)));
        var data = CanonicalJson.Serialize(leaf);

        Assert.Equal(example["leaf data (UTF-8)"], Encoding.UTF8.GetString(data));
        Assert.Equal(example["leaf data (hex)"], Convert.ToHexStringLower(data));
        var leafHash = MerkleTree.HashLeaf(data);
        Assert.Equal(example["leaf hash"], Convert.ToHexStringLower(leafHash));

        var index = long.Parse(example["leaf index"], CultureInfo.InvariantCulture);
        var size = long.Parse(example["tree size"], CultureInfo.InvariantCulture);
        var path = example["audit path"].Split(' ').Select(Convert.FromHexString).ToList();
        var root = Convert.FromHexString(example["root"]);
        Assert.Equal((leaf.Sequence - 1, 3L), (index, size));
        Assert.True(MerkleTree.VerifyInclusion(leafHash, index, size, path, root));
        Assert.Equal(root, MerkleTree.HashChildren(MerkleTree.HashChildren(path[0], leafHash), path[1]));

        var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(example["signed at (Unix ms)"], CultureInfo.InvariantCulture));
        var text = ProvisionTreeHead.SignedText(size, example["root"], signedAt);
        Assert.Equal($"{ProvisionTreeHead.Label}\n3\n{example["root"]}\n{example["signed at (Unix ms)"]}", text);
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(example["network public key"]), out _);
        var signature = Convert.FromBase64String(example["signature"]);
        Assert.True(key.VerifyData(Encoding.UTF8.GetBytes(text), signature, HashAlgorithmName.SHA256));
        // The same signature over another size or root does not verify.
        Assert.False(key.VerifyData(Encoding.UTF8.GetBytes(ProvisionTreeHead.SignedText(4, example["root"], signedAt)), signature, HashAlgorithmName.SHA256));
    }

    /// <summary>The "name: value" lines between the worked-example markers of docs/provision-proofs.md.</summary>
    private static Dictionary<string, string> WorkedExample()
    {
        var text = File.ReadAllText(RepositoryFiles.Path("docs", "provision-proofs.md")).ReplaceLineEndings("\n");
        var start = text.IndexOf("<!-- worked-example -->", StringComparison.Ordinal);
        var end = text.IndexOf("<!-- /worked-example -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "docs/provision-proofs.md has no worked example between its markers");
        return text[start..end].Split('\n')
            .Where(line => line.Contains(": ", StringComparison.Ordinal) && !line.StartsWith("<!--", StringComparison.Ordinal))
            .Select(line => line.Split(": ", 2))
            .ToDictionary(parts => parts[0], parts => parts[1].Trim(), StringComparer.Ordinal);
    }

}
