using Renkei.Municipality.Staff;

namespace Renkei.Municipality.Tests.Staff;

public class PasswordHashingTests
{
    private static readonly PasswordHashing Fast = PasswordHashing.InsecureForTestsAndDemos(1_000);

    [Fact]
    public void Hash_is_self_describing_and_salted()
    {
        var first = Fast.Hash("correct horse battery");
        var second = Fast.Hash("correct horse battery");
        var parts = first.Split('$');
        Assert.Equal(4, parts.Length);
        Assert.Equal("pbkdf2-sha256", parts[0]);
        Assert.Equal("1000", parts[1]);
        Assert.Equal(16, Convert.FromBase64String(parts[2]).Length);
        Assert.Equal(32, Convert.FromBase64String(parts[3]).Length);
        Assert.NotEqual(first, second);
        Assert.DoesNotContain("correct", first);
    }

    [Fact]
    public void Verify_accepts_the_password_and_nothing_else()
    {
        var hash = Fast.Hash("correct horse battery");
        Assert.True(Fast.Verify("correct horse battery", hash, out var rehash));
        Assert.False(rehash);
        Assert.False(Fast.Verify("correct horse batterY", hash, out _));
        Assert.False(Fast.Verify("", hash, out _));
    }

    [Fact]
    public void Full_width_input_is_the_same_password()
    {
        var hash = Fast.Hash("Shinagawa2024!");
        Assert.True(Fast.Verify("Ｓｈｉｎａｇａｗａ２０２４！", hash, out _));
    }

    [Fact]
    public void A_hash_with_another_count_verifies_and_asks_for_rehash()
    {
        var old = PasswordHashing.InsecureForTestsAndDemos(500).Hash("correct horse battery");
        Assert.True(Fast.Verify("correct horse battery", old, out var rehash));
        Assert.True(rehash);
        Assert.Equal(500, PasswordHashing.IterationsOf(old));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("pbkdf2-sha1$1000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$0$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("pbkdf2-sha256$1000$not base64$AAAA")]
    [InlineData("pbkdf2-sha256$1000$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void A_malformed_stored_hash_never_matches(string stored)
    {
        Assert.False(Fast.Verify("anything at all", stored, out _));
    }

    [Fact]
    public void Production_counts_cannot_be_lowered_by_accident()
    {
        Assert.True(PasswordHashing.Default.Iterations >= 210_000);
        Assert.Throws<ArgumentOutOfRangeException>(() => PasswordHashing.WithIterations(209_999));
        Assert.Equal(210_000, PasswordHashing.WithIterations(210_000).Iterations);
        Assert.StartsWith($"pbkdf2-sha256${PasswordHashing.DefaultIterations}$", PasswordHashing.Default.Hash("correct horse battery"));
    }

    [Fact]
    public void Weak_passwords_are_named_without_repeating_them()
    {
        Assert.Null(PasswordHashing.Weakness("correct horse battery"));
        var tooShort = PasswordHashing.Weakness("short1");
        Assert.NotNull(tooShort);
        Assert.DoesNotContain("short1", tooShort);
        Assert.NotNull(PasswordHashing.Weakness(new string('x', 257)));
        Assert.NotNull(PasswordHashing.Weakness("twelve chars\u0007"));
        Assert.NotNull(PasswordHashing.Weakness(null));
    }
}
