using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Renkei.Core.Crypto;
using Renkei.Core.Numbers;
using Renkei.Core.Text;
using Renkei.Documents.Paper;
using Renkei.Jlis.Paper;
using Renkei.Jlis.Pki;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Seals;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Certificates;

/// <summary>
/// The signed 2D code and print marks on counter certificates (docs/paper.md): issued through <see cref="CounterCertificates"/>
/// with a ward key certified by J-LIS's certificate-signing CA, checked by <see cref="PaperVerifier"/> as anyone would.
/// </summary>
public sealed class PaperMarkTests
{
    private static readonly LocalGovernmentCode Shinagawa = LocalGovernmentCode.ParseOrThrow("131091");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_residence_record_from_the_counter_verifies_and_an_edited_character_or_a_copied_code_is_refused(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, _, wife, _, lone) = await CertificateAndNotificationTests.PopulateAsync(db);
        using var ca = Ca.Create(db);
        var (counter, certificates) = Parts(register, db, ca.Signer);

        var household = new ResidenceCertificateRequest(wife, WholeHousehold: true);
        var issued = counter.IssueResidenceRecord(certificates.Build(household), household, new ResidenceRecordOptions(true, CertificateRequester.Self),
            "koseki01", "COUNTER-1", "resident-register");
        var alone = new ResidenceCertificateRequest(lone);
        var other = counter.IssueResidenceRecord(certificates.Build(alone), alone, new ResidenceRecordOptions(false, CertificateRequester.Self),
            "koseki01", "COUNTER-1", "resident-register");
        DocumentSamples.Save("residence-record-signed", issued.Pdf);

        var genuine = PaperVerifier.Verify(issued.Pdf, ca.Trust(), DateTimeOffset.UtcNow);
        Assert.True(genuine.Genuine, genuine.Reason);
        Assert.Equal((PaperReasons.Genuine, "131091", "品川区", issued.Certificate.IssuedOn, "juminhyo", issued.LedgerId, 1, true, "住民票の写し"),
            (genuine.Reason, genuine.Issuer, genuine.IssuerName, genuine.IssuedOn!.Value, genuine.Statement!.Kind, genuine.Statement.IssuanceId,
                genuine.Statement.Pages, genuine.TextChecked, genuine.KindTitle));
        Assert.Equal(ca.Signer.SerialNumber, genuine.SignerSerial);
        Assert.True(PaperVerifier.Verify(other.Pdf, ca.Trust(), DateTimeOffset.UtcNow).Genuine);
        // The print-side marks are on the page (microtext border, latent word) without being what a person reads as content.
        var text = PdfText.Read(issued.Pdf);
        Assert.Contains("RENKEI-131091-RENKEI-131091", text);
        Assert.Contains(PaperText.LatentText, text);
        Assert.Contains("真正性確認", text);

        var edited = PdfTamper.ChangeOneCharacter(issued.Pdf);
        Assert.NotEqual(PdfText.Read(issued.Pdf), PdfText.Read(edited));
        var editedResult = PaperVerifier.Verify(edited, ca.Trust(), DateTimeOffset.UtcNow);
        Assert.Equal((false, PaperReasons.TextMismatch, 1), (editedResult.Genuine, editedResult.Reason, editedResult.Page));
        Assert.Equal(issued.LedgerId, editedResult.Statement!.IssuanceId); // the signed fields are still shown, for a person to compare

        var copied = PdfTamper.CopyCode(from: issued.Pdf, onto: other.Pdf);
        Assert.Equal(PaperVerifier.QrTexts(issued.Pdf), PaperVerifier.QrTexts(copied));
        var copiedResult = PaperVerifier.Verify(copied, ca.Trust(), DateTimeOffset.UtcNow);
        Assert.Equal((false, PaperReasons.TextMismatch), (copiedResult.Genuine, copiedResult.Reason));

        var unsigned = certificates.Build(alone);
        var draft = counter.ResidenceRecord(unsigned, new ResidenceRecordOptions(false, CertificateRequester.Self), other.Certificate.Serial).ToPdf();
        Assert.Equal(PaperReasons.NoCode, PaperVerifier.Verify(draft, ca.Trust(), DateTimeOffset.UtcNow).Reason);
        Assert.Equal(PaperReasons.Unreadable, PaperVerifier.Verify("not a certificate"u8.ToArray(), ca.Trust(), DateTimeOffset.UtcNow).Reason);
        Assert.Equal(PaperReasons.Unreadable, PaperVerifier.Verify([.. "%PDF-1.7\n"u8, .. "garbage"u8], ca.Trust(), DateTimeOffset.UtcNow).Reason);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_revoked_ward_key_a_key_not_chained_to_the_root_and_a_stale_CRL_are_refused(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, _, _, _) = await CertificateAndNotificationTests.PopulateAsync(db);
        using var ca = Ca.Create(db);
        using var elsewhere = Ca.Create(db); // another CA with its own root: its wards' keys do not chain to J-LIS's root
        var request = new ResidenceCertificateRequest(head);
        var options = new ResidenceRecordOptions(false, CertificateRequester.Self);
        var (counter, certificates) = Parts(register, db, ca.Signer);
        var issued = counter.IssueResidenceRecord(certificates.Build(request), request, options, "koseki01", "COUNTER-1", "resident-register");
        var (foreignCounter, _) = Parts(register, db, elsewhere.Signer);
        var foreign = foreignCounter.IssueResidenceRecord(certificates.Build(request), request, options, "koseki01", "COUNTER-1", "resident-register");

        Assert.True(PaperVerifier.Verify(issued.Pdf, ca.Trust(), DateTimeOffset.UtcNow).Genuine);
        Assert.True(PaperVerifier.Verify(foreign.Pdf, elsewhere.Trust(), DateTimeOffset.UtcNow).Genuine);
        Assert.Equal(PaperReasons.UntrustedSigner, PaperVerifier.Verify(foreign.Pdf, ca.Trust(), DateTimeOffset.UtcNow).Reason);
        // A CRL signed by another root is not taken; one past its next update asks for a new one.
        Assert.Equal(PaperReasons.CrlInvalid, PaperVerifier.Verify(issued.Pdf, ca.Trust() with { Crl = elsewhere.Authority.CurrentCrl() }, DateTimeOffset.UtcNow).Reason);
        Assert.Equal(PaperReasons.CrlStale, PaperVerifier.Verify(issued.Pdf, ca.Trust(), DateTimeOffset.UtcNow.AddDays(2)).Reason);

        ca.Authority.Revoke(ca.Signer.SerialNumber);
        var revoked = PaperVerifier.Verify(issued.Pdf, ca.Trust(), DateTimeOffset.UtcNow);
        Assert.Equal((false, PaperReasons.SignerRevoked, "131091"), (revoked.Genuine, revoked.Reason, revoked.Issuer));
        Assert.False(string.IsNullOrEmpty(revoked.ReasonJapanese));
        Assert.DoesNotMatch("[A-Za-z]{3,}", revoked.ReasonJapanese);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_code_carries_neither_the_number_nor_the_resident_code_and_a_scan_shows_the_signed_fields(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, wife, child, _) = await CertificateAndNotificationTests.PopulateAsync(db);
        using var ca = Ca.Create(db);
        var (counter, certificates) = Parts(register, db, ca.Signer);
        var request = new ResidenceCertificateRequest(wife, WholeHousehold: true, IncludeNumber: true, AffairCode: "resident-register") { IncludeResidentCode = true };
        var issued = counter.IssueResidenceRecord(certificates.Build(request), request, new ResidenceRecordOptions(true, CertificateRequester.Self),
            "koseki01", "COUNTER-1", "resident-register");
        Assert.True(issued.NumbersIncluded);
        Assert.True(PaperVerifier.Verify(issued.Pdf, ca.Trust(), DateTimeOffset.UtcNow).Genuine);

        var printed = PdfText.Read(issued.Pdf);
        var codes = PaperVerifier.QrTexts(issued.Pdf);
        Assert.NotEmpty(codes);
        foreach (var id in new[] { head, wife, child })
        {
            var person = register.Find(id)!;
            var number = person.IndividualNumber!.Value.Digits;
            var residentCode = person.ResidentCode.Digits;
            Assert.True(printed.Contains(number, StringComparison.Ordinal), "the number is printed when asked for");
            foreach (var code in codes)
            {
                var carried = Encoding.Latin1.GetString(Base32.Decode(code[PaperCode.Prefix.Length..]));
                Assert.False(carried.Contains(number, StringComparison.Ordinal) || code.Contains(number, StringComparison.Ordinal), "the code carries a number");
                Assert.False(carried.Contains(residentCode, StringComparison.Ordinal), "the code carries a resident-record code");
                Assert.DoesNotContain(person.Name.FamilyName, Encoding.UTF8.GetString(Base32.Decode(code[PaperCode.Prefix.Length..])));
            }
        }

        // A scan (the page rendered at 300 dpi, as an office scanner does): the signature and chain are checked, the text cannot be; the signed fields are shown.
        using var directory = new TempDirectory();
        var pdfPath = Path.Combine(directory.Path, "certificate.pdf");
        await File.WriteAllBytesAsync(pdfPath, issued.Pdf);
        using (var render = Process.Start(new ProcessStartInfo("pdftoppm", ["-r", "300", "-png", "-singlefile", pdfPath, Path.Combine(directory.Path, "scan")]))!)
            await render.WaitForExitAsync();
        var scan = await File.ReadAllBytesAsync(Path.Combine(directory.Path, "scan.png"));
        var seen = PaperVerifier.Verify(scan, ca.Trust(), DateTimeOffset.UtcNow);
        Assert.Equal((true, PaperReasons.SignatureOnly, false, "131091", issued.LedgerId), (seen.Genuine, seen.Reason, seen.TextChecked, seen.Issuer, seen.Statement!.IssuanceId));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_seal_certificate_verifies_and_another_seal_image_pasted_on_it_is_refused(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, wife, _, _) = await CertificateAndNotificationTests.PopulateAsync(db);
        using var ca = Ca.Create(db);
        var (counter, _) = Parts(register, db, ca.Signer);
        var seals = new SealRegistry(db.Database);
        IssuedCertificate Issue(long resident, int pixels)
        {
            var registration = seals.Register(new SealRegistrationRequest(resident, SealIdentityCheck.DriversLicence, SealImage.Parse(SealImages.Png(pixels), 15)),
                "jumin01", "COUNTER-1");
            return counter.IssueSealRegistration("131091", register.Find(resident)!, seals.ForCertificate(resident, registration.CardNumber.Digits),
                CertificateRequester.Self, 1, "jumin01", "COUNTER-1", CounterCertificates.SealAffair);
        }
        var mine = Issue(head, 120);
        var theirs = Issue(wife, 100);

        var genuine = PaperVerifier.Verify(mine.Pdf, ca.Trust(), DateTimeOffset.UtcNow);
        Assert.Equal((true, "inkan", "印鑑登録証明書"), (genuine.Genuine, genuine.Statement!.Kind, genuine.KindTitle));
        // The printed text is untouched; only the 印影 is another one.
        var pasted = PdfTamper.CopyImage(from: theirs.Pdf, onto: mine.Pdf, largest: false);
        Assert.Equal(PdfText.Read(mine.Pdf), PdfText.Read(pasted));
        Assert.Equal(PaperReasons.TextMismatch, PaperVerifier.Verify(pasted, ca.Trust(), DateTimeOffset.UtcNow).Reason);
    }

    private static (CounterCertificates Counter, ResidenceCertificates Certificates) Parts(ResidentRegister register, TestDatabase db, PaperSigner signer) =>
        (new CounterCertificates(new CertificateLedger(db.Database), new CounterCertificateSettings(NoticeIssuer.For("品川区"), 300, () => signer)),
            new ResidenceCertificates(register, AffairCatalogue.LoadDefault()));

    /// <summary>J-LIS's certificate-signing CA on its own database and key directory, and 品川区's key certified by it.</summary>
    private sealed class Ca : IDisposable
    {
        private readonly TestDatabase _database;
        private readonly TempDirectory _keys;

        private Ca(TestDatabase database, TempDirectory keys, PaperSigningAuthority authority, PaperSigner signer) =>
            (_database, _keys, Authority, Signer) = (database, keys, authority, signer);

        public PaperSigningAuthority Authority { get; }
        public PaperSigner Signer { get; }

        public static Ca Create(TestDatabase ward)
        {
            var database = ward.Sibling();
            var keys = new TempDirectory();
            var authority = PaperSigningAuthority.OpenOrCreate(database.Database,
                new JpkiOptions(keys.Path, "correct horse battery staple") { KeyFileIterations = JpkiOptions.MinimumKeyFileIterations });
            var key = ECDsa.Create(PaperSigningProfile.Curve);
            return new Ca(database, keys, authority, new PaperSigner(key, authority.Issue(Shinagawa, "品川区", key.ExportSubjectPublicKeyInfo())));
        }

        public PaperTrust Trust() => new(Authority.RootCertificate, Authority.CurrentCrl());

        public void Dispose()
        {
            Signer.Dispose();
            Authority.Dispose();
            _database.Dispose();
            _keys.Dispose();
        }
    }
}
