using System.Security.Cryptography;
using Renkei.Core.Audit;
using Renkei.Network.Contracts;
using Renkei.Network.Policy;
using Renkei.Network.Registry;

namespace Renkei.Network.Records;

/// <summary>
/// The signed name table (<see cref="SignedNameTable"/>, <c>GET records/names</c>): the names of the registry's institutions
/// and of the policy's affairs and information kinds, signed with the provision records' key. Signed again only when a
/// name changed (an institution registered or renamed), so the public route costs a signature per change, not per call.
/// </summary>
internal sealed class PublishedNames(InstitutionRegistry registry, LinkagePolicy policy, ProvisionTree tree, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private (string Digest, SignedNameTable Signed)? _current;

    public SignedNameTable Current()
    {
        var institutions = registry.All.Select(i => new NamedCode(i.Code, i.Name)).ToList();
        // The portal's own affair (自己情報表示) is not a row of 別表第二 but names the portal's queries in everyone's history.
        var affairs = policy.Affairs.Select(a => new NamedCode(a.Code, a.Name))
            .Append(new NamedCode(SelfDisplay.Affair, SelfDisplay.AffairName))
            .DistinctBy(n => n.Code, StringComparer.Ordinal).OrderBy(n => n.Code, StringComparer.Ordinal).ToList();
        var kinds = policy.Kinds.Select(k => new NamedCode(k.Code, k.Name)).OrderBy(n => n.Code, StringComparer.Ordinal).ToList();
        var digest = Convert.ToHexStringLower(SHA256.HashData(CanonicalJson.Serialize(new { institutions, affairs, kinds })));
        lock (_gate)
        {
            if (_current is { } current && current.Digest == digest) return current.Signed;
            var table = new NameTable(policy.Version + "+" + digest[..16], clock.GetUtcNow(), institutions, affairs, kinds);
            var text = Convert.ToBase64String(CanonicalJson.Serialize(table));
            var signed = new SignedNameTable(text, tree.SignText(SignedNameTable.SignedText(text)), tree.PublicKey);
            _current = (digest, signed);
            return signed;
        }
    }
}
