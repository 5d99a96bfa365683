using System.Net;
using System.Text.RegularExpressions;
using Renkei.Documents;
using Renkei.Jlis.Contracts;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Seals;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests;

/// <summary>印鑑登録 at the counter page: register with an upload, the card presented for the certificate, abolition, and the 除票 after a departure.</summary>
public sealed class SealRegistrationPageTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_clerk_registers_a_seal_issues_its_certificate_on_the_card_and_abolishes_it(string provider)
    {
        await using var ward = await ConsoleWard.StartAsync(provider);
        using var client = new ConsoleClient(ward.BaseAddress);
        var taro = ward.Resident("山田", "太郎");
        var path = $"/residents/{taro.Id}/seal";
        var png = SealImages.Png();
        (string, string, string, byte[]) Upload(byte[] bytes, string type = "image/png") => ("Image", "inkan.png", type, bytes);
        await client.LoginAsync(ward, ward.Account("jumin01"));

        // Viewing in the register's affair; registering needs the 印鑑登録 affair.
        await client.ChooseAffairAsync("resident-register");
        var view = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, view.Status);
        Assert.Contains("印鑑登録はありません。", view.Text);
        var outside = await client.PostFileAsync(path + "?handler=Register", Upload(png), ("SideMillimetres", "15"), ("IdentityCheck", "drivers-licence"));
        Assert.Equal(HttpStatusCode.Forbidden, outside.Status);
        Assert.Contains("「印鑑登録に関する事務」を選択しているときに限り", outside.Text);

        await client.ChooseAffairAsync(CounterCertificates.SealAffair);
        await client.GetAsync(path);
        // Not an image, too large: refused naming the field, the content not echoed; nothing stored.
        var text = await client.PostFileAsync(path + "?handler=Register", Upload("山田家の実印です"u8.ToArray()), ("SideMillimetres", "15"),
            ("IdentityCheck", "drivers-licence"));
        Assert.Equal(HttpStatusCode.BadRequest, text.Status);
        Assert.Contains("印影の画像：PNG又はJPEG形式の画像にしてください。", text.Text);
        Assert.DoesNotContain("山田家の実印", text.Text);
        var large = await client.PostFileAsync(path + "?handler=Register", Upload([.. png, .. new byte[SealImage.MaxBytes]]), ("SideMillimetres", "15"),
            ("IdentityCheck", "drivers-licence"));
        Assert.Equal(HttpStatusCode.BadRequest, large.Status);
        Assert.Contains("印影の画像：200KB以下のファイルにしてください。", large.Text);
        var side = await client.PostFileAsync(path + "?handler=Register", Upload(png), ("SideMillimetres", "30"), ("IdentityCheck", "drivers-licence"));
        Assert.Contains("印影の大きさ：", side.Text);
        Assert.Null(ward.Seals().Current(taro.Id));

        var registered = await client.PostFileAsync(path + "?handler=Register", Upload(png), ("SideMillimetres", "15"), ("IdentityCheck", "drivers-licence"));
        Assert.Equal(HttpStatusCode.OK, registered.Status);
        Assert.Contains("印鑑を登録しました。", registered.Text);
        var card = Regex.Match(registered.Body, "id=\"seal-card-number\">(\\d{8})<").Groups[1].Value;
        Assert.Equal(ward.Seals().Current(taro.Id)!.CardNumber.Digits, card);
        Assert.Contains("運転免許証", registered.Text);
        Assert.Equal(png, (await client.GetAsync(path + "?handler=Image")).Bytes);
        // Later the page shows only the last two digits.
        Assert.DoesNotContain(card, (await client.GetAsync(path)).Text);
        var second = await client.PostFileAsync(path + "?handler=Register", Upload(png), ("SideMillimetres", "12"), ("IdentityCheck", "passport"));
        Assert.Equal(HttpStatusCode.BadRequest, second.Status);
        Assert.Contains("既に印鑑登録があります。", second.Text);

        // The certificate needs the card presented.
        var wrongCard = SealCardNumber.FromSequence(9_999_999).Digits;
        var wrong = await client.PostAsync(path + "?handler=Certificate", ("SealCard", wrongCard), ("Requester", "agent"), ("Copies", "1"));
        Assert.Equal(HttpStatusCode.Conflict, wrong.Status);
        Assert.Contains("印鑑登録証の番号：登録と一致しません。", wrong.Text);
        var issued = await client.PostAsync(path + "?handler=Certificate", ("SealCard", card), ("Requester", "agent"), ("Copies", "1"));
        Assert.Equal(HttpStatusCode.OK, issued.Status);
        Assert.Equal("application/pdf", issued.Headers["Content-Type"]);
        var pdf = PdfText.Read(issued.Bytes);
        foreach (var expected in new[] { "印鑑登録証明書", taro.Name.Full, taro.Address, ConsoleText.Date(taro.BirthDate), "品川区長", "令和7年6月2日",
                     CounterCertificates.SealAttestation })
            Assert.Contains(expected, pdf);
        Assert.Single(Assert.Single(PdfText.Images(issued.Bytes)));

        // Abolished: the same card is refused.
        var abolished = await client.PostAsync(path + "?handler=Abolish", ("Reason", "lost"));
        Assert.Contains("印鑑登録を廃止しました。", abolished.Text);
        Assert.Contains("亡失", abolished.Text);
        var refused = await client.PostAsync(path + "?handler=Certificate", ("SealCard", card), ("Requester", "self"), ("Copies", "1"));
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Contains("印鑑登録証の番号：この印鑑登録は廃止されています。", refused.Text);

        var ledger = Assert.Single(new CertificateLedger(ward.Database).ForResident(taro.Id));
        Assert.Equal((CertificateKind.SealRegistration, "jumin01", CounterCertificates.SealAffair, 300L), (ledger.Kind, ledger.StaffId, ledger.Affair, ledger.FeeYen));
        var entries = ward.Log.Read(new OperationLogQuery(StaffId: "jumin01")).Select(r => r.Entry)
            .Where(e => e.Detail?.Contains("印鑑登録", StringComparison.Ordinal) == true).ToList();
        Assert.Contains(entries, e => e is { Action: OperationAction.Change, Result: OperationResult.Success } && e.Detail!.StartsWith("印鑑登録 登録", StringComparison.Ordinal));
        Assert.Contains(entries, e => e is { Action: OperationAction.Export, Result: OperationResult.Refused } && e.Detail!.Contains(SealRegistry.CardMismatch, StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Detail!.StartsWith("印鑑登録 廃止 事由 亡失", StringComparison.Ordinal));
        Assert.All(entries, e => Assert.DoesNotContain(card, e.Detail!));
        Assert.All(entries, e => Assert.Equal(ward.AddresseeOf(taro.Id), e.SubjectAddresseeNumber));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_departure_ends_the_registration_and_the_counter_issues_the_removed_record(string provider)
    {
        await using var ward = await ConsoleWard.StartAsync(provider);
        using var client = new ConsoleClient(ward.BaseAddress);
        var ken = ward.Resident("佐藤", "健");
        ward.Seals().Register(new SealRegistrationRequest(ken.Id, SealIdentityCheck.MyNumberCard, SealImage.Parse(SealImages.Png(), 18)), "jumin01", "T");
        // A departure never calls J-LIS: the client points nowhere.
        using var nowhere = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") };
        await new RegisterEvents(ward.Register, new JlisHttpClient(nowhere), ward.Clock)
            .DepartureAsync(new DepartureRequest(Guid.NewGuid(), ken.Id, new DateOnly(2025, 5, 30), "大阪府大阪市北区中之島一丁目3番20号"));
        Assert.Null(ward.Seals().Current(ken.Id));

        await client.LoginAsync(ward, ward.Account("jumin01"));
        await client.ChooseAffairAsync("resident-certificate-general");
        var seal = await client.GetAsync($"/residents/{ken.Id}/seal");
        Assert.Contains("印鑑登録はありません。", seal.Text);
        Assert.Contains("転出", seal.Text);
        Assert.DoesNotContain("id=\"seal-register-form\"", seal.Body); // a former resident cannot register

        var form = await client.GetAsync($"/residents/{ken.Id}/certificate");
        Assert.Contains("住民票の除票の写しを交付します。", form.Text);
        var removed = await client.PostAsync($"/residents/{ken.Id}/certificate?handler=Removed", ("Requester", "self"), ("Copies", "1"));
        Assert.Equal(HttpStatusCode.OK, removed.Status);
        var text = PdfText.Read(removed.Bytes);
        if (provider == "sqlite") DocumentSamples.Save("removed-residence-record", removed.Bytes);
        foreach (var expected in new[] { "住民票の除票の写し", ken.Name.Full, "消除事由転出", "転出日令和7年5月30日", "転出先大阪府大阪市北区中之島一丁目3番20号", "品川区長" })
            Assert.Contains(expected, text);
        Assert.False(NumberScan.ContainsNumberOf(ward, ken.Id, text), "a number is printed on the removed record");

        // A current resident's 除票 is refused.
        var hanako = ward.Resident("山田", "花子");
        await client.GetAsync($"/residents/{hanako.Id}/certificate");
        var still = await client.PostAsync($"/residents/{hanako.Id}/certificate?handler=Removed", ("Requester", "self"), ("Copies", "1"));
        Assert.Equal(HttpStatusCode.Conflict, still.Status);
        Assert.Contains("この方は住民です。", still.Text);
        Assert.Equal(CertificateKind.RemovedResidenceRecord, Assert.Single(new CertificateLedger(ward.Database).ForResident(ken.Id)).Kind);
    }
}
