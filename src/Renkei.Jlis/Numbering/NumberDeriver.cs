using Renkei.Core.Crypto;
using Renkei.Core.Numbers;

namespace Renkei.Jlis.Numbering;

/// <summary>
/// Derives individual numbers from resident-record codes (個人番号とすべき番号の生成): pure computation, no I/O.
/// The Act (番号法 第8条第2項) asks that a number differ from every other number, be obtained by converting the
/// resident-record code, and have no regularity from which the code could be recovered.
/// </summary>
/// <remarks>
/// <para>
/// The 11-digit body of the number is FF1<sub>K</sub> (NIST SP 800-38G, AES-256, radix 10, tweak
/// <c>renkei/individual-number/v1</c>) applied to the 11-digit string <c>g ‖ c</c>, where g (0–9) is the
/// generation and c the 10-digit body of the resident-record code; <see cref="IndividualNumber.FromBody"/>
/// then appends the check digit.
/// </para>
/// <para>
/// Why this gives what the Act asks for:
/// <list type="bullet">
/// <item><b>Unique by construction.</b> FF1<sub>K</sub> is a permutation of the 10<sup>11</sup> digit strings of
/// length 11, and (g, c) ↦ g ‖ c is one-to-one, so no two (code, generation) pairs ever share a number, across
/// all codes and all generations, without any lookup table or uniqueness check.</item>
/// <item><b>Never reissued.</b> A changed (leaked) number moves the code to the next generation. The old number is
/// the image of (old generation, code), which no other pair maps to, so it can never be issued to anyone again.
/// Ten generations per code are available; the eleventh change is refused.</item>
/// <item><b>Not guessable.</b> Without K the numbers are indistinguishable from a random permutation of the
/// codes: neither the code can be recovered from the number, nor can one person's code and number help to
/// find anyone else's.</item>
/// <item><b>Invertible with K.</b> J-LIS can turn a number back into (code, generation) without a table
/// (<see cref="Invert"/>), e.g. for token issuance.</item>
/// </list>
/// </para>
/// <para>
/// K lives in J-LIS's own key file (created with random bytes on first run, see
/// <c>Renkei.Infrastructure.SecretKeyFile</c>) and never in code or configuration. Losing K does not lose
/// numbers already designated (they are stored), but new numbers could then collide with old ones, so the
/// key file must be backed up with the database.
/// </para>
/// <para>Thread-safe; about 400,000 single derivations per second per core, several million in bulk.</para>
/// </remarks>
public sealed class NumberDeriver : IDisposable
{
    public const int KeyLength = 32;
    public const int MaxGeneration = 9;
    public const int GenerationCount = MaxGeneration + 1;
    private const int InputLength = 11;
    private static readonly byte[] Tweak = "renkei/individual-number/v1"u8.ToArray();

    private readonly Ff1 _ff1;

    /// <param name="key">The 32-byte AES-256 key K. The deriver keeps its own copy; the caller may clear theirs.</param>
    public NumberDeriver(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength) throw new ArgumentException($"the numbering key has {KeyLength} bytes", nameof(key));
        _ff1 = new Ff1(key, 10);
    }

    /// <summary>The number of <paramref name="code"/> in <paramref name="generation"/> (0 for the first number).</summary>
    public IndividualNumber Derive(ResidentCode code, int generation)
    {
        CheckGeneration(generation);
        var body = _ff1.EncryptNumber(Input(code, generation), InputLength, Tweak);
        return IndividualNumber.FromBody((long)body);
    }

    /// <summary>The code and generation a number was derived from. Every valid number inverts to some pair; whether it was designated is for the store to say.</summary>
    public (ResidentCode Code, int Generation) Invert(IndividualNumber number)
    {
        var input = _ff1.DecryptNumber((ulong)number.Body, InputLength, Tweak);
        return (ResidentCode.FromBody((long)(input % (ulong)ResidentCode.BodyCount)), (int)(input / (ulong)ResidentCode.BodyCount));
    }

    /// <summary>Bulk <see cref="Derive(ResidentCode, int)"/>: <paramref name="numbers"/>[i] for (<paramref name="codes"/>[i], <paramref name="generations"/>[i]).</summary>
    public void Derive(ReadOnlySpan<ResidentCode> codes, ReadOnlySpan<int> generations, Span<IndividualNumber> numbers)
    {
        if (generations.Length != codes.Length || numbers.Length != codes.Length)
            throw new ArgumentException("codes, generations and numbers must have the same length");
        Span<ulong> buffer = stackalloc ulong[Ff1.BulkChunk];
        for (var start = 0; start < codes.Length; start += buffer.Length)
        {
            var count = Math.Min(buffer.Length, codes.Length - start);
            var chunk = buffer[..count];
            for (var i = 0; i < count; i++)
            {
                CheckGeneration(generations[start + i]);
                chunk[i] = Input(codes[start + i], generations[start + i]);
            }
            _ff1.EncryptNumbers(chunk, chunk, InputLength, Tweak);
            for (var i = 0; i < count; i++) numbers[start + i] = IndividualNumber.FromBody((long)chunk[i]);
        }
    }

    /// <summary>Bulk derivation of every code in one generation.</summary>
    public void Derive(ReadOnlySpan<ResidentCode> codes, int generation, Span<IndividualNumber> numbers)
    {
        CheckGeneration(generation);
        if (numbers.Length != codes.Length) throw new ArgumentException("codes and numbers must have the same length");
        Span<int> generations = stackalloc int[Ff1.BulkChunk];
        generations.Fill(generation);
        for (var start = 0; start < codes.Length; start += Ff1.BulkChunk)
        {
            var count = Math.Min(Ff1.BulkChunk, codes.Length - start);
            Derive(codes.Slice(start, count), generations[..count], numbers.Slice(start, count));
        }
    }

    public void Dispose() => _ff1.Dispose();

    private static ulong Input(ResidentCode code, int generation) =>
        (ulong)generation * (ulong)ResidentCode.BodyCount + (ulong)code.Body;

    private static void CheckGeneration(int generation)
    {
        if (generation is < 0 or > MaxGeneration)
            throw new ArgumentOutOfRangeException(nameof(generation), $"generation is 0 … {MaxGeneration}");
    }
}
