using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Crypto;

namespace Renkei.Core.Tests.Crypto;

public sealed class RequestSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"requestId":"x","kind":"local-tax"}""");
    private const long Time = 1_795_000_000;

    [Fact]
    public void The_string_to_sign_is_method_path_timestamp_and_body_hash()
    {
        Assert.Equal("POST\n/linkage/immediate\n1795000000\n" + Convert.ToHexStringLower(SHA256.HashData(Body)),
            RequestSignature.StringToSign("post", "/linkage/immediate", Time, Body));
    }

    [Fact]
    public void A_signature_verifies_with_the_public_key_and_nothing_else()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var published = RequestSignature.ImportPublicKey(Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()));
        var signature = RequestSignature.Sign(key, "POST", "/linkage/immediate", Time, Body);

        Assert.True(RequestSignature.Verify(published, "POST", "/linkage/immediate", Time, Body, signature));
        Assert.False(RequestSignature.Verify(other, "POST", "/linkage/immediate", Time, Body, signature)); // wrong key
        Assert.False(RequestSignature.Verify(published, "POST", "/records/by-token", Time, Body, signature)); // other path
        Assert.False(RequestSignature.Verify(published, "PUT", "/linkage/immediate", Time, Body, signature)); // other method
        Assert.False(RequestSignature.Verify(published, "POST", "/linkage/immediate", Time + 1, Body, signature)); // other time
        var tampered = (byte[])Body.Clone();
        tampered[^2] ^= 1;
        Assert.False(RequestSignature.Verify(published, "POST", "/linkage/immediate", Time, tampered, signature)); // altered body
    }

    [Fact]
    public void Altered_or_malformed_signatures_are_false_not_exceptions()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signature = Convert.FromBase64String(RequestSignature.SignText(key, "text"));
        signature[10] ^= 1;
        Assert.False(RequestSignature.VerifyText(key, "text", Convert.ToBase64String(signature)));
        Assert.False(RequestSignature.VerifyText(key, "text", "not base64!"));
        Assert.False(RequestSignature.VerifyText(key, "text", Convert.ToBase64String(new byte[200])));
        Assert.False(RequestSignature.VerifyText(key, "text", ""));
    }

    [Fact]
    public void A_malformed_public_key_is_refused()
    {
        Assert.ThrowsAny<Exception>(() => RequestSignature.ImportPublicKey("not base64!"));
        Assert.ThrowsAny<CryptographicException>(() => RequestSignature.ImportPublicKey(Convert.ToBase64String(new byte[40])));
    }
}
