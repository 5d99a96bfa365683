using System.Security.Cryptography;
using Renkei.Core.Numbers;
using Renkei.Jlis.Numbering;

namespace Renkei.Jlis.Tests;

public sealed class NumberDeriverTests
{
    private static readonly byte[] Key = Convert.FromHexString("603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4");

    private static ResidentCode[] RandomCodes(int count, int seed)
    {
        var random = new Random(seed);
        var bodies = new HashSet<long>();
        while (bodies.Count < count) bodies.Add(random.NextInt64(ResidentCode.BodyCount));
        return bodies.Select(ResidentCode.FromBody).ToArray();
    }

    [Fact]
    public void A_million_derived_numbers_are_distinct_and_carry_valid_check_digits()
    {
        using var deriver = new NumberDeriver(Key);
        var codes = RandomCodes(100_000, 1);
        var seen = new HashSet<long>(1_000_000);
        var numbers = new IndividualNumber[codes.Length];
        for (var generation = 0; generation <= NumberDeriver.MaxGeneration; generation++)
        {
            deriver.Derive(codes, generation, numbers);
            foreach (var number in numbers)
            {
                Assert.True(seen.Add(number.ToInt64()), "two (code, generation) pairs share a number");
                // The check digit rule, recomputed independently of IndividualNumber (番号法施行規則 第5条).
                var body = number.Body;
                var sum = 0;
                for (var n = 1; n <= 11; n++, body /= 10) sum += (int)(body % 10) * (n <= 6 ? n + 1 : n - 5);
                var expected = sum % 11 <= 1 ? 0 : 11 - sum % 11;
                Assert.Equal(expected, number.CheckDigit);
            }
        }
        Assert.Equal(1_000_000, seen.Count);
    }

    [Fact]
    public void Derivation_depends_on_the_key_and_nothing_else()
    {
        using var deriver = new NumberDeriver(Key);
        using var same = new NumberDeriver(Key.ToArray());
        using var other = new NumberDeriver(RandomNumberGenerator.GetBytes(32));
        var codes = RandomCodes(1000, 2);
        var differing = 0;
        foreach (var code in codes)
        {
            Assert.Equal(deriver.Derive(code, 0).ToInt64(), same.Derive(code, 0).ToInt64());
            Assert.Equal(deriver.Derive(code, 3).ToInt64(), deriver.Derive(code, 3).ToInt64());
            if (deriver.Derive(code, 0) != other.Derive(code, 0)) differing++;
        }
        Assert.True(differing > 990);
    }

    [Fact]
    public void Invert_recovers_code_and_generation()
    {
        using var deriver = new NumberDeriver(Key);
        var random = new Random(3);
        foreach (var code in RandomCodes(2000, 4).Append(ResidentCode.FromBody(0)).Append(ResidentCode.FromBody(ResidentCode.BodyCount - 1)))
        {
            var generation = random.Next(NumberDeriver.GenerationCount);
            var (back, backGeneration) = deriver.Invert(deriver.Derive(code, generation));
            Assert.Equal(code.ToInt64(), back.ToInt64());
            Assert.Equal(generation, backGeneration);
        }
    }

    [Fact]
    public void Bulk_and_single_derivation_agree()
    {
        using var deriver = new NumberDeriver(Key);
        var codes = RandomCodes(700, 5);
        var generations = codes.Select((_, i) => i % NumberDeriver.GenerationCount).ToArray();
        var numbers = new IndividualNumber[codes.Length];
        deriver.Derive(codes, generations, numbers);
        for (var i = 0; i < codes.Length; i++)
            Assert.Equal(deriver.Derive(codes[i], generations[i]).ToInt64(), numbers[i].ToInt64());
    }

    [Fact]
    public void Neighbouring_codes_get_unrelated_numbers()
    {
        using var deriver = new NumberDeriver(Key);
        var numbers = Enumerable.Range(0, 1000).Select(i => deriver.Derive(ResidentCode.FromBody(1_234_500_000 + i), 0).Body).ToArray();
        // Consecutive codes must not give consecutive or nearby numbers.
        var close = numbers.Zip(numbers.Skip(1)).Count(p => Math.Abs(p.First - p.Second) < 1_000_000);
        Assert.True(close < 5);
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new NumberDeriver(new byte[16]));
        using var deriver = new NumberDeriver(Key);
        var code = ResidentCode.FromBody(42);
        Assert.Throws<ArgumentOutOfRangeException>(() => deriver.Derive(code, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => deriver.Derive(code, NumberDeriver.GenerationCount));
        Assert.Throws<ArgumentException>(() => deriver.Derive([code], [0, 1], new IndividualNumber[1]));
    }
}
