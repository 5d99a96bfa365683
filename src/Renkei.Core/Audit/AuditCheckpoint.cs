using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Renkei.Core.Audit;

/// <summary>
/// A signed statement by the log's owner: "entry <see cref="Sequence"/> of this log has hash <see cref="Hash"/>", made at
/// <see cref="SignedAt"/>. Every entry up to the checkpoint is fixed by it: rewriting any of them (even recomputing every
/// hash after it) changes the hash at the checkpoint, and removing entries up to it leaves a checkpoint that points at
/// nothing. Entries after the latest checkpoint are protected only by the next one, or by a head the auditor wrote down.
/// <para><see cref="Coverage"/>, when present, is a second signed statement listing the hash of every entry since the
/// checkpoint before (<see cref="AuditCoverage"/>): with it a verifier names the first rewritten entry itself, not only the
/// range between two checkpoints. It is signed separately so that <see cref="Signature"/> keeps the form others verify.</para>
/// </summary>
public sealed record AuditCheckpoint(long Sequence, byte[] Hash, long SignedAtMicros, byte[] Signature, AuditCoverage? Coverage = null)
{
    public DateTimeOffset SignedAt => AuditTime.FromMicros(SignedAtMicros);
    public string HashHex => AuditHash.ToHex(Hash);
    public AuditHead Head => new(Sequence, Hash, long.MinValue);

    /// <summary>
    /// The bytes that are signed: <c>tag ‖ length(logIdentity) ‖ logIdentity ‖ sequence ‖ hash ‖ signedAt</c> with the tag
    /// <c>RENKEI-AUDIT-CHECKPOINT-V1</c> and a zero byte, the identity in UTF-8 after a 2-byte big-endian length, the
    /// sequence and time (microseconds since the epoch) as 8 bytes big-endian. The identity (e.g.
    /// <c>municipality/131091/operation_log</c>) stops a checkpoint of one log being passed off as another's.
    /// </summary>
    public static byte[] SignedBytes(string logIdentity, long sequence, ReadOnlySpan<byte> hash, long signedAtMicros)
    {
        if (hash.Length != AuditHash.Size) throw new ArgumentException($"a hash has {AuditHash.Size} bytes", nameof(hash));
        var identity = Encoding.UTF8.GetBytes(logIdentity);
        if (identity.Length > ushort.MaxValue) throw new ArgumentException("log identity too long", nameof(logIdentity));
        var tag = "RENKEI-AUDIT-CHECKPOINT-V1\0"u8;
        var bytes = new byte[tag.Length + 2 + identity.Length + 8 + AuditHash.Size + 8];
        var at = 0;
        tag.CopyTo(bytes); at += tag.Length;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)identity.Length); at += 2;
        identity.CopyTo(bytes.AsSpan(at)); at += identity.Length;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(at), sequence); at += 8;
        hash.CopyTo(bytes.AsSpan(at)); at += AuditHash.Size;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(at), signedAtMicros);
        return bytes;
    }
}

/// <summary>
/// The entries a checkpoint covers one by one: <see cref="Hashes"/> is the hash of every entry from
/// <see cref="FirstSequence"/> to the checkpoint's sequence, in order (32 bytes each, the last one the checkpoint's hash),
/// and <see cref="Signature"/> the owner's signature over <see cref="SignedBytes"/>.
/// </summary>
public sealed record AuditCoverage(long Sequence, byte[] Hashes, byte[] Signature)
{
    /// <summary>How many entries are covered.</summary>
    public long Count => Hashes.Length / AuditHash.Size;

    public long FirstSequence => Sequence - Count + 1;

    public bool Covers(long sequence) => sequence >= FirstSequence && sequence <= Sequence;

    /// <summary>The signed hash of entry <paramref name="sequence"/> (which <see cref="Covers"/>).</summary>
    public ReadOnlySpan<byte> HashOf(long sequence) => Hashes.AsSpan(checked((int)(sequence - FirstSequence) * AuditHash.Size), AuditHash.Size);

    /// <summary>
    /// <c>tag ‖ length(logIdentity) ‖ logIdentity ‖ sequence ‖ count ‖ SHA-256(hashes)</c> with the tag
    /// <c>RENKEI-AUDIT-COVERAGE-V1</c> and a zero byte, lengths and numbers big-endian as in <see cref="AuditCheckpoint.SignedBytes"/>.
    /// </summary>
    public static byte[] SignedBytes(string logIdentity, long sequence, ReadOnlySpan<byte> hashes)
    {
        if (hashes.Length == 0 || hashes.Length % AuditHash.Size != 0) throw new ArgumentException("covered hashes are one or more 32-byte hashes", nameof(hashes));
        var identity = Encoding.UTF8.GetBytes(logIdentity);
        if (identity.Length > ushort.MaxValue) throw new ArgumentException("log identity too long", nameof(logIdentity));
        var tag = "RENKEI-AUDIT-COVERAGE-V1\0"u8;
        var bytes = new byte[tag.Length + 2 + identity.Length + 8 + 8 + AuditHash.Size];
        var at = 0;
        tag.CopyTo(bytes); at += tag.Length;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at), (ushort)identity.Length); at += 2;
        identity.CopyTo(bytes.AsSpan(at)); at += identity.Length;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(at), sequence); at += 8;
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(at), hashes.Length / AuditHash.Size); at += 8;
        SHA256.HashData(hashes, bytes.AsSpan(at));
        return bytes;
    }
}

/// <summary>
/// Signs checkpoints with the log owner's ECDSA P-256 key (SHA-256, signature as r ‖ s, 64 bytes). Thread-safe.
/// The key never leaves this object; only <see cref="PublicKeyPem"/> is published.
/// </summary>
public sealed class AuditCheckpointSigner
{
    private readonly ECDsa _key;
    private readonly Lock _gate = new();

    public AuditCheckpointSigner(string logIdentity, ECDsa key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logIdentity);
        if (key.KeySize != 256) throw new ArgumentException("audit checkpoints are signed with ECDSA P-256", nameof(key));
        LogIdentity = logIdentity;
        _key = key;
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
    }

    public string LogIdentity { get; }
    public string PublicKeyPem { get; }

    public AuditCheckpointVerifier Verifier() => AuditCheckpointVerifier.FromPem(LogIdentity, PublicKeyPem);

    public AuditCheckpoint Sign(AuditHead head, DateTimeOffset at)
    {
        if (head.Sequence < 1) throw new InvalidOperationException("an empty log has nothing to checkpoint");
        var signedAt = AuditTime.ToMicros(at);
        var data = AuditCheckpoint.SignedBytes(LogIdentity, head.Sequence, head.Hash, signedAt);
        byte[] signature;
        lock (_gate) signature = _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new AuditCheckpoint(head.Sequence, head.Hash, signedAt, signature);
    }

    /// <summary>
    /// A checkpoint at <paramref name="head"/> with its <see cref="AuditCoverage"/>: <paramref name="coveredHashes"/> are the
    /// hashes of the entries up to the head (the last one the head's), oldest first.
    /// </summary>
    public AuditCheckpoint Sign(AuditHead head, DateTimeOffset at, byte[] coveredHashes)
    {
        ArgumentNullException.ThrowIfNull(coveredHashes);
        if (coveredHashes.Length == 0 || coveredHashes.Length % AuditHash.Size != 0 || coveredHashes.Length / AuditHash.Size > head.Sequence
            || !coveredHashes.AsSpan(coveredHashes.Length - AuditHash.Size).SequenceEqual(head.Hash))
            throw new ArgumentException("covered hashes end with the head's hash and go back no further than entry 1", nameof(coveredHashes));
        var checkpoint = Sign(head, at);
        var data = AuditCoverage.SignedBytes(LogIdentity, head.Sequence, coveredHashes);
        byte[] signature;
        lock (_gate) signature = _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return checkpoint with { Coverage = new AuditCoverage(head.Sequence, coveredHashes, signature) };
    }
}

/// <summary>
/// Checks checkpoint signatures with the owner's published public key — or with a key the owner signed with before it
/// (<see cref="WithEarlierKey"/>), for a log whose older checkpoints were signed before the owner's current key existed.
/// Thread-safe.
/// </summary>
public sealed class AuditCheckpointVerifier
{
    private readonly ECDsa _publicKey;
    private readonly ECDsa? _earlierKey;
    private readonly Lock _gate = new();

    public AuditCheckpointVerifier(string logIdentity, ECDsa publicKey) : this(logIdentity, publicKey, null)
    {
    }

    private AuditCheckpointVerifier(string logIdentity, ECDsa publicKey, ECDsa? earlierKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logIdentity);
        LogIdentity = logIdentity;
        _publicKey = publicKey;
        _earlierKey = earlierKey;
        KeyFingerprint = Fingerprint(publicKey);
    }

    /// <summary>
    /// A verifier that also accepts checkpoints signed with <paramref name="earlierKey"/> (a P-256 key the owner signed its
    /// checkpoints with before this one). <see cref="KeyFingerprint"/> stays this verifier's key's.
    /// </summary>
    public AuditCheckpointVerifier WithEarlierKey(ECDsa earlierKey)
    {
        ArgumentNullException.ThrowIfNull(earlierKey);
        if (earlierKey.KeySize != 256) throw new ArgumentException("audit checkpoints are verified with an ECDSA P-256 key", nameof(earlierKey));
        return new AuditCheckpointVerifier(LogIdentity, _publicKey, earlierKey);
    }

    public string LogIdentity { get; }

    /// <summary>The first 16 hex characters of SHA-256 over the public key (SubjectPublicKeyInfo): how people name the key.</summary>
    public string KeyFingerprint { get; }

    /// <summary>A verifier from a PEM "PUBLIC KEY" (SubjectPublicKeyInfo); throws <see cref="FormatException"/> on anything else.</summary>
    public static AuditCheckpointVerifier FromPem(string logIdentity, string publicKeyPem)
    {
        var key = ECDsa.Create();
        try { key.ImportFromPem(publicKeyPem); }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new FormatException("not a PEM ECDSA public key");
        }
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new FormatException("audit checkpoints are verified with an ECDSA P-256 key");
        }
        return new AuditCheckpointVerifier(logIdentity, key);
    }

    public static string Fingerprint(ECDsa key) =>
        Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];

    public bool HasValidSignature(AuditCheckpoint checkpoint)
    {
        if (checkpoint.Hash.Length != AuditHash.Size || checkpoint.Signature.Length != 64) return false;
        var data = AuditCheckpoint.SignedBytes(LogIdentity, checkpoint.Sequence, checkpoint.Hash, checkpoint.SignedAtMicros);
        return SignedByOwner(data, checkpoint.Signature);
    }

    /// <summary>True when <paramref name="coverage"/> is signed by the owner and ends at <paramref name="checkpoint"/>'s hash.</summary>
    public bool HasValidCoverage(AuditCheckpoint checkpoint, AuditCoverage coverage)
    {
        if (coverage.Sequence != checkpoint.Sequence || coverage.Signature.Length != 64 || coverage.Hashes.Length == 0
            || coverage.Hashes.Length % AuditHash.Size != 0 || coverage.Count > checkpoint.Sequence
            || !coverage.HashOf(coverage.Sequence).SequenceEqual(checkpoint.Hash))
            return false;
        var data = AuditCoverage.SignedBytes(LogIdentity, coverage.Sequence, coverage.Hashes);
        return SignedByOwner(data, coverage.Signature);
    }

    private bool SignedByOwner(byte[] data, byte[] signature)
    {
        lock (_gate)
            return _publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
                || (_earlierKey?.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation) ?? false);
    }
}
