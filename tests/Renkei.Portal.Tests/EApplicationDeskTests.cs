using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Renkei.Core.Json;
using Renkei.Municipality.Contracts;
using Renkei.Portal.EApplications;

namespace Renkei.Portal.Tests;

/// <summary>
/// The portal's preparation and checking of a one-stop e-application (<see cref="EApplicationDesk"/>): the document is exactly
/// what the form said, the ticket binds its text to the session, and only that text signed by the certificate's key goes on.
/// </summary>
public sealed class EApplicationDeskTests : IDisposable
{
    private const string Session = "session-cookie-value-one";

    private static readonly PortalWard Shinagawa = new("131091", "品川区", new Uri("http://127.0.0.1:1/"));
    private static readonly PortalWard Ota = new("131113", "大田区", new Uri("http://127.0.0.1:2/"));

    // 2026-11-22 10:00 JST
    private readonly StepClock _clock = new(new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero));
    private readonly EphemeralDataProtectionProvider _protection = new();
    private readonly RSA _cardKey = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;

    public EApplicationDeskTests()
    {
        var request = new CertificateRequest("CN=signing test", _cardKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private EApplicationDesk Desk() => new(_protection, [Shinagawa, Ota], _clock);

    private static EApplicationForm ValidForm() => new()
    {
        Ward = "131091",
        Children = [new() { Name = "品川 はな", BirthDate = "2024-05-10" }, new() { Name = "品川 そら", BirthDate = "2021-01-31" }, new()],
        Preference1 = "東品川保育園",
        Preference2 = "北品川第二保育園",
        DesiredStart = "2027-04",
        Reason = "就労",
        Contact = "０３－１２３４－５６７８",
    };

    private PreparedEApplication Prepare(EApplicationForm? form = null, string session = Session)
    {
        var (prepared, errors) = Desk().Prepare(form ?? ValidForm(), session);
        Assert.Null(errors);
        return prepared!;
    }

    private string Sign(string text, RSA? key = null) =>
        Convert.ToBase64String((key ?? _cardKey).SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    private string Certificate => Convert.ToBase64String(_certificate.RawData);

    [Fact]
    public void The_document_is_the_form_as_compact_JSON_with_both_procedures()
    {
        var prepared = Prepare();
        var d = prepared.Document;

        Assert.Equal(EApplicationRoutes.DocumentFormat, d.Format);
        Assert.Equal("131091", d.Municipality);
        Assert.Equal("品川区", prepared.WardName);
        Assert.Equal(new[] { EApplicationRoutes.NurseryAdmission, EApplicationRoutes.ChildAllowance }, d.Procedures);
        Assert.Equal(new[] { new EApplicationChild("品川 はな", new DateOnly(2024, 5, 10)), new EApplicationChild("品川 そら", new DateOnly(2021, 1, 31)) }, d.Children);
        Assert.NotNull(d.Nursery);
        Assert.Equal(new[] { "東品川保育園", "北品川第二保育園" }, d.Nursery.Preferences);
        Assert.Equal(new DateOnly(2027, 4, 1), d.Nursery.DesiredStart);
        Assert.Equal("就労", d.Nursery.Reason);
        Assert.Equal("03-1234-5678", d.Contact); // full-width folded
        Assert.Equal(_clock.GetUtcNow(), d.SignedAt);
        // The text is the document, compact, and parses back to it.
        Assert.DoesNotContain('\n', prepared.Text);
        Assert.Equal(prepared.Text, JsonSerializer.Serialize(d, JsonDefaults.Options));
        var parsed = JsonSerializer.Deserialize<EApplicationDocument>(prepared.Text, JsonDefaults.Options)!;
        Assert.Equal(d.SubmissionId, parsed.SubmissionId);
        Assert.Contains("\"procedures\":[\"nursery-admission\",\"child-allowance\"]", prepared.Text);
    }

    [Fact]
    public void Child_allowance_alone_carries_no_nursery_request_and_needs_no_nursery_fields()
    {
        var form = ValidForm();
        form.NurseryAdmission = false;
        form.Preference1 = form.Preference2 = form.DesiredStart = form.Reason = null;

        var d = Prepare(form).Document;

        Assert.Equal(new[] { EApplicationRoutes.ChildAllowance }, d.Procedures);
        Assert.Null(d.Nursery);
    }

    [Fact]
    public void Each_wrong_field_is_named_and_no_document_is_made()
    {
        var form = new EApplicationForm
        {
            Ward = "999999",
            Children = [new() { Name = "品川 はな2", BirthDate = "2027-01-01" }, new() { Name = "", BirthDate = "2020-02-02" }, new() { Name = "そら", BirthDate = "2026-02-30" }],
            Preference1 = "",
            DesiredStart = "2026-10",
            Reason = "旅行",
            Contact = "12-34",
        };

        var (prepared, errors) = Desk().Prepare(form, Session);

        Assert.Null(prepared);
        var fields = errors!.Fields;
        Assert.Contains("区", fields["Form.Ward"]);
        Assert.Contains("数字", fields["Form.Children[0].Name"]);
        Assert.Contains("未来", fields["Form.Children[0].BirthDate"]);
        Assert.Contains("氏名", fields["Form.Children[1].Name"]);
        Assert.Contains("年・月・日", fields["Form.Children[2].BirthDate"]);
        Assert.Contains("第1希望", fields["Form.Preference1"]);
        Assert.Contains("過ぎて", fields["Form.DesiredStart"]);
        Assert.Contains("事由", fields["Form.Reason"]);
        Assert.Contains("電話番号", fields["Form.Contact"]);
    }

    [Fact]
    public void No_procedure_no_child_and_a_number_typed_as_a_name_are_refused_without_echoing_it()
    {
        var form = ValidForm();
        form.NurseryAdmission = form.ChildAllowance = false;
        form.Children = [new() { Name = "１２３４５６７８９０１８", BirthDate = "2024-05-10" }];

        var (_, errors) = Desk().Prepare(form, Session);

        Assert.Contains("手続", errors!.Fields["Form.Procedures"]);
        var nameError = errors.Fields["Form.Children[0].Name"];
        Assert.DoesNotContain("1234", nameError);
        Assert.DoesNotContain("１２３４", nameError);

        var empty = ValidForm();
        empty.Children = [new(), new()];
        Assert.Contains("お子さん", Desk().Prepare(empty, Session).Errors!.Fields["Form.Children"]);
    }

    [Fact]
    public void The_signed_prepared_text_passes_the_check()
    {
        var prepared = Prepare();

        var signed = Desk().Check(Session, prepared.Text, prepared.Ticket, Sign(prepared.Text), Certificate);

        Assert.Equal(prepared.Document.SubmissionId, signed.Submission.SubmissionId);
        Assert.Equal(prepared.Text, signed.Submission.Document);
        Assert.Equal(Shinagawa, signed.Ward);
        Assert.Equal(Certificate, signed.Submission.SigningCertificate);
    }

    [Fact]
    public void A_changed_document_is_refused_even_when_signed()
    {
        var prepared = Prepare();
        var changed = prepared.Text.Replace("東品川保育園", "西品川保育園", StringComparison.Ordinal);

        var e = Assert.Throws<EApplicationDeskException>(() => Desk().Check(Session, changed, prepared.Ticket, Sign(changed), Certificate));
        Assert.Equal(EApplicationDeskException.DocumentChanged, e.Code);
    }

    [Fact]
    public void A_ticket_of_another_session_or_portal_is_refused()
    {
        var prepared = Prepare();

        var other = Assert.Throws<EApplicationDeskException>(() =>
            Desk().Check("another-session", prepared.Text, prepared.Ticket, Sign(prepared.Text), Certificate));
        Assert.Equal(EApplicationDeskException.ConfirmationInvalid, other.Code);

        var otherPortal = new EApplicationDesk(new EphemeralDataProtectionProvider(), [Shinagawa], _clock);
        var foreign = Assert.Throws<EApplicationDeskException>(() =>
            otherPortal.Check(Session, prepared.Text, prepared.Ticket, Sign(prepared.Text), Certificate));
        Assert.Equal(EApplicationDeskException.ConfirmationInvalid, foreign.Code);
    }

    [Fact]
    public void A_confirmation_older_than_its_lifetime_is_refused()
    {
        var prepared = Prepare();
        _clock.Advance(EApplicationDesk.ConfirmationLifetime + TimeSpan.FromSeconds(1));

        var e = Assert.Throws<EApplicationDeskException>(() => Desk().Check(Session, prepared.Text, prepared.Ticket, Sign(prepared.Text), Certificate));
        Assert.Equal(EApplicationDeskException.ConfirmationExpired, e.Code);
    }

    [Fact]
    public void A_signature_the_certificates_key_did_not_make_is_refused()
    {
        var prepared = Prepare();
        using var otherKey = RSA.Create(2048);

        Assert.Equal(EApplicationDeskException.BadSignature, Assert.Throws<EApplicationDeskException>(() =>
            Desk().Check(Session, prepared.Text, prepared.Ticket, Sign(prepared.Text, otherKey), Certificate)).Code);
        Assert.Equal(EApplicationDeskException.BadSignature, Assert.Throws<EApplicationDeskException>(() =>
            Desk().Check(Session, prepared.Text, prepared.Ticket, "%%%", Certificate)).Code);
        Assert.Equal(EApplicationDeskException.SignatureMissing, Assert.Throws<EApplicationDeskException>(() =>
            Desk().Check(Session, prepared.Text, prepared.Ticket, null, Certificate)).Code);
        Assert.Equal(EApplicationDeskException.BadCertificate, Assert.Throws<EApplicationDeskException>(() =>
            Desk().Check(Session, prepared.Text, prepared.Ticket, Sign(prepared.Text), Convert.ToBase64String([1, 2, 3]))).Code);
    }

    [Fact]
    public void Ward_refusal_codes_have_Japanese_messages()
    {
        foreach (var code in new[]
                 {
                     EApplicationRefusalCodes.BadDocument, EApplicationRefusalCodes.BadSignature, EApplicationRefusalCodes.CertificateNotTrusted,
                     EApplicationRefusalCodes.CertificateRevoked, EApplicationRefusalCodes.CertificateSuspended, EApplicationRefusalCodes.CertificateExpired,
                     EApplicationRefusalCodes.WrongMunicipality, EApplicationRefusalCodes.ApplicantNotFound, EApplicationRefusalCodes.ChildNotFound,
                 })
        {
            var message = EApplicationText.Refusal(code);
            Assert.False(string.IsNullOrEmpty(message), code);
            Assert.Contains('。', message);
        }
        Assert.Null(EApplicationText.Refusal("something-new"));
    }

    public void Dispose()
    {
        _certificate.Dispose();
        _cardKey.Dispose();
    }

    private sealed class StepClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
