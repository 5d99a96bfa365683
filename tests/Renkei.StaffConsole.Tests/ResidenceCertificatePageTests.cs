using System.Net;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.TestSupport;

namespace Renkei.StaffConsole.Tests;

/// <summary>住民票の写しの交付 at the counter page: the PDF matches the register; the number only on request in a number-using affair.</summary>
public sealed class ResidenceCertificatePageTests
{
    private static (string, string)[] Form(string scope, bool relationship = false, bool number = false, params long[] members) =>
        [("Scope", scope), ("WithRelationship", relationship ? "true" : "false"), ("WithNumber", number ? "true" : "false"), ("Requester", "self"),
            ("Copies", "1"), .. members.Select(m => ("Members", m.ToString(System.Globalization.CultureInfo.InvariantCulture)))];

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_clerk_issues_a_household_copy_and_the_number_only_when_asked_in_a_number_using_affair(string provider)
    {
        await using var ward = await ConsoleWard.StartAsync(provider);
        using var client = new ConsoleClient(ward.BaseAddress);
        var (taro, hanako, ichiro, ken) = (ward.Resident("山田", "太郎"), ward.Resident("山田", "花子"), ward.Resident("山田", "一郎"), ward.Resident("佐藤", "健"));
        await client.LoginAsync(ward, ward.Account("jumin01"));
        await client.ChooseAffairAsync("resident-register");
        var path = $"/residents/{hanako.Id}/certificate";

        var form = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, form.Status);
        Assert.Contains("住民票の写しの交付", form.Text);
        Assert.Contains($"id=\"member-{ichiro.Id}\"", form.Text);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(path, Form("household").Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)),
            withToken: false)).Status);

        var household = await client.PostAsync(path, Form("household", relationship: true));
        Assert.Equal(HttpStatusCode.OK, household.Status);
        Assert.Equal("application/pdf", household.Headers["Content-Type"]);
        var text = PdfText.Read(household.Bytes);
        if (provider == "sqlite") DocumentSamples.Save("residence-record-household", household.Bytes);
        foreach (var person in new[] { taro, hanako, ichiro })
        {
            Assert.Contains(person.Name.Full, text);
            Assert.Contains(ConsoleText.Date(person.BirthDate), text);
        }
        foreach (var expected in new[] { hanako.Address, "世帯主山田　太郎", "妻", "本籍省略", "品川区長", "令和7年6月2日", "記載人数 3人", "相違ないことを証明する" })
            Assert.Contains(expected, text);
        Assert.False(NumberScan.ContainsNumberOf(ward, hanako.Id, text), "a number is printed without being asked for");
        Assert.DoesNotContain(ken.Name.Full, text);

        var numbered = await client.PostAsync(path, Form("self", number: true));
        Assert.Equal(HttpStatusCode.OK, numbered.Status);
        Assert.True(NumberScan.ContainsNumberOf(ward, hanako.Id, PdfText.Read(numbered.Bytes)), "the number asked for is not printed");

        // Chosen members outside the household: refused, naming the field, in Japanese.
        var outsider = await client.PostAsync(path, Form("members", false, false, hanako.Id, ken.Id));
        Assert.Equal(HttpStatusCode.BadRequest, outsider.Status);
        Assert.Contains("世帯員の選択：", outsider.Text);

        // In an affair that may view the register but not use numbers: the number asked for is refused; without it, issued.
        await client.ChooseAffairAsync("resident-certificate-general");
        var refused = await client.PostAsync(path, Form("self", number: true));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains("個人番号・住民票コードは、個人番号を利用できる事務を選択しているときに限り記載できます。", refused.Text);
        var plain = await client.PostAsync(path, Form("self"));
        Assert.Equal(HttpStatusCode.OK, plain.Status);
        Assert.False(NumberScan.ContainsNumberOf(ward, hanako.Id, PdfText.Read(plain.Bytes)), "a number is printed outside a number-using affair");
        NumberScan.AssertNoNumber(ward, client.Responses.Where(r => !r.Bytes.AsSpan().StartsWith("%PDF-"u8)).Select(r => (r.RequestUri.ToString(), r.Text)));

        // The ledger has the three issuances (no content), the operation log every issuance and refusal.
        var ledger = new CertificateLedger(ward.Database).ForResident(hanako.Id);
        Assert.Equal([3, 1, 1], ledger.Select(e => e.Options.Contains("世帯全員", StringComparison.Ordinal) ? 3 : 1));
        Assert.All(ledger, e => Assert.Equal(("jumin01", 300L), (e.StaffId, e.FeeYen)));
        var exports = ward.Log.Read(new OperationLogQuery(StaffId: "jumin01")).Select(r => r.Entry).Where(e => e.Action == OperationAction.Export).ToList();
        Assert.Equal([OperationResult.Success, OperationResult.Success, OperationResult.Refused, OperationResult.Refused, OperationResult.Success],
            exports.Select(e => e.Result));
        Assert.Contains("個人番号記載あり", exports[1].Detail);
        Assert.Equal(ward.AddresseeOf(hanako.Id), exports[0].SubjectAddresseeNumber);
    }
}
