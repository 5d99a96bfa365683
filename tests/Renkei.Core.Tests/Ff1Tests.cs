using Renkei.Core.Crypto;

namespace Renkei.Core.Tests;

public sealed class Ff1Tests
{
    private const string Key128 = "2B7E151628AED2A6ABF7158809CF4F3C";
    private const string Key192 = Key128 + "EF4359D8D580AA4F";
    private const string Key256 = Key192 + "7F036D6F04FC6A94";
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    /// <summary>The nine FF1 samples published with NIST SP 800-38G (FF1samples.pdf).</summary>
    public static TheoryData<int, string, int, string, string, string> NistSamples => new()
    {
        { 1, Key128, 10, "", "0123456789", "2433477484" },
        { 2, Key128, 10, "39383736353433323130", "0123456789", "6124200773" },
        { 3, Key128, 36, "3737373770717273373737", "0123456789abcdefghi", "a9tv40mll9kdu509eum" },
        { 4, Key192, 10, "", "0123456789", "2830668132" },
        { 5, Key192, 10, "39383736353433323130", "0123456789", "2496655549" },
        { 6, Key192, 36, "3737373770717273373737", "0123456789abcdefghi", "xbj3kv35jrawxv32ysr" },
        { 7, Key256, 10, "", "0123456789", "6657667009" },
        { 8, Key256, 10, "39383736353433323130", "0123456789", "1001623463" },
        { 9, Key256, 36, "3737373770717273373737", "0123456789abcdefghi", "xs8a0azh2avyalyzuwd" },
    };

    private static int[] Numerals(string text) => text.Select(c => Alphabet.IndexOf(c)).ToArray();
    private static string Text(ReadOnlySpan<int> numerals) => string.Concat(numerals.ToArray().Select(n => Alphabet[n]));

    [Theory]
    [MemberData(nameof(NistSamples))]
    public void Nist_sample_encrypts_to_published_ciphertext(int sample, string key, int radix, string tweak, string plain, string cipher)
    {
        Assert.InRange(sample, 1, 9);
        foreach (var general in new[] { false, true })
        {
            using var ff1 = new Ff1(Convert.FromHexString(key), radix) { ForceGeneralPath = general };
            var output = new int[plain.Length];
            ff1.Encrypt(Convert.FromHexString(tweak), Numerals(plain), output);
            Assert.Equal(cipher, Text(output));
        }
    }

    [Theory]
    [MemberData(nameof(NistSamples))]
    public void Nist_sample_decrypts_to_published_plaintext(int sample, string key, int radix, string tweak, string plain, string cipher)
    {
        Assert.InRange(sample, 1, 9);
        foreach (var general in new[] { false, true })
        {
            using var ff1 = new Ff1(Convert.FromHexString(key), radix) { ForceGeneralPath = general };
            var output = new int[cipher.Length];
            ff1.Decrypt(Convert.FromHexString(tweak), Numerals(cipher), output);
            Assert.Equal(plain, Text(output));
        }
    }

    [Theory]
    [InlineData(Key128, "", 2433477484UL)]
    [InlineData(Key192, "39383736353433323130", 2496655549UL)]
    [InlineData(Key256, "39383736353433323130", 1001623463UL)]
    public void Numbers_api_matches_the_decimal_samples(string key, string tweak, ulong cipher)
    {
        using var ff1 = new Ff1(Convert.FromHexString(key), 10);
        var t = Convert.FromHexString(tweak);
        Assert.Equal(cipher, ff1.EncryptNumber(123456789UL, 10, t));
        Assert.Equal(123456789UL, ff1.DecryptNumber(cipher, 10, t));

        var bulk = new ulong[] { 123456789UL, 123456789UL };
        ff1.EncryptNumbers(bulk, bulk, 10, t);
        Assert.Equal([cipher, cipher], bulk);
    }

    [Theory]
    [InlineData(10, 6)]
    [InlineData(10, 11)]
    [InlineData(10, 19)]
    [InlineData(2, 20)]
    [InlineData(2, 63)]
    [InlineData(16, 15)]
    [InlineData(36, 12)]
    [InlineData(256, 7)]
    public void Numbers_round_trip_and_stay_in_the_domain(int radix, int length)
    {
        using var ff1 = new Ff1(Convert.FromHexString(Key256), radix);
        var random = new Random(radix * 1000 + length);
        var domain = (UInt128)1;
        for (var k = 0; k < length; k++) domain *= (uint)radix;
        var tweak = "property"u8.ToArray();
        var values = new ulong[2000];
        for (var k = 0; k < values.Length; k++)
            values[k] = (ulong)((UInt128)(ulong)random.NextInt64(long.MinValue, long.MaxValue) % domain);
        values[0] = 0;
        values[1] = (ulong)(domain - 1);

        var encrypted = new ulong[values.Length];
        ff1.EncryptNumbers(values, encrypted, length, tweak);
        var decrypted = new ulong[values.Length];
        ff1.DecryptNumbers(encrypted, decrypted, length, tweak);

        Assert.Equal(values, decrypted);
        Assert.All(encrypted, c => Assert.True(c < domain));
        for (var k = 0; k < 50; k++)
        {
            Assert.Equal(encrypted[k], ff1.EncryptNumber(values[k], length, tweak));
            Assert.Equal(values[k], ff1.DecryptNumber(encrypted[k], length, tweak));
        }
    }

    [Theory]
    [InlineData(10, 40)] // halves above 64 bits: the BigInteger path
    [InlineData(36, 30)]
    [InlineData(2, 200)]
    [InlineData(65536, 5)]
    [InlineData(10, 7)]
    public void Numeral_strings_round_trip(int radix, int length)
    {
        using var ff1 = new Ff1(Convert.FromHexString(Key128), radix);
        var random = new Random(radix + length);
        for (var trial = 0; trial < 50; trial++)
        {
            var tweak = new byte[random.Next(0, 40)];
            random.NextBytes(tweak);
            var plain = Enumerable.Range(0, length).Select(_ => random.Next(radix)).ToArray();
            var cipher = new int[length];
            ff1.Encrypt(tweak, plain, cipher);
            Assert.All(cipher, n => Assert.InRange(n, 0, radix - 1));
            var back = new int[length];
            ff1.Decrypt(tweak, cipher, back);
            Assert.Equal(plain, back);
        }
    }

    [Fact]
    public void Fast_and_general_paths_agree()
    {
        using var fast = new Ff1(Convert.FromHexString(Key192), 10);
        using var general = new Ff1(Convert.FromHexString(Key192), 10) { ForceGeneralPath = true };
        var random = new Random(7);
        for (var trial = 0; trial < 200; trial++)
        {
            var length = random.Next(6, 39);
            var tweak = new byte[random.Next(0, 33)];
            random.NextBytes(tweak);
            var plain = Enumerable.Range(0, length).Select(_ => random.Next(10)).ToArray();
            var a = new int[length];
            var b = new int[length];
            fast.Encrypt(tweak, plain, a);
            general.Encrypt(tweak, plain, b);
            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void Encryption_is_a_permutation_of_a_small_domain()
    {
        using var ff1 = new Ff1(Convert.FromHexString(Key128), 10);
        var tweak = "perm"u8.ToArray();
        var values = Enumerable.Range(0, 1_000_000).Select(i => (ulong)i).ToArray();
        ff1.EncryptNumbers(values, values, 6, tweak);
        Assert.Equal(1_000_000, new HashSet<ulong>(values).Count);
        Assert.All(values, v => Assert.True(v < 1_000_000UL));
    }

    [Fact]
    public void Tweak_and_key_change_the_permutation()
    {
        using var ff1 = new Ff1(Convert.FromHexString(Key128), 10);
        using var other = new Ff1(Convert.FromHexString(Key256), 10);
        var inputs = Enumerable.Range(0, 100).Select(i => (ulong)i * 1_000_003UL).ToArray();
        var a = new ulong[100];
        var b = new ulong[100];
        var c = new ulong[100];
        ff1.EncryptNumbers(inputs, a, 11, "a"u8);
        ff1.EncryptNumbers(inputs, b, 11, "b"u8);
        other.EncryptNumbers(inputs, c, 11, "a"u8);
        Assert.True(a.Zip(b).Count(p => p.First == p.Second) < 5);
        Assert.True(a.Zip(c).Count(p => p.First == p.Second) < 5);
    }

    [Fact]
    public void Instance_is_safe_across_threads()
    {
        using var ff1 = new Ff1(Convert.FromHexString(Key256), 10);
        var expected = Enumerable.Range(0, 5000).Select(i => ff1.EncryptNumber((ulong)i, 11, "t"u8)).ToArray();
        var results = new ulong[4][];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            var mine = new ulong[5000];
            for (var i = 0; i < mine.Length; i++)
                mine[i] = ff1.EncryptNumber((ulong)i, 11, worker % 2 == 0 ? "t"u8 : "t"u8.ToArray());
            results[worker] = mine;
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }

    [Fact]
    public void Bad_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Ff1(new byte[15], 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ff1(new byte[16], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ff1(new byte[16], 65537));
        using var ff1 = new Ff1(new byte[16], 10);
        // Domain below 10^6.
        Assert.Throws<ArgumentOutOfRangeException>(() => ff1.EncryptNumber(1, 5, default));
        // Value longer than the length.
        Assert.Throws<ArgumentOutOfRangeException>(() => ff1.EncryptNumber(10_000_000_000UL, 10, default));
        // radix^length above 64 bits for the numbers API.
        Assert.Throws<ArgumentOutOfRangeException>(() => ff1.EncryptNumber(1, 20, default));
        // Numeral out of range; the message names the position, not the value.
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ff1.Encrypt(default, [1, 2, 3, 4, 5, 6, 10], new int[7]));
        Assert.Contains("position 7", error.Message);
        Assert.Throws<ArgumentException>(() => ff1.Encrypt(default, [1, 2, 3, 4, 5, 6, 7], new int[6]));
        ff1.Dispose();
        Assert.Throws<ObjectDisposedException>(() => ff1.EncryptNumber(1, 10, default));
    }
}
