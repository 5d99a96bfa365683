using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Crypto;

namespace Renkei.Core.Tests.Crypto;

public sealed class RequestSignatureTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"requestId":"x","kind":"local-tax"}""");
    private const long Time = 1_795_000_000;
    private const string Nonce = "AAAAAAAAAAAAAAAAAAAAAA";

    [Fact]
    public void The_string_to_sign_is_method_path_audience_timestamp_nonce_and_body_hash()
    {
        Assert.Equal("POST\n/linkage/immediate\nNETWORK\n1795000000\n" + Nonce + "\n" + Convert.ToHexStringLower(SHA256.HashData(Body)),
            RequestSignature.StringToSign("post", "/linkage/immediate", "NETWORK", Time, Nonce, Body));
    }

    [Fact]
    public void A_signature_verifies_with_the_public_key_and_nothing_else()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var published = RequestSignature.ImportPublicKey(Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()));
        var signature = RequestSignature.Sign(key, "POST", "/linkage/immediate", "NETWORK", Time, Nonce, Body);

        Assert.True(RequestSignature.Verify(published, "POST", "/linkage/immediate", "NETWORK", Time, Nonce, Body, signature));
        Assert.False(RequestSignature.Verify(other, "POST", "/linkage/immediate", "NETWORK", Time, Nonce, Body, signature)); // wrong key
        Assert.False(RequestSignature.Verify(published, "POST", "/records/by-token", "NETWORK", Time, Nonce, Body, signature)); // other path
        Assert.False(RequestSignature.Verify(published, "PUT", "/linkage/immediate", "NETWORK", Time, Nonce, Body, signature)); // other method
        Assert.False(RequestSignature.Verify(published, "POST", "/linkage/immediate", "NETWORK", Time + 1, Nonce, Body, signature)); // other time
        Assert.False(RequestSignature.Verify(published, "POST", "/linkage/immediate", "131091", Time, Nonce, Body, signature)); // other receiver
        Assert.False(RequestSignature.Verify(published, "POST", "/linkage/immediate", "NETWORK", Time, "BBBBBBBBBBBBBBBBBBBBBB", Body, signature)); // other nonce
        var tampered = (byte[])Body.Clone();
        tampered[^2] ^= 1;
        Assert.False(RequestSignature.Verify(published, "POST", "/linkage/immediate", "NETWORK", Time, Nonce, tampered, signature)); // altered body
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
