using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Network.Contracts;

namespace Renkei.Intermediate.Node;

/// <summary>
/// A provider's answer as <see cref="SignedSealedAnswer"/> defines it: the <see cref="ProvidedInformation"/> as UTF-8 JSON,
/// sealed to the inquirer's key with the request id ("D" format) as associated data, and signed with the provider's key
/// over <see cref="SignedSealedAnswer.SignedText"/>.
/// </summary>
public static class SignedAnswers
{
    public static byte[] AssociatedData(Guid requestId) => MessageSealing.AssociatedData(requestId.ToString("D"));

    /// <summary>Seals <paramref name="information"/> to <paramref name="inquirerSealingKey"/> (SPKI DER) and signs it with <paramref name="providerKey"/>.</summary>
    public static SignedSealedAnswer Create(Guid requestId, string provider, string inquirer, ProvidedInformation information,
        ReadOnlySpan<byte> inquirerSealingKey, ECDsa providerKey)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(information, JsonDefaults.Options);
        var sealedPayload = MessageSealing.Seal(inquirerSealingKey, plaintext, AssociatedData(requestId));
        CryptographicOperations.ZeroMemory(plaintext);
        var text = SignedSealedAnswer.SignedText(requestId, provider, inquirer, information.Kind, sealedPayload);
        string signature;
        // The same key object signs requests (SigningHandler locks on it too).
        lock (providerKey) signature = RequestSignature.SignText(providerKey, text);
        return new SignedSealedAnswer(provider, sealedPayload, signature, information.Held);
    }

    /// <summary>True when <paramref name="answer"/> carries <paramref name="providerKey"/>'s signature for this request, inquirer and kind.</summary>
    public static bool Verify(SignedSealedAnswer answer, Guid requestId, string inquirer, string kind, ECDsa providerKey)
    {
        var text = SignedSealedAnswer.SignedText(requestId, answer.Provider, inquirer, kind, answer.Sealed);
        try
        {
            lock (providerKey) return RequestSignature.VerifyText(providerKey, text, answer.Signature);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Opens the answer with the inquirer's key. Throws <see cref="CryptographicException"/> when it was sealed to another key, altered, or bound to another request.</summary>
    public static byte[] Open(SignedSealedAnswer answer, Guid requestId, ECDiffieHellman inquirerKey)
    {
        lock (inquirerKey) return MessageSealing.Open(inquirerKey, answer.Sealed, AssociatedData(requestId));
    }
}
