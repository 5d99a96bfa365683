using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;

namespace Renkei.Network.Contracts;

/// <summary>
/// A provider's answer as <see cref="SignedSealedAnswer"/> defines it: the <see cref="ProvidedInformation"/> as UTF-8 JSON,
/// sealed to the inquirer's key with the request id ("D" format) as associated data, and signed with the provider's key
/// over <see cref="SignedSealedAnswer.SignedText"/>. Providers create answers with <see cref="CreateAsync"/> (the seal
/// under the provider's current window, <see cref="SealingWindows"/>, with the per-answer key bound to <see cref="KeyInfo"/>;
/// the signature a batch signature, <see cref="BatchSigner"/>); every inquirer (an intermediate server, the portal) checks
/// and opens them with <see cref="Verify"/> and <see cref="OpenChecked"/>, which also open answers sealed with a key of
/// their own and signed alone (<see cref="Create(Guid, string, string, ProvidedInformation, ECDiffieHellmanPublicKey, ECDsa)"/>,
/// and answers stored before windows).
/// </summary>
public static class SignedAnswers
{
    private static readonly JsonSerializerOptions Strict = new(JsonDefaults.Options)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    public static byte[] AssociatedData(Guid requestId) => MessageSealing.AssociatedData(requestId.ToString("D"));

    /// <summary>
    /// The HKDF info of a windowed answer's key: the request id, provider, inquirer and kind, each as a 4-byte big-endian
    /// length and its UTF-8 bytes, so every answer of a window has a key of its own and no two field lists share one.
    /// </summary>
    public static byte[] KeyInfo(Guid requestId, string provider, string inquirer, string kind)
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var field in (string[])[requestId.ToString("D"), provider, inquirer, kind])
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(field);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// A provider's answer: <paramref name="information"/> sealed under <paramref name="windows"/>' current window to the
    /// inquirer's key (<paramref name="inquirerKeyId"/> names it among the window's secrets, e.g. its SPKI in base64), the key
    /// of this answer alone (<see cref="KeyInfo"/>), and batch-signed with <paramref name="providerKey"/> together with
    /// whatever else the key is signing at the moment (<see cref="BatchSigner.For"/>).
    /// </summary>
    public static async Task<SignedSealedAnswer> CreateAsync(Guid requestId, string provider, string inquirer, ProvidedInformation information,
        ECDiffieHellmanPublicKey inquirerSealingKey, string inquirerKeyId, SealingWindows windows, ECDsa providerKey)
    {
        ArgumentNullException.ThrowIfNull(information);
        ArgumentNullException.ThrowIfNull(windows);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(information, JsonDefaults.Options);
        SealedPayload sealedPayload;
        try
        {
            sealedPayload = windows.Seal(inquirerSealingKey, inquirerKeyId, plaintext, KeyInfo(requestId, provider, inquirer, information.Kind),
                AssociatedData(requestId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
        var text = SignedSealedAnswer.SignedText(requestId, provider, inquirer, information.Kind, sealedPayload);
        var signature = await BatchSigner.For(providerKey).SignAsync(text).ConfigureAwait(false);
        return new SignedSealedAnswer(provider, sealedPayload, signature, information.Held);
    }

    /// <summary>
    /// Answers for several requests of one <paramref name="inquirer"/> (a chunk of a batch query), each sealed as
    /// <see cref="CreateAsync"/> seals it, all signed in one batch (<see cref="BatchSigner.SignAllAsync"/>): one root
    /// signature for the lot, and each answer still verifies alone with its own index and audit path.
    /// </summary>
    public static async Task<SignedSealedAnswer[]> CreateManyAsync(string provider, string inquirer,
        IReadOnlyList<(Guid RequestId, ProvidedInformation Information)> answers, ECDiffieHellmanPublicKey inquirerSealingKey, string inquirerKeyId,
        SealingWindows windows, ECDsa providerKey)
    {
        ArgumentNullException.ThrowIfNull(answers);
        ArgumentNullException.ThrowIfNull(windows);
        var sealedPayloads = new SealedPayload[answers.Count];
        var texts = new string[answers.Count];
        for (var i = 0; i < answers.Count; i++)
        {
            var (requestId, information) = answers[i];
            var plaintext = JsonSerializer.SerializeToUtf8Bytes(information, JsonDefaults.Options);
            try
            {
                sealedPayloads[i] = windows.Seal(inquirerSealingKey, inquirerKeyId, plaintext, KeyInfo(requestId, provider, inquirer, information.Kind),
                    AssociatedData(requestId));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
            texts[i] = SignedSealedAnswer.SignedText(requestId, provider, inquirer, information.Kind, sealedPayloads[i]);
        }
        var signatures = await BatchSigner.For(providerKey).SignAllAsync(texts).ConfigureAwait(false);
        var signed = new SignedSealedAnswer[answers.Count];
        for (var i = 0; i < signed.Length; i++) signed[i] = new SignedSealedAnswer(provider, sealedPayloads[i], signatures[i], answers[i].Information.Held);
        return signed;
    }

    /// <summary>Seals <paramref name="information"/> to <paramref name="inquirerSealingKey"/> (SPKI DER) with a key of its own and signs it alone with <paramref name="providerKey"/>.</summary>
    public static SignedSealedAnswer Create(Guid requestId, string provider, string inquirer, ProvidedInformation information,
        ReadOnlySpan<byte> inquirerSealingKey, ECDsa providerKey)
    {
        using var inquirerKey = MessageSealing.ImportRecipient(inquirerSealingKey);
        using var inquirerPublic = inquirerKey.PublicKey;
        return Create(requestId, provider, inquirer, information, inquirerPublic, providerKey);
    }

    /// <summary>Like the overload with the key's DER, with the inquirer's sealing key imported once (<see cref="MessageSealing.ImportRecipient"/>) by a provider that answers it often.</summary>
    public static SignedSealedAnswer Create(Guid requestId, string provider, string inquirer, ProvidedInformation information,
        ECDiffieHellmanPublicKey inquirerSealingKey, ECDsa providerKey)
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
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// Opens the answer with the inquirer's key: under the provider's window (<see cref="OpeningWindows.For"/>, with
    /// <see cref="KeyInfo"/> of this request, provider, inquirer and kind) or, for an answer sealed alone, with its own
    /// ephemeral key. Throws <see cref="CryptographicException"/> when it was sealed to another key, altered, or bound to
    /// another request, provider, inquirer or kind.
    /// </summary>
    public static byte[] Open(SignedSealedAnswer answer, Guid requestId, string inquirer, string kind, ECDiffieHellman inquirerKey)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Sealed.Scheme switch
        {
            null => MessageSealing.Open(inquirerKey, answer.Sealed, AssociatedData(requestId)), // which takes the key's lock for the agreement
            SealingWindows.Scheme => OpeningWindows.For(inquirerKey).Open(answer.Sealed, KeyInfo(requestId, answer.Provider, inquirer, kind), AssociatedData(requestId)),
            _ => throw new CryptographicException("sealed payload: unknown scheme"),
        };
    }

    /// <summary>
    /// The answer a linkage response must carry, checked for shape before any key is fetched: present exactly for
    /// <see cref="LinkageOutcome.Provided"/> and <see cref="LinkageOutcome.NotHeld"/> (null for the other outcomes), from
    /// the provider that was asked.
    /// </summary>
    /// <exception cref="AnswerNotAuthenticException">The response contradicts itself or names another provider.</exception>
    public static SignedSealedAnswer? ExpectedAnswer(LinkageResponse linkage, string provider)
    {
        ArgumentNullException.ThrowIfNull(linkage);
        var expectsAnswer = linkage.Outcome is LinkageOutcome.Provided or LinkageOutcome.NotHeld;
        if (linkage.Answer is not { } answer)
        {
            if (expectsAnswer) throw new AnswerNotAuthenticException("the network reported an answer but sent none (提供情報がありません)");
            return null;
        }
        if (!expectsAnswer) throw new AnswerNotAuthenticException("the network sent an answer with a refusal (拒否と提供情報が矛盾しています)");
        if (answer.Provider != provider) throw new AnswerNotAuthenticException("the answer is from another institution than the one asked (照会先以外からの提供情報です)");
        return answer;
    }

    /// <summary>
    /// Opens an answer whose signature has been verified (<see cref="Verify"/>) with the inquirer's sealing key and checks
    /// that the content agrees with what was asked (<paramref name="kind"/>) and with the outcome the network recorded
    /// (<see cref="ProvidedInformation.Held"/> = <see cref="SignedSealedAnswer.Held"/> = outcome Provided).
    /// </summary>
    /// <exception cref="AnswerNotAuthenticException">Sealed to another key, altered, not a provided-information document, or disagreeing.</exception>
    public static ProvidedInformation OpenChecked(LinkageResponse linkage, SignedSealedAnswer answer, string inquirer, string kind, ECDiffieHellman inquirerKey)
    {
        ArgumentNullException.ThrowIfNull(linkage);
        ArgumentNullException.ThrowIfNull(answer);
        ProvidedInformation? information;
        byte[]? plaintext = null;
        try
        {
            plaintext = Open(answer, linkage.RequestId, inquirer, kind, inquirerKey);
            information = JsonSerializer.Deserialize<ProvidedInformation>(plaintext, Strict);
        }
        catch (CryptographicException)
        {
            throw new AnswerNotAuthenticException("the answer cannot be opened with this institution's key (提供情報を復号できません)");
        }
        catch (JsonException)
        {
            throw new AnswerNotAuthenticException("the opened answer is not a provided-information document (提供情報の形式が正しくありません)");
        }
        finally
        {
            if (plaintext is not null) CryptographicOperations.ZeroMemory(plaintext);
        }
        if (information is null || information.Kind != kind)
            throw new AnswerNotAuthenticException("the answer is for another information kind (情報の種類が一致しません)");
        if (information.Held != answer.Held || information.Held != (linkage.Outcome == LinkageOutcome.Provided))
            throw new AnswerNotAuthenticException("the answer's content disagrees with the outcome the network recorded (提供結果が一致しません)");
        return information;
    }

    /// <summary>
    /// Every check an inquirer makes of a linkage answer, in order: its shape (<see cref="ExpectedAnswer"/>), the provider's
    /// signature with <paramref name="providerKey"/> (<see cref="Verify"/>), then the seal and content
    /// (<see cref="OpenChecked"/>). Null when the outcome carries no answer (refused, provider unavailable).
    /// </summary>
    /// <exception cref="AnswerNotAuthenticException">Any check failed.</exception>
    public static ProvidedInformation? VerifyAndOpen(LinkageResponse linkage, string inquirer, string provider, string kind,
        ECDsa providerKey, ECDiffieHellman inquirerKey)
    {
        if (ExpectedAnswer(linkage, provider) is not { } answer) return null;
        if (!Verify(answer, linkage.RequestId, inquirer, kind, providerKey))
            throw new AnswerNotAuthenticException("the provider's signature on the answer does not verify (提供情報の署名を検証できません)");
        return OpenChecked(linkage, answer, inquirer, kind, inquirerKey);
    }
}

/// <summary>A provider's answer failed a check (signature, seal, kind or outcome): the inquirer treats it as forged. The message names the check, never the content.</summary>
public sealed class AnswerNotAuthenticException(string message) : Exception(message);
