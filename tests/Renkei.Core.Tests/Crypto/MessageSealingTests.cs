using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Crypto;

namespace Renkei.Core.Tests.Crypto;

public sealed class MessageSealingTests
{
    private static readonly byte[] Plain = Encoding.UTF8.GetBytes("""{"held":true,"income":3200000}""");
    private static readonly byte[] Request = MessageSealing.AssociatedData("5e0f0c46-8c4c-4b2a-9a59-1d0c1f0b7a11");

    private static ECDiffieHellman NewKey() => ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    [Fact]
    public void The_recipient_opens_what_was_sealed_to_it_and_each_seal_is_fresh()
    {
        using var recipient = NewKey();
        var first = MessageSealing.Seal(recipient.ExportSubjectPublicKeyInfo(), Plain, Request);
        var second = MessageSealing.Seal(recipient.ExportSubjectPublicKeyInfo(), Plain, Request);
        Assert.Equal(Plain, MessageSealing.Open(recipient, first, Request));
        Assert.Equal(Plain, MessageSealing.Open(recipient, second, Request));
        // A new ephemeral key and nonce each time: equal plaintexts do not give equal ciphertexts.
        Assert.NotEqual(first.EphemeralPublicKey, second.EphemeralPublicKey);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
        Assert.DoesNotContain("3200000", first.Canonical);
    }

    [Fact]
    public void Another_key_cannot_open_it()
    {
        using var recipient = NewKey();
        using var other = NewKey();
        var sealedPayload = MessageSealing.Seal(recipient.ExportSubjectPublicKeyInfo(), Plain, Request);
        Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(other, sealedPayload, Request));
    }

    [Fact]
    public void Other_associated_data_is_refused()
    {
        using var recipient = NewKey();
        var sealedPayload = MessageSealing.Seal(recipient.ExportSubjectPublicKeyInfo(), Plain, Request);
        Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(recipient, sealedPayload, MessageSealing.AssociatedData("another request")));
        Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(recipient, sealedPayload, []));
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("tag")]
    [InlineData("nonce")]
    [InlineData("ephemeral")]
    public void Any_altered_part_is_refused(string part)
    {
        using var recipient = NewKey();
        var s = MessageSealing.Seal(recipient.ExportSubjectPublicKeyInfo(), Plain, Request);
        var altered = part switch
        {
            "ciphertext" => s with { Ciphertext = FlipBit(s.Ciphertext) },
            "tag" => s with { Tag = FlipBit(s.Tag) },
            "nonce" => s with { Nonce = FlipBit(s.Nonce) },
            _ => s with { EphemeralPublicKey = Convert.ToBase64String(NewKey().ExportSubjectPublicKeyInfo()) },
        };
        Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(recipient, altered, Request));
    }

    [Fact]
    public void Malformed_fields_are_refused_as_cryptographic_errors()
    {
        using var recipient = NewKey();
        var s = MessageSealing.Seal(recipient.ExportSubjectPublicKeyInfo(), Plain, Request);
        Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(recipient, s with { Nonce = "not base64!" }, Request));
        Assert.ThrowsAny<CryptographicException>(() => MessageSealing.Open(recipient, s with { Tag = Convert.ToBase64String(new byte[8]) }, Request));
    }

    private static string FlipBit(string base64)
    {
        var bytes = Convert.FromBase64String(base64);
        bytes[0] ^= 1;
        return Convert.ToBase64String(bytes);
    }
}
