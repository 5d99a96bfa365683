using System.Text.Json;
using Microsoft.Playwright;
using Renkei.Core.Json;
using Renkei.Cli.Demo;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Renkei.Portal.Tests;

/// <summary>
/// The one-stop e-application in headless Chromium on the demo country: the scenario family's parent (now in 品川区) fills
/// in the form for their children, confirms, signs the document in the page with the card's signing key through the in-page
/// card reader — a wrong password first, which shows the tries left. The family's 児童手当 is decided already (the
/// scenario), so the ward answers the one-stop submission in plain Japanese instead of filing a duplicate; the nursery
/// application alone is then filed through the 電子申請 channel and the page shows the ward's receipt.
/// </summary>
[Collection(PortalCountryCollection.Name)]
public sealed class EApplicationBrowserTests(PortalCountry country, ITestOutputHelper output)
{
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    [Fact]
    public async Task A_signed_one_stop_application_is_filed_at_the_ward_and_a_second_child_allowance_is_answered_instead_of_duplicated()
    {
        var ward = country.Country.Ward(DemoWard.Shinagawa.Code);
        var parent = ward.Register.Find(country.Scenario.Parent)!;
        var children = ward.Register.FindHousehold(parent.HouseholdNumber)!.Members
            .Where(m => m.Relationship == Relationship.Child && m.Status == RegisterStatus.Resident)
            .OrderBy(m => m.BirthDate).Take(2).ToList();
        Assert.NotEmpty(children);
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(JapanStandardTime).DateTime);
        var start = new DateOnly(today.Year, today.Month, 1).AddMonths(2);

        await using var context = await country.NewContextAsync();
        var page = await PortalPages.LoginAsync(context, country.Scenario.ParentCardFile);
        await page.GotoAsync("/e-application");

        async Task FillAndConfirmAsync()
        {
            await page.Locator("#ward").SelectOptionAsync(DemoWard.Shinagawa.Code.Digits);
            for (var i = 0; i < children.Count; i++)
            {
                await page.Locator($"#child-{i}-name").FillAsync(children[i].Name.Full);
                await page.Locator($"#child-{i}-birth").FillAsync(children[i].BirthDate.ToString("yyyy-MM-dd"));
            }
            await page.Locator("#preference-1").FillAsync("東五反田保育園");
            await page.Locator("#preference-2").FillAsync("大崎第二保育園");
            await page.Locator("#desired-start").FillAsync(start.ToString("yyyy-MM"));
            await page.Locator("#reason").SelectOptionAsync("就労");
            await page.Locator("#contact").FillAsync("03-5555-0101");
            await page.Locator("#confirm-button").ClickAsync();
        }

        // The form: both procedures by default.
        await Expect(page.Locator("#procedure-nursery")).ToBeCheckedAsync();
        await Expect(page.Locator("#procedure-allowance")).ToBeCheckedAsync();
        await FillAndConfirmAsync();

        // The confirmation shows the text that will be signed as a Japanese table read back from that very text; the raw
        // text is folded away for those who want to check it.
        await Expect(page.Locator("#confirmation")).ToBeVisibleAsync();
        await Expect(page.Locator("#document-text")).ToBeHiddenAsync();
        var documentText = (await page.Locator("#document-text").TextContentAsync())!;
        var signedDocument = JsonSerializer.Deserialize<EApplicationDocument>(documentText, JsonDefaults.Options)!;
        var table = await page.Locator("#confirm-table").InnerTextAsync();
        Assert.Contains(signedDocument.SubmissionId.ToString(), table);
        Assert.All(signedDocument.Children, c => Assert.Contains($"{c.Name}（{PortalText.EraDate(c.BirthDate)}生）", table));
        Assert.All(signedDocument.Nursery!.Preferences, p => Assert.Contains(p, table));
        Assert.Contains(signedDocument.Contact!, table);
        Assert.DoesNotContain("{", table);
        Assert.DoesNotContain("municipality", table);
        Assert.Contains(EApplicationRoutes.DocumentFormat, documentText);
        Assert.Contains("\"municipality\":\"131091\"", documentText);
        Assert.Contains("東五反田保育園", documentText);
        Assert.Equal(documentText, await page.Locator("#sign-document").InputValueAsync());
        await Expect(page.Locator("#confirm-table")).ToContainTextAsync("品川区");
        await Expect(page.Locator("#confirm-table")).ToContainTextAsync("保育所等の利用申込み、児童手当 認定請求");
        await Expect(page.Locator("#confirm-table")).ToContainTextAsync("令和");
        await PortalPages.InsertCardAsync(page, country.Scenario.ParentCardFile);
        await PortalPages.ScreenshotAsync(page, "portal-e-application-confirm", output);

        // A wrong signing password: nothing is sent, the page says how many tries are left.
        await page.Locator("#signing-password").FillAsync("WRONG2026");
        await page.Locator("#sign-button").ClickAsync();
        var error = page.Locator("#sign-error");
        await Expect(error).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Expect(error).ToContainTextAsync("残り4回");
        await Expect(error).ToHaveAttributeAsync("data-code", "wrong-pin");
        await Expect(page.Locator("#receipt")).ToHaveCountAsync(0);

        // The right one: signed in the page, forwarded. The scenario's family already has its 児童手当 (認定): the ward
        // refuses the second one, files nothing, and the page says so in plain Japanese.
        await page.Locator("#signing-password").FillAsync(DemoCards.SigningPin);
        await page.Locator("#sign-button").ClickAsync();
        await Expect(page.Locator("#submit-error")).ToContainTextAsync("この手続はすでに申請されています", new() { Timeout = 60_000 });
        await Expect(page.Locator("#submit-error")).ToHaveAttributeAsync("data-code", "ward:" + EApplicationRefusalCodes.AlreadyApplied);
        await Expect(page.Locator("#receipt")).ToHaveCountAsync(0);
        var before = new ApplicationStore(ward.Database).List(new ApplicationQuery()).Count;

        // The parent applies once more, for the nursery alone (the one-stop form with 児童手当 unticked): filed.
        await page.GotoAsync("/e-application");
        await page.Locator("#procedure-allowance").UncheckAsync();
        await FillAndConfirmAsync();
        await Expect(page.Locator("#confirm-table")).ToContainTextAsync("保育所等の利用申込み");
        await PortalPages.InsertCardAsync(page, country.Scenario.ParentCardFile);
        await page.Locator("#signing-password").FillAsync(DemoCards.SigningPin);
        await page.Locator("#sign-button").ClickAsync();
        await Expect(page.Locator("#receipt")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(page.Locator("#receipt")).ToContainTextAsync("品川区");
        await Expect(page.Locator("#receipt")).ToContainTextAsync("令和");
        var receipt = await page.Locator("#receipt-table tbody tr").EvaluateAllAsync<ReceiptRow[]>(
            "rows => rows.map(r => ({ procedure: r.dataset.procedure, number: Number(r.querySelector('.receipt-number').textContent) }))");
        Assert.Equal([EApplicationRoutes.NurseryAdmission], receipt.Select(r => r.Procedure));
        Assert.Equal(before + 1, new ApplicationStore(ward.Database).List(new ApplicationQuery()).Count);
        await PortalPages.ScreenshotAsync(page, "portal-e-application-receipt", output);

        // At 品川区: the application, by the parent, through the e-application channel, with the children.
        var store = new ApplicationStore(ward.Database);
        var addressee = new Renkei.Municipality.Addressee.AddresseeSystem(ward.Register, ward.OperationLog,
            new Renkei.Municipality.Addressee.AddresseeSystemOptions { Terminal = "portal-test" }).EnsureForResident(parent.Id);
        foreach (var row in receipt)
        {
            var application = store.Find(row.Number);
            Assert.NotNull(application);
            Assert.Equal(ApplicationChannel.EApplication, application.Channel);
            Assert.Equal(addressee, application.Applicant);
            var workflows = row.Procedure == EApplicationRoutes.NurseryAdmission
                ? new[] { WorkflowCatalogue.NurseryAdmission }
                : new[] { WorkflowCatalogue.ChildAllowance, WorkflowCatalogue.ChildAllowanceArrival };
            Assert.Contains(application.Workflow, workflows);
            Assert.Equal(children.Count, application.Members.Count(m => m.Role == WorkflowCatalogue.ChildRole));
        }

        // No number on the receipt page.
        Assert.DoesNotMatch("(?<![0-9])[0-9]{12}(?![0-9])", await page.Locator("main").InnerTextAsync());

        // Later: the parent asks for the status with the receipt number and the inquiry code the receipt showed.
        var inquiryCode = (await page.Locator("#inquiry-code").TextContentAsync())!;
        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", inquiryCode);
        await page.Locator("a[href='/e-application/status']").First.ClickAsync();
        await page.Locator("#ward").SelectOptionAsync(DemoWard.Shinagawa.Code.Digits);
        await page.Locator("#receipt-number").FillAsync(receipt[0].Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // A code with one letter changed is refused exactly as an unknown number would be.
        var wrong = (inquiryCode[0] == '7' ? '8' : '7') + inquiryCode[1..];
        await page.Locator("#inquiry-code").FillAsync(wrong);
        await page.Locator("#status-button").ClickAsync();
        await Expect(page.Locator("#status-error")).ToHaveAttributeAsync("data-code", EApplicationRefusalCodes.StatusNotFound);
        await Expect(page.Locator("#status-error")).ToContainTextAsync("受付番号または照会番号が違います");
        await Expect(page.Locator("#status")).ToHaveCountAsync(0);
        // Typed in lower case without hyphens, the right code shows the state the ward holds.
        await page.Locator("#receipt-number").FillAsync(receipt[0].Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#inquiry-code").FillAsync(inquiryCode.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant());
        await page.Locator("#status-button").ClickAsync();
        await Expect(page.Locator("#status-state")).ToHaveAttributeAsync("data-state", EApplicationStates.Received);
        await Expect(page.Locator("#status-procedure")).ToHaveTextAsync("保育所等の利用申込み");
        await Expect(page.Locator("#status-state")).ToContainTextAsync("受付済み");
        await PortalPages.ScreenshotAsync(page, "portal-e-application-status", output);
        var log = ward.OperationLog.Read().Select(r => r.Entry).Where(e => e.StaffId == Renkei.Municipality.EApplications.EApplicationInbox.Actor).ToList();
        Assert.Contains(log, e => e.Result == Renkei.Municipality.Audit.OperationResult.Refused && e.Detail!.Contains("状況照会", StringComparison.Ordinal));
        Assert.Contains(log, e => e.Result == Renkei.Municipality.Audit.OperationResult.Success && e.Detail!.Contains("状況照会 保育所", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_ward_that_refuses_is_explained_in_Japanese_by_its_code()
    {
        var ward = country.Country.Ward(DemoWard.Shinagawa.Code);
        var parent = ward.Register.Find(country.Scenario.Parent)!;
        var child = ward.Register.FindHousehold(parent.HouseholdNumber)!.Members.First(m => m.Relationship == Relationship.Child);
        var before = new ApplicationStore(country.Country.Ward(DemoWard.Ota.Code).Database).List(new ApplicationQuery()).Count;

        await using var context = await country.NewContextAsync();
        var page = await PortalPages.LoginAsync(context, country.Scenario.ParentCardFile);
        await page.GotoAsync("/e-application");
        // 大田区, which the family has left: the ward finds no such resident and files nothing.
        await page.Locator("#ward").SelectOptionAsync(DemoWard.Ota.Code.Digits);
        await page.Locator("#procedure-nursery").UncheckAsync();
        await page.Locator("#child-0-name").FillAsync(child.Name.Full);
        await page.Locator("#child-0-birth").FillAsync(child.BirthDate.ToString("yyyy-MM-dd"));
        await page.Locator("#confirm-button").ClickAsync();
        await Expect(page.Locator("#confirm-table")).ToContainTextAsync("大田区");
        await Expect(page.Locator("#confirm-table")).Not.ToContainTextAsync("保育所等の利用申込み");
        await PortalPages.InsertCardAsync(page, country.Scenario.ParentCardFile);
        await page.Locator("#signing-password").FillAsync(DemoCards.SigningPin);
        await page.Locator("#sign-button").ClickAsync();

        var error = page.Locator("#submit-error");
        await Expect(error).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Expect(error).ToHaveAttributeAsync("data-code", "ward:" + EApplicationRefusalCodes.ApplicantNotFound);
        await Expect(error).ToContainTextAsync("住民記録");
        Assert.Equal(before, new ApplicationStore(country.Country.Ward(DemoWard.Ota.Code).Database).List(new ApplicationQuery()).Count);
    }

    [Fact]
    public async Task A_form_with_mistakes_names_each_field()
    {
        await using var context = await country.NewContextAsync(width: 375);
        var page = await PortalPages.LoginAsync(context, country.Scenario.ParentCardFile);
        await page.GotoAsync("/e-application");

        await page.Locator("#child-0-name").FillAsync("品川 はな");
        await page.Locator("#confirm-button").ClickAsync();

        await Expect(page.Locator("#form-errors")).ToBeVisibleAsync();
        await Expect(page.Locator("#ward-error")).ToContainTextAsync("申請先の区");
        await Expect(page.Locator("#child-0-birth-error")).ToContainTextAsync("生年月日");
        await Expect(page.Locator("#preference-1-error")).ToContainTextAsync("第1希望");
        await Expect(page.Locator("#desired-start-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#reason-error")).ToBeVisibleAsync();
        await Expect(page.Locator("#child-0-name")).ToHaveValueAsync("品川 はな");
        await Expect(page.Locator("#confirmation")).ToHaveCountAsync(0);
    }

    private sealed class ReceiptRow
    {
        public string Procedure { get; set; } = "";
        public long Number { get; set; }
    }
}
