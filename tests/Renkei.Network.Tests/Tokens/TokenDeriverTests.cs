using Renkei.Core.Numbers;
using Renkei.Network.Tokens;

namespace Renkei.Network.Tests.Tokens;

/// <summary>
/// Trust rule 2: a token issued to institution A says nothing about the same person's token at institution B without
/// the network's key. The tests run 100,000 people with consecutive resident-record codes (the hardest case: inputs
/// that differ by one) through a fixed master key, so every figure below is reproducible.
/// </summary>
public sealed class TokenDeriverTests
{
    private const int People = 100_000;
    private const string A = "131091";
    private const string B = "131113";

    private static byte[] Key(byte seed) => Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + seed)).ToArray();

    private static (long[] IdCodes, Token[] AtA, Token[] AtB) Derive(TokenDeriver deriver)
    {
        var codes = Enumerable.Range(1, People).Select(i => ResidentCode.FromBody(i)).ToArray();
        var idCodes = new long[People];
        deriver.DeriveIdCodes(codes, idCodes);
        var atA = new Token[People];
        var atB = new Token[People];
        deriver.TokensFor(idCodes, A, atA);
        deriver.TokensFor(idCodes, B, atB);
        return (idCodes, atA, atB);
    }

    [Fact]
    public void Tokens_of_the_same_people_at_two_institutions_bear_no_usable_relation()
    {
        using var deriver = new TokenDeriver(Key(1));
        var (idCodes, atA, atB) = Derive(deriver);
        var a = atA.Select(t => t.ToInt64()).ToArray();
        var b = atB.Select(t => t.ToInt64()).ToArray();

        // Tokens are unique per institution (a permutation), and so are ID codes. Fails if a key or tweak collapsed inputs.
        Assert.Equal(People, a.Distinct().Count());
        Assert.Equal(People, b.Distinct().Count());
        Assert.Equal(People, idCodes.Distinct().Count());

        // No shared values: no token of A is any token of B (expected overlap of two random 100,000-sets of 10^16 values is
        // 10^-6), and no person has the same token at both. Fails if both institutions used the same key or the ID code itself.
        Assert.Empty(a.Intersect(b));
        Assert.Empty(a.Intersect(idCodes));

        // No fixed offset or ratio: were B = A + c or B = A·k (mod 10^16), one difference or ratio would repeat for everyone.
        // For unrelated permutations the most frequent difference occurs once (a repeat has probability ~5·10^-7).
        const long modulus = Token.ValueCount;
        var offsets = a.Zip(b, (x, y) => ((y - x) % modulus + modulus) % modulus).GroupBy(d => d).Max(g => g.Count());
        Assert.True(offsets <= 2, $"a difference B − A repeats {offsets} times");
        var ratios = a.Zip(b, (x, y) => x == 0 ? 0 : (double)y / x).GroupBy(r => r).Max(g => g.Count());
        Assert.True(ratios <= 2, $"a ratio B / A repeats {ratios} times");

        // Digit distribution: every position of the 16 is uniform over 0–9 (chi-square, 9 degrees of freedom; 45 is
        // far beyond the 10^-5 tail). Fails if tokens kept structure of the consecutive inputs (e.g. leading zeros of the
        // 11-digit codes, or a last digit that follows the code's).
        foreach (var tokens in new[] { a, b })
            for (var position = 0; position < Token.Length; position++)
            {
                var counts = new int[10];
                foreach (var t in tokens) counts[(int)(t / Pow10(Token.Length - 1 - position) % 10)]++;
                var expected = tokens.Length / 10.0;
                var chi = counts.Sum(c => (c - expected) * (c - expected) / expected);
                Assert.True(chi < 45, $"digit position {position + 1}: chi-square {chi:0.0}");
            }

        // Per-position agreement: the same digit at the same position of A's and B's token about 1 time in 10.
        var agreement = a.Zip(b, (x, y) => Enumerable.Range(0, Token.Length).Count(k => x / Pow10(k) % 10 == y / Pow10(k) % 10)).Average() / Token.Length;
        Assert.InRange(agreement, 0.095, 0.105);

        // Order tells nothing: Spearman's rank correlation between A's and B's tokens, and between the consecutive
        // resident-record codes and the tokens, is about 0 (standard error 1/√n ≈ 0.003; the bound is 6 of them).
        Assert.InRange(Spearman(a, b), -0.02, 0.02);
        Assert.InRange(Spearman(Enumerable.Range(1, People).Select(i => (long)i).ToArray(), a), -0.02, 0.02);
        // Neighbours in A's order are not neighbours in B's: sort by A and correlate consecutive B values.
        var byA = Enumerable.Range(0, People).OrderBy(i => a[i]).Select(i => b[i]).ToArray();
        Assert.InRange(Spearman(byA[..^1], byA[1..]), -0.02, 0.02);
    }

    [Fact]
    public void Another_master_key_gives_unrelated_ID_codes_and_tokens()
    {
        using var first = new TokenDeriver(Key(1));
        using var second = new TokenDeriver(Key(2));
        var (idCodes1, atA1, _) = Derive(first);
        var (idCodes2, atA2, _) = Derive(second);
        Assert.Empty(idCodes1.Intersect(idCodes2));
        Assert.Empty(atA1.Intersect(atA2));
        Assert.InRange(Spearman(atA1.Select(t => t.ToInt64()).ToArray(), atA2.Select(t => t.ToInt64()).ToArray()), -0.02, 0.02);
        Assert.NotEqual(first.KeyCheck, second.KeyCheck);
        using var again = new TokenDeriver(Key(1));
        Assert.Equal(first.KeyCheck, again.KeyCheck);
    }

    [Fact]
    public void Conversion_round_trips_without_a_table_and_matches_derivation()
    {
        using var deriver = new TokenDeriver(Key(3));
        var (idCodes, atA, atB) = Derive(deriver);

        var converted = new Token[People];
        deriver.Convert(atA, A, B, converted);
        Assert.Equal(atB, converted);
        deriver.Convert(converted, B, A, converted); // in place
        Assert.Equal(atA, converted);

        var back = new long[People];
        deriver.IdCodesOf(atB, B, back);
        Assert.Equal(idCodes, back);

        // The single-value API agrees with the bulk one.
        for (var i = 0; i < People; i += 9_973)
        {
            var code = ResidentCode.FromBody(i + 1);
            Assert.Equal(idCodes[i], deriver.DeriveIdCode(code));
            Assert.Equal(atA[i], deriver.TokenFor(idCodes[i], A));
            Assert.Equal(atB[i], deriver.Convert(atA[i], A, B));
            Assert.Equal(idCodes[i], deriver.IdCodeOf(atA[i], A));
        }
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new TokenDeriver(new byte[16]));
        using var deriver = new TokenDeriver(Key(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => deriver.TokenFor(-1, A));
        Assert.Throws<ArgumentOutOfRangeException>(() => deriver.TokenFor(Token.ValueCount, A));
        Assert.Throws<ArgumentException>(() => deriver.TokenFor(1, " "));
        Assert.Throws<ArgumentException>(() => deriver.TokensFor(new long[3], A, new Token[2]));
        deriver.Dispose();
        Assert.Throws<ObjectDisposedException>(() => deriver.TokenFor(1, A));
    }

    private static long Pow10(int exponent)
    {
        long value = 1;
        for (var i = 0; i < exponent; i++) value *= 10;
        return value;
    }

    /// <summary>Spearman's rank correlation (values are distinct, so ranks have no ties).</summary>
    private static double Spearman(long[] x, long[] y)
    {
        var rx = Ranks(x);
        var ry = Ranks(y);
        double n = x.Length, sum = 0;
        for (var i = 0; i < x.Length; i++) sum += (rx[i] - ry[i]) * (rx[i] - ry[i]);
        return 1 - 6 * sum / (n * (n * n - 1));
    }

    private static double[] Ranks(long[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        for (var r = 0; r < order.Length; r++) ranks[order[r]] = r;
        return ranks;
    }
}
