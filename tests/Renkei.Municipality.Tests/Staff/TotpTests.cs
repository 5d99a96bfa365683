using Renkei.Core.Text;
using System.Text;
using Renkei.Municipality.Staff;

namespace Renkei.Municipality.Tests.Staff;

public class TotpTests
{
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    // RFC 6238 Appendix B, SHA-1 column.
    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Rfc6238_sha1_test_vectors(long unixTime, string expected)
    {
        var step = Totp.Step(DateTimeOffset.FromUnixTimeSeconds(unixTime));
        Assert.Equal(expected, Totp.Code(RfcSecret, step, digits: 8));
        Assert.Equal(expected[2..], Totp.Code(RfcSecret, step));
    }

    [Fact]
    public void Step_is_thirty_seconds()
    {
        Assert.Equal(1, Totp.Step(DateTimeOffset.FromUnixTimeSeconds(59)));
        Assert.Equal(2, Totp.Step(DateTimeOffset.FromUnixTimeSeconds(60)));
        Assert.Equal(0, Totp.Step(DateTimeOffset.FromUnixTimeSeconds(29)));
    }

    [Fact]
    public void A_code_matches_within_one_step_either_side_and_not_beyond()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1111111111);
        var step = Totp.Step(now);
        Assert.Equal(step, Totp.Match(RfcSecret, Totp.Code(RfcSecret, step), now, null));
        Assert.Equal(step - 1, Totp.Match(RfcSecret, Totp.Code(RfcSecret, step - 1), now, null));
        Assert.Equal(step + 1, Totp.Match(RfcSecret, Totp.Code(RfcSecret, step + 1), now, null));
        Assert.Null(Totp.Match(RfcSecret, Totp.Code(RfcSecret, step - 2), now, null));
        Assert.Null(Totp.Match(RfcSecret, Totp.Code(RfcSecret, step + 2), now, null));
    }

    [Fact]
    public void A_step_already_used_or_older_never_matches_again()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1111111111);
        var step = Totp.Step(now);
        var code = Totp.Code(RfcSecret, step);
        Assert.Null(Totp.Match(RfcSecret, code, now, lastUsedStep: step));
        Assert.Null(Totp.Match(RfcSecret, Totp.Code(RfcSecret, step - 1), now, lastUsedStep: step));
        Assert.Equal(step, Totp.Match(RfcSecret, code, now, lastUsedStep: step - 1));
    }

    [Fact]
    public void Typed_codes_are_normalised_and_anything_else_refused()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(59);
        var code = Totp.Code(RfcSecret, Totp.Step(now)); // 287082
        Assert.NotNull(Totp.Match(RfcSecret, "287 082", now, null));
        Assert.NotNull(Totp.Match(RfcSecret, "２８７０８２", now, null));
        Assert.Null(Totp.Match(RfcSecret, code + "0", now, null));
        Assert.Null(Totp.Match(RfcSecret, "28708a", now, null));
        Assert.Null(Totp.Match(RfcSecret, "", now, null));
        Assert.Null(Totp.Match(RfcSecret, null, now, null));
    }

    [Fact]
    public void Base32_follows_rfc4648()
    {
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Base32.Encode(RfcSecret));
        Assert.Equal("MZXW6YQ", Base32.Encode("foob"u8));
        Assert.Equal(RfcSecret, Base32.Decode("gezdgnbvgy3tqojqgezdgnbvgy3tqojq"));
        Assert.Equal("foob"u8.ToArray(), Base32.Decode("MZXW6YQ="));
        Assert.Throws<FormatException>(() => Base32.Decode("MZXW6Y1"));
    }

    [Fact]
    public void Provisioning_uri_carries_issuer_account_and_parameters()
    {
        var uri = new Uri(Totp.ProvisioningUri(RfcSecret, "Renkei 品川区", "jumin01"));
        Assert.Equal("otpauth", uri.Scheme);
        Assert.Equal("totp", uri.Host);
        Assert.Equal("/Renkei 品川区:jumin01", Uri.UnescapeDataString(uri.AbsolutePath));
        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", query["secret"]);
        Assert.Equal("Renkei 品川区", query["issuer"]);
        Assert.Equal("SHA1", query["algorithm"]);
        Assert.Equal("6", query["digits"]);
        Assert.Equal("30", query["period"]);
    }
}
