using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Renkei.Core.Audit;

/// <summary>
/// A signed statement by the log's owner: "entry <see cref="Sequence"/> of this log has hash <see cref="Hash"/>", made at
/// <see cref="SignedAt"/>. Every entry up to the checkpoint is fixed by it: rewriting any of them (even recomputing every
/// hash after it) changes the hash at the checkpoint, and removing entries up to it leaves a checkpoint that points at
/// nothing. Entries after the latest checkpoint are protected only by the next one, or by a head the auditor wrote down.
/// </summary>
public sealed record AuditCheckpoint(long Sequence, byte[] Hash, long SignedAtMicros, byte[] Signature)
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
}

/// <summary>Checks checkpoint signatures with the owner's published public key. Thread-safe.</summary>
public sealed class AuditCheckpointVerifier
{
    private readonly ECDsa _publicKey;
    private readonly Lock _gate = new();

    public AuditCheckpointVerifier(string logIdentity, ECDsa publicKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(logIdentity);
        LogIdentity = logIdentity;
        _publicKey = publicKey;
        KeyFingerprint = Fingerprint(publicKey);
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
        lock (_gate) return _publicKey.VerifyData(data, checkpoint.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
