using System.Security.Cryptography;
using System.Text.Json;
using Renkei.Core.Crypto;
using Renkei.Core.Json;
using Renkei.Network.Contracts;
using Renkei.Portal.SelfInformation;

namespace Renkei.Portal.Tests;

/// <summary>
/// The checks the portal makes of a holder's answer before わたしの情報 shows it (<see cref="SignedAnswers.VerifyAndOpen"/>, as
/// <see cref="SelfInformationReader"/> calls it): the provider's signature, the seal to the portal's key, and that the
/// content agrees with what was asked and with the outcome the network recorded. Real keys, real sealing; a forged or
/// misdirected answer is refused, never shown.
/// </summary>
public sealed class MyInformationAnswerTests : IDisposable
{
    private const string Portal = "PORTAL";
    private const string Provider = "131091";
    private const string Kind = "local-tax";

    private readonly ECDsa _providerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDiffieHellman _portalKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
    private readonly Guid _requestId = Guid.NewGuid();

    private static readonly JsonElement TaxBody = JsonSerializer.SerializeToElement(new
    {
        fiscalYear = 2026, taxable = true, totalIncome = 4_200_000, totalDeductions = 1_330_000, taxableIncome = 2_870_000,
        incomeBasedTaxAmount = 287_000, perCapitaLevy = 5_000, dependantsCount = 2,
    }, JsonDefaults.Options);

    private ProvidedInformation Information(bool held = true, string kind = Kind) =>
        new(held, kind, null, 3, new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), held ? TaxBody : null, held ? null : "no record");

    private SignedSealedAnswer Answer(ProvidedInformation information, ECDsa? signer = null, byte[]? sealTo = null, string provider = Provider,
        string inquirer = Portal) =>
        SignedAnswers.Create(_requestId, provider, inquirer, information, sealTo ?? _portalKey.PublicKey.ExportSubjectPublicKeyInfo(), signer ?? _providerKey);

    private LinkageResponse Linkage(SignedSealedAnswer? answer, LinkageOutcome outcome = LinkageOutcome.Provided) =>
        new(_requestId, outcome, null, null, answer, 42);

    private ProvidedInformation? Open(LinkageResponse linkage, string kind = Kind, ECDsa? providerKey = null) =>
        SignedAnswers.VerifyAndOpen(linkage, Portal, Provider, kind, providerKey ?? _providerKey, _portalKey);

    [Fact]
    public void An_authentic_answer_opens_to_what_the_provider_sealed()
    {
        var information = Open(Linkage(Answer(Information())));

        Assert.NotNull(information);
        Assert.True(information.Held);
        Assert.Equal(Kind, information.Kind);
        Assert.Equal(287_000, information.Body!.Value.GetProperty("incomeBasedTaxAmount").GetInt64());
    }

    [Fact]
    public void A_not_held_answer_opens_with_the_providers_reason()
    {
        var information = Open(Linkage(Answer(Information(held: false)), LinkageOutcome.NotHeld));

        Assert.NotNull(information);
        Assert.False(information.Held);
        Assert.Equal("no record", information.Reason);
    }

    [Fact]
    public void A_forged_signature_is_refused()
    {
        var answer = Answer(Information());
        var signature = Convert.FromBase64String(answer.Signature);
        signature[5] ^= 0x01;

        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(answer with { Signature = Convert.ToBase64String(signature) })));
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(answer with { Signature = "not base64!" })));
    }

    [Fact]
    public void An_answer_signed_with_another_key_is_refused()
    {
        using var impostor = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(Answer(Information(), signer: impostor))));
        // …and the genuine answer does not verify against a key that is not the provider's.
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(Answer(Information())), providerKey: impostor));
    }

    [Fact]
    public void An_answer_sealed_to_another_key_cannot_be_opened()
    {
        using var otherInquirer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var answer = Answer(Information(), sealTo: otherInquirer.PublicKey.ExportSubjectPublicKeyInfo());

        var e = Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(answer)));
        Assert.Contains("復号", e.Message);
    }

    [Fact]
    public void An_answer_signed_for_another_inquirer_or_kind_is_refused()
    {
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(Answer(Information(), inquirer: "131121"))));
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(Answer(Information())), kind: "child-allowance"));
    }

    [Fact]
    public void A_held_flag_that_disagrees_with_the_content_or_the_outcome_is_refused()
    {
        var provided = Answer(Information());
        var notHeld = Answer(Information(held: false));

        // The network flips the readable flag and the outcome: the sealed content still says held.
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(provided with { Held = false }, LinkageOutcome.NotHeld)));
        // The flag says held but the outcome says not held, and the other way round.
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(provided, LinkageOutcome.NotHeld)));
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(notHeld, LinkageOutcome.Provided)));
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(notHeld with { Held = true }, LinkageOutcome.Provided)));
    }

    [Fact]
    public void The_answer_must_match_the_outcome_and_the_provider_asked()
    {
        var answer = Answer(Information());

        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(null, LinkageOutcome.Provided)));
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(answer, LinkageOutcome.Refused)));
        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(Answer(Information(), provider: "131113"))));
        Assert.Null(Open(Linkage(null, LinkageOutcome.Refused)));
        Assert.Null(Open(Linkage(null, LinkageOutcome.ProviderUnavailable)));
    }

    [Fact]
    public void An_answer_bound_to_another_request_is_refused()
    {
        var answer = Answer(Information());

        Assert.Throws<AnswerNotAuthenticException>(() => Open(Linkage(answer) with { RequestId = Guid.NewGuid() }));
    }

    public void Dispose()
    {
        _providerKey.Dispose();
        _portalKey.Dispose();
    }
}
