using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Renkei.Core.Crypto;

namespace Renkei.Benchmarks;

/// <summary>
/// Issue 17: the per-message cost of signing, verifying, sealing and opening, before (a signature per message, an ephemeral
/// key per sealed message) and after (a batch signature per <see cref="BatchSize"/> messages with one root verification per
/// batch at the receiver; windowed sealing keys). Each benchmark handles a whole batch of <see cref="BatchSize"/> messages;
/// the figure per message is the mean divided by the batch size. Run:
/// <c>dotnet run -c Release --project bench/Renkei.Benchmarks -- --filter '*LinkageCrypto*'</c>
/// </summary>
[MemoryDiagnoser]
public class LinkageCryptoBenchmarks
{
    private ECDsa _signing = null!;
    private ECDsa _verifying = null!;
    private ECDiffieHellman _recipient = null!;
    private ECDiffieHellmanPublicKey _recipientPublic = null!;
    private string _recipientId = "";
    private string[] _texts = [];
    private string[] _plainSignatures = [];
    private string[] _batchSignatures = [];
    private byte[][] _infos = [];
    private SealedPayload[] _singleSealed = [];
    private SealedPayload[] _windowSealed = [];
    private SealingWindows _windows = null!;
    private OpeningWindows _opener = null!;
    private static readonly byte[] Plaintext = new byte[600];
    private static readonly byte[] Associated = "2f1c6a52-4f7e-4c25-9a57-3d0c6c0b3e11"u8.ToArray();

    [Params(1, 8, 32)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _verifying = RequestSignature.ImportPublicKey(Convert.ToBase64String(_signing.ExportSubjectPublicKeyInfo()));
        _recipient = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        _recipientPublic = _recipient.PublicKey;
        _recipientId = Convert.ToBase64String(_recipient.ExportSubjectPublicKeyInfo());
        _texts = Enumerable.Range(0, BatchSize)
            .Select(i => $"POST\n/node/provide\n131113\n1795000000\n{RequestSignature.NewNonce()}\n{Convert.ToHexStringLower(SHA256.HashData([(byte)i]))}").ToArray();
        _plainSignatures = _texts.Select(t => RequestSignature.SignText(_signing, t)).ToArray();
        _batchSignatures = BatchSignature.SignBatch(_signing, _texts.Select(BatchSignature.MessageDigest).ToList()).Select(s => s.Encode()).ToArray();
        _infos = Enumerable.Range(0, BatchSize).Select(i => SHA256.HashData([(byte)i])).ToArray();
        _windows = new SealingWindows();
        _opener = new OpeningWindows(_recipient);
        _singleSealed = _infos.Select(_ => MessageSealing.Seal(_recipientPublic, Plaintext, Associated)).ToArray();
        _windowSealed = _infos.Select(info => _windows.Seal(_recipientPublic, _recipientId, Plaintext, info, Associated)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _windows.Dispose();
        _opener.Dispose();
        _recipientPublic.Dispose();
        _recipient.Dispose();
        _verifying.Dispose();
        _signing.Dispose();
    }

    [Benchmark(Description = "sign: one signature per message (before)")]
    public int SignEach()
    {
        var length = 0;
        foreach (var text in _texts) length += RequestSignature.SignText(_signing, text).Length;
        return length;
    }

    [Benchmark(Description = "sign: one batch signature (after)")]
    public int SignBatch()
    {
        var length = 0;
        foreach (var signature in BatchSignature.SignBatch(_signing, _texts.Select(BatchSignature.MessageDigest).ToList())) length += signature.Encode().Length;
        return length;
    }

    [Benchmark(Description = "verify: each message's signature (before)")]
    public int VerifyEach()
    {
        var valid = 0;
        for (var i = 0; i < _texts.Length; i++) if (RequestSignature.VerifyText(_verifying, _texts[i], _plainSignatures[i])) valid++;
        return valid;
    }

    [Benchmark(Description = "verify: a batch, root once, cold cache (after)")]
    public int VerifyBatch()
    {
        var roots = new VerifiedRoots();
        var valid = 0;
        for (var i = 0; i < _texts.Length; i++) if (BatchSignature.Verify(_verifying, _texts[i], _batchSignatures[i], roots)) valid++;
        return valid;
    }

    [Benchmark(Description = "seal: an ephemeral key per message (before)")]
    public int SealEach()
    {
        var length = 0;
        foreach (var _ in _infos) length += MessageSealing.Seal(_recipientPublic, Plaintext, Associated).Ciphertext.Length;
        return length;
    }

    [Benchmark(Description = "seal: windowed key (after)")]
    public int SealWindowed()
    {
        var length = 0;
        foreach (var info in _infos) length += _windows.Seal(_recipientPublic, _recipientId, Plaintext, info, Associated).Ciphertext.Length;
        return length;
    }

    [Benchmark(Description = "open: an agreement per message (before)")]
    public int OpenEach()
    {
        var length = 0;
        foreach (var sealedPayload in _singleSealed) length += MessageSealing.Open(_recipient, sealedPayload, Associated).Length;
        return length;
    }

    [Benchmark(Description = "open: windowed, cold (one agreement per batch) (after)")]
    public int OpenWindowed()
    {
        using var opener = new OpeningWindows(_recipient);
        var length = 0;
        for (var i = 0; i < _windowSealed.Length; i++) length += opener.Open(_windowSealed[i], _infos[i], Associated).Length;
        return length;
    }
}
