using System.Security.Cryptography;
using Renkei.Core.Audit;
using Renkei.Core.Crypto;
using Renkei.Infrastructure.Audit;
using Renkei.Network.Contracts;
using Renkei.Network.Storage;

namespace Renkei.Network.Records;

/// <summary>
/// The Merkle tree (RFC 9162 hashing, <see cref="MerkleTree"/>) over the provision records' leaf data
/// (<see cref="ProvisionLeaf"/>), in sequence order, and its signed heads (<see cref="ProvisionTreeHead"/>). The tree is
/// computed from the log itself — leaf hashes are kept in memory, read once at the first request and then only the new
/// entries — and always stands at the size of the latest signed head, so every proof it gives is against that head.
/// A new head is signed when asked and the log has grown, at most once per <c>interval</c>, or at once when a proof is
/// wanted for a record the head does not yet cover. Every signed head is kept in the network's database
/// (<c>net_tree_heads</c>); at start (<see cref="VerifyAtStart"/>) the log's hash chain and checkpoints are verified and
/// the tree must extend the last kept head, or the network does not start: an edit made while it was stopped is not
/// covered by a freshly signed head. Thread-safe (one lock; the work under it is hashing new entries).
/// </summary>
internal sealed class ProvisionTree : IDisposable
{
    private readonly AuditLogStore _log;
    private readonly NetworkStore _store;
    private readonly ECDsa _key;
    private readonly string _publicKey;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _interval;
    private readonly Lock _gate = new();
    private readonly MerkleTree _tree = new();
    private ProvisionTreeHead? _head;

    public ProvisionTree(AuditLogStore log, NetworkStore store, ECDsa signingKey, string publicKey, TimeProvider clock, TimeSpan interval)
    {
        _log = log;
        _store = store;
        // Its own copy of the key: ECDsa objects are not for concurrent use, and the checkpoint signer has the other.
        _key = ECDsa.Create(signingKey.ExportParameters(includePrivateParameters: true));
        _publicKey = publicKey;
        _clock = clock;
        _interval = interval;
    }

    /// <summary>
    /// Before anything is signed: the log's hash chain and signed checkpoints verify with the network's keys
    /// (<paramref name="verifier"/>), and the tree over the log extends the last head the network kept (the same root at
    /// that size; kept heads are the network's own rows, compared by root, whichever of its keys signed them). Otherwise throws
    /// <see cref="InvalidOperationException"/> naming the first bad record or the kept head's size, and the network does not start.
    /// </summary>
    public void VerifyAtStart(AuditCheckpointVerifier verifier)
    {
        var verification = _log.Verify(verifier);
        if (!verification.IsIntact)
            throw new InvalidOperationException(
                $"the provision records are damaged at record {verification.Problem!.Sequence} ({verification.Problem.Kind}); the network does not start "
                + "(restore the database, or examine it with 'renkei records verify --role network')");
        lock (_gate)
        {
            CatchUp();
            if (_store.LatestTreeHead() is not { } kept) return;
            if (_tree.Size < kept.TreeSize)
                throw new InvalidOperationException(
                    $"the provision records hold {_tree.Size} records, fewer than the {kept.TreeSize} of the last tree head the network signed; the network does not start");
            if (Convert.ToHexStringLower(_tree.RootAt(kept.TreeSize)) != kept.RootHash)
                throw new InvalidOperationException(
                    $"the first {kept.TreeSize} provision records no longer have the root of the tree head the network signed: a record at or before {kept.TreeSize} "
                    + "was changed; the network does not start");
            // The kept head is served again only if this key signed it: a head signed before the network had its log-signing
            // key (with the request key) would not verify under the published key, so a new head is signed at the same size.
            var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(kept.SignedAtMs);
            if (_tree.Size == kept.TreeSize
                && RequestSignature.VerifyText(_key, ProvisionTreeHead.SignedText(kept.TreeSize, kept.RootHash, signedAt), kept.Signature))
                _head = new ProvisionTreeHead(kept.TreeSize, kept.RootHash, signedAt, kept.Signature, _publicKey);
        }
    }

    /// <summary>The latest signed tree head, signed anew first if the log has grown and the last one is older than the interval.</summary>
    public ProvisionTreeHead Head()
    {
        lock (_gate)
        {
            if (_head is null || (_clock.GetUtcNow() - _head.SignedAt >= _interval && _log.Head().Sequence > _tree.Size))
                Advance();
            return _head!;
        }
    }

    /// <summary>The proof of record <paramref name="sequence"/> against the latest head (signed anew when it does not cover the record); null when the log has no such record.</summary>
    public RecordProof? Proof(long sequence)
    {
        if (sequence < 1) return null;
        lock (_gate)
        {
            if (_head is null || sequence > _tree.Size) Advance();
            if (sequence > _tree.Size) return null;
            var entry = _log.ReadEntries(sequence, sequence).SingleOrDefault();
            if (entry is null) return null;
            var leafData = ProvisionRecords.LeafData(entry);
            var path = _tree.InclusionProof(sequence - 1).Select(Convert.ToHexStringLower).ToList();
            return new RecordProof(ProvisionRecords.ToRecord(entry.Sequence, entry.RecordedAtMicros, ProvisionRecords.Parse(entry.Payload)),
                Convert.ToBase64String(leafData), sequence - 1, path, _head!);
        }
    }

    /// <summary>
    /// The consistency proof from size <paramref name="first"/> to size <paramref name="second"/> of the tree, or null when
    /// <paramref name="second"/> is beyond the latest head (the head is brought up to date first, as <see cref="Head"/> does).
    /// </summary>
    public ConsistencyProof? Consistency(long first, long second)
    {
        if (first < 0 || first > second) return null;
        lock (_gate)
        {
            if (_head is null || (second > _tree.Size && _clock.GetUtcNow() - _head.SignedAt >= _interval)) Advance();
            if (second > _head!.TreeSize) return null;
            return new ConsistencyProof(first, second, _tree.ConsistencyProof(first, second).Select(Convert.ToHexStringLower).ToList());
        }
    }

    /// <summary>Reads the entries after the tree's size (in order, stopping at a gap) and signs a head at the new size.</summary>
    private void Advance()
    {
        var before = _head?.TreeSize ?? -1;
        CatchUp();
        if (_head is not null && _tree.Size == before) return;
        var now = _clock.GetUtcNow();
        var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        var root = Convert.ToHexStringLower(_tree.Root());
        var signature = RequestSignature.SignText(_key, ProvisionTreeHead.SignedText(_tree.Size, root, signedAt));
        // Kept before it is handed out: a head anyone saw is one the next start checks the log against.
        _store.SaveTreeHead(_tree.Size, root, signedAt.ToUnixTimeMilliseconds(), signature);
        _head = new ProvisionTreeHead(_tree.Size, root, signedAt, signature, _publicKey);
    }

    /// <summary>Hashes the entries after the tree's size into it, in order, stopping at a gap (not yet committed in order).</summary>
    private void CatchUp()
    {
        foreach (var entry in _log.ReadEntries(_tree.Size + 1))
        {
            if (entry.Sequence != _tree.Size + 1) break;
            _tree.Append(MerkleTree.HashLeaf(ProvisionRecords.LeafData(entry)));
        }
    }

    /// <summary>The key that verifies the heads (SPKI DER, base64).</summary>
    public string PublicKey => _publicKey;

    /// <summary>Signs <paramref name="text"/> with the heads' key (the published name table: <see cref="PublishedNames"/>).</summary>
    public string SignText(string text)
    {
        lock (_gate) return RequestSignature.SignText(_key, text);
    }

    public void Dispose() => _key.Dispose();
}
