using Renkei.Core.Dates;
using Renkei.Documents;
using Renkei.Infrastructure;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Seals;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Certificates;

/// <summary>印鑑登録 and 印鑑登録証明書: the ordinance's rules, the card presented, the PDF read back, the ledger without content.</summary>
public sealed class SealRegistrationTests
{
    private static readonly CounterCertificateSettings Settings = new(NoticeIssuer.For("品川区"), FeePerCopy: 300);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_registered_seal_is_certified_with_its_image_on_presenting_the_card_and_the_ledger_keeps_no_content(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, _, child, _) = await CertificateAndNotificationTests.PopulateAsync(db);
        var seals = new SealRegistry(db.Database);
        var ledger = new CertificateLedger(db.Database);
        var counter = new CounterCertificates(ledger, Settings);

        var registration = seals.Register(new SealRegistrationRequest(head, SealIdentityCheck.DriversLicence, SealImage.Parse(SealImages.Png(), 15)),
            "jumin01", "COUNTER-1");
        Assert.Equal((head, SealIdentityCheck.DriversLicence, 15, "jumin01", true), (registration.ResidentId, registration.IdentityCheck,
            registration.Image.SideMillimetres, registration.RegisteredBy, registration.Current));
        Assert.Equal(SealImages.Png(), registration.Image.Bytes);
        Assert.Equal(registration.CardNumber, SealCardNumber.Parse(registration.CardNumber.Digits));

        var person = register.Find(head)!;
        var found = seals.ForCertificate(head, registration.CardNumber.Digits);
        var issued = counter.IssueSealRegistration("131091", person, found, CertificateRequester.Agent, 2, "jumin01", "COUNTER-1", CounterCertificates.SealAffair);

        var text = PdfText.Read(issued.Pdf);
        if (provider == "sqlite") DocumentSamples.Save("seal-registration-certificate", issued.Pdf);
        foreach (var expected in new[] { "印鑑登録証明書", "印影", person.Name.Full, person.Address, JapaneseEraDate.Format(person.BirthDate), "男",
                     CounterCertificates.SealAttestation, "品川区長", JapaneseEraDate.Format(issued.Certificate.IssuedOn),
                     $"交付番号 131091-{issued.Certificate.IssuedOn.Year:D4}-{issued.LedgerId:D6}" })
            Assert.Contains(expected, text);
        Assert.StartsWith("令和", JapaneseEraDate.Format(issued.Certificate.IssuedOn));
        Assert.DoesNotContain(registration.CardNumber.Digits, text);
        Assert.Equal([(120, 120)], PdfText.Images(issued.Pdf).Single()); // the 印影, on the only page
        Assert.Equal(600, issued.FeeYen);

        var entry = Assert.Single(ledger.ForResident(head));
        Assert.Equal((CertificateKind.SealRegistration, "jumin01", CounterCertificates.SealAffair, CertificateRequester.Agent, 2, 600L),
            (entry.Kind, entry.StaffId, entry.Affair, entry.Requester, entry.Copies, entry.FeeYen));
        var stored = CounterCertificateTests.LedgerRows(db);
        Assert.DoesNotContain(registration.CardNumber.Digits, stored);
        Assert.DoesNotContain(person.Name.FamilyName, stored);
        Assert.DoesNotContain(person.Address, stored);

        // One seal per person; nobody under 15.
        var second = Assert.Throws<RegisterException>(() => seals.Register(
            new SealRegistrationRequest(head, SealIdentityCheck.MyNumberCard, SealImage.Parse(SealImages.Png(80), 12)), "jumin01", "COUNTER-1"));
        Assert.Equal((SealRegistry.AlreadyRegistered, true), (second.Code, second.Message.StartsWith("residentId:", StringComparison.Ordinal)));
        var young = Assert.Throws<RegisterException>(() => seals.Register(
            new SealRegistrationRequest(child, SealIdentityCheck.MyNumberCard, SealImage.Parse(SealImages.Png(), 12)), "jumin01", "COUNTER-1"));
        Assert.Equal(SealRegistry.TooYoung, young.Code);
        Assert.Null(seals.Current(child));

        // The card presented must be this person's current one: a mistyped number, another number, nothing issued.
        var typo = registration.CardNumber.Digits[..7] + (char)('0' + (registration.CardNumber.Digits[7] - '0' + 1) % 10);
        Assert.Equal(SealCardNumber.Invalid, Assert.Throws<RegisterException>(() => seals.ForCertificate(head, typo)).Code);
        var other = SealCardNumber.FromSequence(9_999_999).Digits;
        var mismatch = Assert.Throws<RegisterException>(() => seals.ForCertificate(head, other));
        Assert.Equal((SealRegistry.CardMismatch, true), (mismatch.Code, mismatch.Message.StartsWith("sealCard:", StringComparison.Ordinal)));
        Assert.DoesNotContain(other, mismatch.Message);

        // Abolished on request: the old card is refused as abolished; a new registration gets a new number (never reused).
        var abolished = seals.Abolish(head, SealAbolitionReason.Request, "jumin01");
        Assert.Equal((false, SealAbolitionReason.Request), (abolished.Current, abolished.AbolitionReason));
        Assert.Equal(SealRegistry.Abolished, Assert.Throws<RegisterException>(() => seals.ForCertificate(head, registration.CardNumber.Digits)).Code);
        Assert.Throws<RegisterException>(() => counter.IssueSealRegistration("131091", person, abolished, CertificateRequester.Self, 1, "jumin01", "C", null));
        var again = seals.Register(new SealRegistrationRequest(head, SealIdentityCheck.Passport, SealImage.Parse(SealImages.Png(64), 10)), "jumin01", "COUNTER-1");
        Assert.NotEqual(registration.CardNumber, again.CardNumber);
        Assert.Equal(2, seals.History(head).Count);
        Assert.Equal(SealRegistry.NotRegistered, Assert.Throws<RegisterException>(() => seals.Abolish(child, SealAbolitionReason.Lost, "jumin01")).Code);
        Assert.Single(ledger.ForResident(head));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Departure_and_death_end_the_registration_and_the_removed_record_shows_the_move_or_the_death(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (register, head, wife, _, lone) = await CertificateAndNotificationTests.PopulateAsync(db);
        var events = new RegisterEvents(register, new FakeJlis());
        var seals = new SealRegistry(db.Database);
        var ledger = new CertificateLedger(db.Database);
        var counter = new CounterCertificates(ledger, Settings);
        var loneCard = seals.Register(new SealRegistrationRequest(lone, SealIdentityCheck.InquiryReply, SealImage.Parse(SealImages.Png(), 18)), "jumin01", "C").CardNumber;
        seals.Register(new SealRegistrationRequest(head, SealIdentityCheck.MyNumberCard, SealImage.Parse(SealImages.Png(), 18)), "jumin01", "C");

        var movedOn = new DateOnly(2025, 3, 31);
        await events.DepartureAsync(new DepartureRequest(Guid.NewGuid(), lone, movedOn, "神奈川県川崎市川崎区宮本町1番地"));
        await events.DeathAsync(new DeathRequest(Guid.NewGuid(), head, new DateOnly(2025, 4, 2)));

        Assert.Null(seals.Current(lone));
        Assert.Equal((movedOn, SealAbolitionReason.Departure), (seals.History(lone)[0].AbolishedOn, seals.History(lone)[0].AbolitionReason));
        Assert.Equal(SealAbolitionReason.Death, seals.History(head)[0].AbolitionReason);
        Assert.Equal(SealRegistry.Abolished, Assert.Throws<RegisterException>(() => seals.ForCertificate(lone, loneCard.Digits)).Code);
        Assert.Equal(SealRegistry.NotResident, Assert.Throws<RegisterException>(() => seals.Register(
            new SealRegistrationRequest(lone, SealIdentityCheck.Passport, SealImage.Parse(SealImages.Png(), 18)), "jumin01", "C")).Code);

        // 住民票の除票の写し: 転出日 and 転出先, or 死亡日; refused for a current resident.
        var moved = register.Find(lone)!;
        var removed = PdfText.Read(counter.IssueRemovedResidenceRecord("131091", moved, CertificateRequester.Self, 1, "jumin01", "C", "resident-register").Pdf);
        foreach (var expected in new[] { "住民票の除票の写し", moved.Name.Full, moved.Address, "消除事由転出", "転出日" + JapaneseEraDate.Format(movedOn),
                     "転出先神奈川県川崎市川崎区宮本町1番地", CounterCertificates.RemovedRecordAttestation, "品川区長" })
            Assert.Contains(expected, removed);
        var died = PdfText.Read(counter.IssueRemovedResidenceRecord("131091", register.Find(head)!, CertificateRequester.HouseholdMember, 1, "jumin01", "C", null).Pdf);
        Assert.Contains("死亡日令和7年4月2日", died);
        Assert.DoesNotContain("転出先", died);
        var still = Assert.Throws<RegisterException>(() => counter.IssueRemovedResidenceRecord("131091", register.Find(wife)!, CertificateRequester.Self, 1, "jumin01", "C", null));
        Assert.Equal(CounterCertificates.StillResident, still.Code);
        Assert.Equal(["消除事由: 転出"], ledger.ForResident(lone).Select(e => e.Options));
        Assert.Equal(CertificateKind.RemovedResidenceRecord, Assert.Single(ledger.ForResident(head)).Kind);
        Assert.Empty(ledger.ForResident(wife));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_counters_registering_the_same_person_at_once_leave_one_registration(string provider)
    {
        using var db = TestDatabase.Create(provider);
        var (_, head, _, _, _) = await CertificateAndNotificationTests.PopulateAsync(db);
        var seals = new SealRegistry(db.Database);
        var image = SealImage.Parse(SealImages.Png(), 15);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(() =>
        {
            try
            {
                return seals.Register(new SealRegistrationRequest(head, SealIdentityCheck.MyNumberCard, image), "jumin01", $"COUNTER-{i}").CardNumber.Digits;
            }
            catch (RegisterException refused)
            {
                return refused.Code;
            }
        })));

        Assert.Single(attempts, a => a.Length == 8 && a.All(char.IsAsciiDigit));
        Assert.All(attempts.Where(a => a.Length != 8), a => Assert.Equal(SealRegistry.AlreadyRegistered, a));
        Assert.Single(seals.History(head));
    }

    [Fact]
    public void A_seal_image_is_a_png_or_jpeg_of_at_most_200_KB_measuring_8_to_25_mm_and_refusals_name_the_field_without_the_content()
    {
        var png = SealImages.Png(100);
        Assert.Equal((SealImageType.Png, 100, 100), (SealImage.Parse(png, 8).Type, SealImage.Parse(png, 25).PixelWidth, SealImage.Parse(png, 25).PixelHeight));
        // A JPEG's size comes from its frame header (after an APP0 segment).
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x50, 0x00, 0x60, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9];
        var parsed = SealImage.Parse(jpeg, 20);
        Assert.Equal((SealImageType.Jpeg, 96, 80, "image/jpeg"), (parsed.Type, parsed.PixelWidth, parsed.PixelHeight, parsed.ContentType));

        var secret = "山田太郎の印鑑 0123456789";
        var refusals = new (byte[]? Bytes, int Side, string Code)[]
        {
            (null, 15, SealImage.Empty),
            ([.. png, .. new byte[SealImage.MaxBytes]], 15, SealImage.TooLarge),
            (System.Text.Encoding.UTF8.GetBytes(secret), 15, SealImage.NotAnImage),
            (SealImages.Png(16), 15, SealImage.PixelsOutOfRange),
            (png, 7, SealImage.SideOutOfRange),
            (png, 26, SealImage.SideOutOfRange),
        };
        foreach (var (bytes, side, code) in refusals)
        {
            var refused = Assert.Throws<RegisterException>(() => SealImage.Parse(bytes, side));
            Assert.Equal(code, refused.Code);
            Assert.Matches("^(image|sideMillimetres): ", refused.Message);
            Assert.DoesNotContain("山田", refused.Message);
        }
    }

    [Theory]
    [InlineData("2011-12-07", "2026-12-06", 15)] // 15 from the day before the 15th birthday (年齢計算ニ関スル法律)
    [InlineData("2011-12-08", "2026-12-06", 14)]
    [InlineData("2008-02-29", "2023-02-28", 15)]
    public void Age_is_counted_as_Japanese_law_counts_it(string birth, string day, int age) =>
        Assert.Equal(age, SealRegistry.AgeOn(DateOnly.Parse(birth, System.Globalization.CultureInfo.InvariantCulture),
            DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_card_number_is_read_with_full_width_digits_and_hyphens_and_checked()
    {
        var card = SealCardNumber.FromSequence(123);
        var fullWidth = new string(card.Digits.Select(c => (char)('０' + (c - '0'))).ToArray());
        Assert.Equal(card, SealCardNumber.Parse(fullWidth[..4] + "-" + fullWidth[4..]));
        Assert.Equal(SealCardNumber.Invalid, Assert.Throws<RegisterException>(() => SealCardNumber.Parse("1234")).Code);
        Assert.Equal(SealCardNumber.Invalid, Assert.Throws<RegisterException>(() => SealCardNumber.Parse(null)).Code);
    }
}
