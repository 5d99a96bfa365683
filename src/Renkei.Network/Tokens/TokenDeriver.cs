using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;

namespace Renkei.Network.Tokens;

/// <summary>
/// The network's ID codes and per-institution tokens (符号), all keyed permutations of 16 decimal digits (FF1, radix 10,
/// NIST SP 800-38G) under keys derived from the network's master key:
/// <list type="bullet">
/// <item>ID code (内部の識別コード) = FF1(K_id, resident-record code zero-padded to 16 digits), K_id = HMAC-SHA256(master, "renkei/network/id-code/v1").
/// The network derives it on the token-issuance path and never keeps the resident-record code.</item>
/// <item>Token for institution X = FF1(K_X, ID code), K_X = HMAC-SHA256(master, "renkei/network/token/v1/" + X).</item>
/// <item>Conversion token_A → token_B = FF1_B(FF1_A⁻¹(token_A)): no lookup table.</item>
/// </list>
/// Tokens are unique per institution by construction (a permutation), and without the master key the tokens of one
/// person at two institutions are outputs of two unrelated pseudorandom permutations. One FF1 engine per institution is
/// cached; the bulk methods encrypt up to <see cref="Ff1.BulkChunk"/> values per AES call. Thread-safe.
/// </summary>
public sealed class TokenDeriver : IDisposable
{
    public const int MasterKeyLength = 32;
    private const int Digits = Token.Length; // 16
    private const string TokenKeyLabel = "renkei/network/token/v1/";

    private readonly byte[] _master;
    private readonly Ff1 _idCodes;
    private readonly ConcurrentDictionary<string, Ff1> _institutions = new(StringComparer.Ordinal);
    private int _disposed;

    /// <param name="masterKey">The network's master key (32 bytes). The deriver keeps its own copy.</param>
    public TokenDeriver(ReadOnlySpan<byte> masterKey)
    {
        if (masterKey.Length != MasterKeyLength) throw new ArgumentException($"the network's master key has {MasterKeyLength} bytes", nameof(masterKey));
        _master = GC.AllocateArray<byte>(MasterKeyLength, pinned: true);
        masterKey.CopyTo(_master);
        Span<byte> idKey = stackalloc byte[32];
        HMACSHA256.HashData(_master, "renkei/network/id-code/v1"u8, idKey);
        _idCodes = new Ff1(idKey, 10);
        CryptographicOperations.ZeroMemory(idKey);
    }

    /// <summary>A value that identifies the master key without revealing it (stored beside the tokens it made).</summary>
    public string KeyCheck => System.Convert.ToHexString(HMACSHA256.HashData(_master, "renkei/network/master-key-check/v1"u8));

    /// <summary>The person's ID code (0 … 10^16 − 1) from the resident-record code.</summary>
    public long DeriveIdCode(ResidentCode code) => (long)_idCodes.EncryptNumber((ulong)code.ToInt64(), Digits, []);

    /// <summary>The token of the person with <paramref name="idCode"/> at <paramref name="institution"/>.</summary>
    public Token TokenFor(long idCode, string institution) =>
        Token.FromInt64((long)EngineOf(institution).EncryptNumber(CheckIdCode(idCode), Digits, []));

    /// <summary>The ID code a token of <paramref name="institution"/> denotes (whether it was issued is the store's question).</summary>
    public long IdCodeOf(Token token, string institution) =>
        (long)EngineOf(institution).DecryptNumber((ulong)token.ToInt64(), Digits, []);

    /// <summary>token_A → token_B for the same person.</summary>
    public Token Convert(Token token, string fromInstitution, string toInstitution) =>
        TokenFor(IdCodeOf(token, fromInstitution), toInstitution);

    // ------------------------------------------------------------------ bulk (spans of equal length; input and output may be the same memory only where the types match)

    public void DeriveIdCodes(ReadOnlySpan<ResidentCode> codes, Span<long> idCodes)
    {
        SameLength(codes.Length, idCodes.Length);
        _idCodes.EncryptNumbers(MemoryMarshal.Cast<ResidentCode, ulong>(codes), MemoryMarshal.Cast<long, ulong>(idCodes), Digits, []);
    }

    public void TokensFor(ReadOnlySpan<long> idCodes, string institution, Span<Token> tokens)
    {
        SameLength(idCodes.Length, tokens.Length);
        foreach (var idCode in idCodes) CheckIdCode(idCode);
        EngineOf(institution).EncryptNumbers(MemoryMarshal.Cast<long, ulong>(idCodes), MemoryMarshal.Cast<Token, ulong>(tokens), Digits, []);
    }

    public void IdCodesOf(ReadOnlySpan<Token> tokens, string institution, Span<long> idCodes)
    {
        SameLength(tokens.Length, idCodes.Length);
        EngineOf(institution).DecryptNumbers(MemoryMarshal.Cast<Token, ulong>(tokens), MemoryMarshal.Cast<long, ulong>(idCodes), Digits, []);
    }

    /// <summary>Bulk <see cref="Convert(Token, string, string)"/>; <paramref name="output"/> may be <paramref name="tokens"/> itself.</summary>
    public void Convert(ReadOnlySpan<Token> tokens, string fromInstitution, string toInstitution, Span<Token> output)
    {
        SameLength(tokens.Length, output.Length);
        var from = EngineOf(fromInstitution);
        var to = EngineOf(toInstitution);
        var values = MemoryMarshal.Cast<Token, ulong>(tokens);
        var results = MemoryMarshal.Cast<Token, ulong>(output);
        from.DecryptNumbers(values, results, Digits, []);
        to.EncryptNumbers(results, results, Digits, []);
    }

    private Ff1 EngineOf(string institution)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_institutions.TryGetValue(institution, out var engine)) return engine;
        ArgumentException.ThrowIfNullOrWhiteSpace(institution);
        var created = CreateEngine(institution);
        var stored = _institutions.GetOrAdd(institution, created);
        if (!ReferenceEquals(stored, created)) created.Dispose();
        return stored;
    }

    private Ff1 CreateEngine(string institution)
    {
        Span<byte> key = stackalloc byte[32];
        HMACSHA256.HashData(_master, Encoding.UTF8.GetBytes(TokenKeyLabel + institution), key);
        try { return new Ff1(key, 10); }
        finally { CryptographicOperations.ZeroMemory(key); }
    }

    private static ulong CheckIdCode(long idCode) =>
        idCode is >= 0 and < Token.ValueCount
            ? (ulong)idCode
            : throw new ArgumentOutOfRangeException(nameof(idCode), "an ID code has at most 16 digits");

    private static void SameLength(int input, int output)
    {
        if (input != output) throw new ArgumentException("the output span must be as long as the input");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _idCodes.Dispose();
        foreach (var engine in _institutions.Values) engine.Dispose();
        _institutions.Clear();
        CryptographicOperations.ZeroMemory(_master);
    }
}
