using Renkei.Core.Text;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Renkei.Municipality.Staff;
using Renkei.TestSupport;
using Renkei.TestSupport.Browser;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Renkei.StaffConsole.Tests;

/// <summary>
/// The console in headless Chromium (Playwright) against the real console on Kestrel: keyboard-only use, refused logins,
/// number masking by affair, the reveal, and the auditor's log viewer.
/// </summary>
public class ConsoleBrowserTests(BrowserFixture browser, ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    private static async Task LoginAsync(IPage page, ConsoleWard ward, DemoStaffAccount account, string? password = null, string? code = null)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("職員ID", new() { Exact = true }).FillAsync(account.Id.Value);
        await page.GetByLabel("パスワード", new() { Exact = true }).FillAsync(password ?? account.Password);
        await page.GetByLabel("ワンタイムパスワード（確認コード）").FillAsync(code ?? ward.NextCode(account));
        await page.GetByRole(AriaRole.Button, new() { Name = "ログイン" }).ClickAsync();
        // The affair choice, the accounts (an administrator), the password page (a temporary or expired password), or the login page again with its error.
        await page.Locator("#login-error, #affair-none, .notice, #accounts-hint, #password-hint").First.WaitForAsync();
    }

    private static Task<string> ActiveElementIdAsync(IPage page) => page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''");

    [Fact]
    public async Task Login_and_affair_choice_work_with_the_keyboard_only()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var clerk = ward.Account("jumin01");

        await page.GotoAsync("/login");
        Assert.Equal("ja", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("staff-id", await ActiveElementIdAsync(page)); // the id field has the focus on arrival
        await page.Keyboard.TypeAsync(clerk.Id.Value);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("password", await ActiveElementIdAsync(page));
        await page.Keyboard.TypeAsync(clerk.Password);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("totp", await ActiveElementIdAsync(page));
        await page.Keyboard.TypeAsync(ward.NextCode(clerk));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/affair");
        Assert.Equal("事務の選択", await page.Locator("h1").TextContentAsync());

        // The first Tab stop is the skip link, and the focus is visible.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("本文へ移動", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        Assert.NotEqual("none", await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle"));
        await page.Keyboard.PressAsync("Enter");
        // From the main content, Tab enters the radio group at the checked choice (none yet); arrow keys move and check.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("affair-none", await ActiveElementIdAsync(page));
        for (var i = 0; i < 5 && await ActiveElementIdAsync(page) != "affair-resident-register"; i++)
            await page.Keyboard.PressAsync("ArrowUp");
        Assert.Equal("affair-resident-register", await ActiveElementIdAsync(page));
        Assert.True(await page.Locator("#affair-resident-register").IsCheckedAsync());
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("この事務で作業する", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/residents");
        Assert.Contains("住民基本台帳に関する事務", await page.Locator(".status").TextContentAsync());
        Assert.Contains("表示できます", await page.Locator(".status").TextContentAsync());

        // Search with the keyboard: skip link, Tab to 氏名, type, Enter.
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("name", await ActiveElementIdAsync(page));
        await page.Keyboard.TypeAsync("佐藤");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "佐藤　健" })).ToHaveCountAsync(1);
        Assert.Equal(1, await page.Locator("tbody tr").CountAsync());
    }

    [Fact]
    public async Task Wrong_password_and_wrong_code_are_refused()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var clerk = ward.Account("kodomo01");

        await LoginAsync(page, ward, clerk, password: "this-is-not-it-1");
        Assert.EndsWith("/login", new Uri(page.Url).AbsolutePath);
        Assert.Equal("職員IDまたはパスワードが正しくありません", await page.GetByRole(AriaRole.Alert).TextContentAsync());

        var good = ward.NextCode(clerk);
        await LoginAsync(page, ward, clerk, code: good[..5] + (char)('0' + (good[5] - '0' + 3) % 10));
        Assert.EndsWith("/login", new Uri(page.Url).AbsolutePath);
        Assert.Contains("確認コードが正しくないか", await page.GetByRole(AriaRole.Alert).TextContentAsync());
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == StaffConsoleService.SessionCookie);

        await page.GotoAsync("/residents");
        Assert.EndsWith("/login", new Uri(page.Url).AbsolutePath);
    }

    [Fact]
    public async Task A_clerk_issues_a_household_residence_record_with_the_number_at_the_counter_as_a_pdf()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var hanako = ward.Resident("山田", "花子");

        await LoginAsync(page, ward, ward.Account("jumin01"));
        await page.GetByLabel("住民基本台帳に関する事務（個人番号利用事務）").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        await page.GotoAsync($"/residents/{hanako.Id}");
        await page.Locator("#issue-residence-certificate").ClickAsync();
        await page.WaitForURLAsync($"**/residents/{hanako.Id}/certificate");
        Assert.Equal("山田　花子", await page.Locator("#certificate-person").TextContentAsync());

        await page.GetByLabel("世帯全員").CheckAsync();
        await page.GetByLabel("世帯主の氏名及び続柄を記載する").CheckAsync();
        await page.GetByLabel("個人番号を記載する（本人等からの特別の請求があった場合に限る）").CheckAsync();
        await page.GetByLabel("通数").FillAsync("2");
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "counter-residence-certificate.png"), FullPage = true });
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#issue-certificate").ClickAsync());
        var pdf = await File.ReadAllBytesAsync((await download.PathAsync())!);

        var text = PdfText.Read(pdf);
        foreach (var member in new[] { "太郎", "花子", "一郎" }.Select(g => ward.Resident("山田", g)))
        {
            Assert.Contains(member.Name.Full, text);
            Assert.True(NumberScan.ContainsNumberOf(ward, member.Id, text), $"resident {member.Id}'s number, asked for, is not printed");
        }
        Assert.Contains("世帯主山田　太郎", text);
        Assert.Contains("品川区長", text);
        Assert.Contains("令和7年6月2日", text);
        Assert.Equal(2, Assert.Single(new Renkei.Municipality.Certificates.CertificateLedger(ward.Database).ForResident(hanako.Id)).Copies);
        // The page itself never showed a number (the PDF did, on request).
        NumberScan.AssertNoNumber(ward, [("counter page", await page.ContentAsync())]);
    }

    [Fact]
    public async Task Five_hundred_contractor_handlers_raise_a_files_level_and_the_pia_page_asks_for_reassessment()
    {
        // The shipped inventory with the register file declared at 基礎項目評価, and bands shifted so this small register stands
        // for the law's 1万人 band (basic; priority with 500 handlers or a serious incident).
        var shipped = Renkei.Municipality.Pia.PiaInventory.LoadDefault();
        var json = System.Text.Encoding.UTF8.GetBytes("{\"version\": \"test\", \"source\": \"test\", \"files\": [{\"code\": \"resident-register\", "
            + "\"name\": \"住民基本台帳ファイル\", \"affairs\": [\"resident-register\"], \"system\": \"resident-register\", \"population\": \"resident-register\", "
            + "\"department\": \"戸籍住民課\", \"declaredLevel\": \"basic\", \"sourceLine\": null, \"citationChecked\": \"2026-12-06\", \"citationNote\": \"test\"}]}");
        var inventory = Renkei.Municipality.Pia.PiaInventory.Parse(json, "pia-test.json", Renkei.Municipality.Affairs.AffairCatalogue.LoadDefault());
        var thresholds = new Renkei.Core.Pia.AssessmentThresholds(Basic: 1, Priority: 2, Full: 100_000, AlwaysFull: 300_000, Handlers: 500);
        Assert.NotEqual(shipped.Files.Single(f => f.Code == "resident-register").DeclaredLevel, inventory.Files[0].DeclaredLevel);
        await using var ward = await ConsoleWard.StartAsync("sqlite", services => services.AddSingleton(inventory).AddSingleton(thresholds));
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        // The ward has published its 基礎項目評価書 (version 1) from today's figures.
        var assessments = new Renkei.Municipality.Pia.PiaAssessments(ward.Database, new Renkei.Municipality.Pia.PiaAssessor(ward.Database, inventory, thresholds, ward.Clock),
            clock: ward.Clock);
        assessments.Create("resident-register", null, "admin01", "test", ward.Log);
        assessments.Submit("resident-register", 1, "admin01", "test", ward.Log);
        assessments.Publish("resident-register", 1, "admin01", "test", ward.Log);

        await LoginAsync(page, ward, ward.Account("kansa01"));
        await page.GotoAsync("/pia");
        var row = page.Locator("#pia-resident-register");
        await Expect(row).ToHaveAttributeAsync("data-follow-up", "ok");
        await Expect(row.Locator(".computed")).ToHaveTextAsync("基礎項目評価");
        await Expect(page.Locator("#pia-ok")).ToBeVisibleAsync();
        await Expect(page.Locator("#pia-other-alerts")).ToHaveCountAsync(0);
        await Expect(page.Locator("#pia-version-resident-register-1")).ToHaveAttributeAsync("data-status", "published");
        await Expect(page.Locator("#pia-version-resident-register-1 .status")).ToHaveTextAsync("公表中");

        // A contractor with 500 people on the register: the handlers pass 500, the level rises above the declaration.
        new Renkei.Municipality.Pia.PiaAssessor(ward.Database, inventory, thresholds, ward.Clock).AddContractor(
            new Renkei.Municipality.Pia.PiaContractor("resident-register", "株式会社デモ情報サービス", 500, DateOnly.FromDateTime(ConsoleWard.Start.DateTime), null),
            "admin01", "test", ward.Log);
        await page.ReloadAsync();
        await Expect(row).ToHaveAttributeAsync("data-follow-up", "reassess");
        await Expect(row.Locator(".computed")).ToHaveTextAsync("基礎項目評価及び重点項目評価");
        await Expect(page.Locator("#pia-alerts")).ToContainTextAsync("再評価が必要なファイルがあります（1 件）");
        await Expect(page.Locator("#pia-alerts")).ToContainTextAsync("住民基本台帳ファイル");
        await Expect(row.Locator(".handlers")).ToContainTextAsync("委託先 500人");
        // A contractor added since the published version: a significant change (重要な変更).
        await Expect(page.Locator("#pia-other-alerts li[data-code='significant-change']")).ToContainTextAsync("外部委託先の追加");

        // A clerk may not open it.
        await using var clerkContext = await browser.NewContextAsync(ward.BaseAddress);
        var clerkPage = await clerkContext.NewPageAsync();
        await LoginAsync(clerkPage, ward, ward.Account("jumin01"));
        var refused = await clerkPage.GotoAsync("/pia");
        Assert.Equal(403, refused!.Status);
    }

    [Fact]
    public async Task The_number_is_printed_only_when_asked_for_in_a_number_using_affair_and_never_otherwise()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var hanako = ward.Resident("山田", "花子");
        var household = new[] { "太郎", "花子", "一郎" }.Select(g => ward.Resident("山田", g)).ToList();

        async Task FillAsync(bool withNumber)
        {
            await page.GotoAsync($"/residents/{hanako.Id}/certificate");
            await page.GetByLabel("世帯全員").CheckAsync();
            await page.GetByLabel("個人番号を記載する（本人等からの特別の請求があった場合に限る）").SetCheckedAsync(withNumber);
        }

        async Task<string> IssueAsync(bool withNumber)
        {
            await FillAsync(withNumber);
            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#issue-certificate").ClickAsync());
            return PdfText.Read(await File.ReadAllBytesAsync((await download.PathAsync())!));
        }

        // In 印鑑登録 (an affair that may see the register but uses no numbers): asked for, the number is refused with the reason …
        await LoginAsync(page, ward, ward.Account("jumin01"));
        await page.GetByLabel("印鑑登録に関する事務（個人番号を利用しない事務）").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        await FillAsync(withNumber: true);
        await page.Locator("#issue-certificate").ClickAsync();
        await Expect(page.Locator("#certificate-error")).ToContainTextAsync("個人番号を利用できる事務を選択しているときに限り");
        // … and not asked for, the household's copy is issued with no number on it.
        var plain = await IssueAsync(withNumber: false);
        Assert.All(household, m => Assert.Contains(m.Name.Full, plain));
        Assert.All(household, m => Assert.False(NumberScan.ContainsNumberOf(ward, m.Id, plain), $"resident {m.Id}'s number is printed unasked"));

        // In 住民基本台帳 (a number-using affair): not asked for, no number; asked for, every member's.
        await page.GotoAsync("/affair");
        await page.GetByLabel("住民基本台帳に関する事務（個人番号利用事務）").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        var unasked = await IssueAsync(withNumber: false);
        Assert.All(household, m => Assert.False(NumberScan.ContainsNumberOf(ward, m.Id, unasked), $"resident {m.Id}'s number is printed unasked"));
        var asked = await IssueAsync(withNumber: true);
        Assert.All(household, m => Assert.True(NumberScan.ContainsNumberOf(ward, m.Id, asked), $"resident {m.Id}'s number, asked for, is missing"));

        // Three copies issued, the refusal logged; the pages never showed a number.
        Assert.Equal(3, new Renkei.Municipality.Certificates.CertificateLedger(ward.Database).ForResident(hanako.Id).Count);
        NumberScan.AssertNoNumber(ward, [("counter page", await page.ContentAsync())]);
    }

    [Fact]
    public async Task A_clerk_registers_a_seal_with_an_image_upload_and_issues_its_certificate_on_the_card_as_a_pdf()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var taro = ward.Resident("山田", "太郎");

        await LoginAsync(page, ward, ward.Account("jumin01"));
        await page.GetByLabel("印鑑登録に関する事務（個人番号を利用しない事務）").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        await page.GotoAsync($"/residents/{taro.Id}");
        await page.Locator("#seal-registration").ClickAsync();
        await page.WaitForURLAsync($"**/residents/{taro.Id}/seal");
        Assert.Equal("山田　太郎", await page.Locator("#seal-person").TextContentAsync());

        await page.GetByLabel("印影の画像（PNG又はJPEG、200KB以下）").SetInputFilesAsync(new FilePayload
        {
            Name = "inkan.png", MimeType = "image/png", Buffer = SealImages.Png(),
        });
        await page.GetByLabel("印影の大きさ（一辺のミリメートル数、8から25まで）").FillAsync("15");
        await page.GetByLabel("本人確認の方法").SelectOptionAsync(new SelectOptionValue { Label = "マイナンバーカード" });
        await page.GetByRole(AriaRole.Button, new() { Name = "登録する" }).ClickAsync();
        await Expect(page.Locator("#seal-done")).ToHaveTextAsync("印鑑を登録しました。印鑑登録証を交付してください。");
        var card = (await page.Locator("#seal-card-number").TextContentAsync())!;
        Assert.Matches("^[0-9]{8}$", card);
        // The registered 印影 shows on the page (same-origin image, decoded by the browser).
        Assert.True(await page.Locator("#seal-image").EvaluateAsync<bool>("img => img.complete && img.naturalWidth === 120"), "the 印影 is not shown");

        await page.GetByLabel("印鑑登録証の番号（提示された登録証）").FillAsync(card);
        await page.GetByLabel("請求者").SelectOptionAsync("agent");
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "counter-seal-registration.png"), FullPage = true });
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#issue-seal-certificate").ClickAsync());
        var pdf = await File.ReadAllBytesAsync((await download.PathAsync())!);

        var text = PdfText.Read(pdf);
        foreach (var expected in new[] { "印鑑登録証明書", taro.Name.Full, taro.Address, "昭和45年1月1日", "品川区長", "令和7年6月2日",
                     "この写しは、登録されている印影と相違ないことを証明する。" })
            Assert.Contains(expected, text);
        Assert.DoesNotContain(card, text);
        Assert.Equal([(120, 120)], Assert.Single(PdfText.Images(pdf)));
        Assert.Equal(Renkei.Documents.CertificateKind.SealRegistration,
            Assert.Single(new Renkei.Municipality.Certificates.CertificateLedger(ward.Database).ForResident(taro.Id)).Kind);
        NumberScan.AssertNoNumber(ward, [("seal page", await page.ContentAsync())]);
    }

    [Fact]
    public async Task A_clerk_places_a_resident_under_a_support_measure_from_the_person_page_and_the_person_page_flags_it()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var hanako = ward.Resident("山田", "花子");

        await LoginAsync(page, ward, ward.Account("jumin01"));
        await page.Locator("#affair-resident-register").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        await page.GotoAsync($"/residents/{hanako.Id}");
        await page.Locator("#support-measure").ClickAsync();
        await page.WaitForURLAsync($"**/residents/{hanako.Id}/support-measure");
        Assert.Equal("山田　花子", await page.Locator("#measure-person").TextContentAsync());

        await page.GetByLabel("種別").SelectOptionAsync(new SelectOptionValue { Label = "配偶者からの暴力（DV）" });
        await page.GetByRole(AriaRole.Button, new() { Name = "支援措置の対象者として記録する" }).ClickAsync();
        await Expect(page.Locator("#measure-done")).ToHaveTextAsync("支援措置の対象者として記録しました。コンビニ交付は停止されます。");
        await Expect(page.Locator("#measure-current")).ToContainTextAsync("配偶者からの暴力（DV）");
        Assert.NotNull(new Renkei.Municipality.Registry.SupportMeasures(ward.Database).Current(hanako.Id));

        await page.GotoAsync($"/residents/{hanako.Id}");
        await Expect(page.Locator("#support-measure-flag")).ToContainTextAsync("支援措置対象者です");
        NumberScan.AssertNoNumber(ward, [("support measure", await page.ContentAsync())]);
    }

    [Fact]
    public async Task A_tax_clerk_issues_the_tax_assessment_and_tax_payment_certificates_at_the_counter_as_pdfs()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        var records = TaxCertificatePageTests.SeedTax(ward);
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var taro = ward.Resident("山田", "太郎");

        await LoginAsync(page, ward, ward.Account("kazei01"));
        await page.GetByLabel("地方税の賦課及び徴収に関する事務（個人番号利用事務）").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        await page.GotoAsync($"/residents/{taro.Id}");
        await page.Locator("#issue-tax-certificate").ClickAsync();
        await page.WaitForURLAsync($"**/residents/{taro.Id}/tax-certificate");
        Assert.Equal("山田　太郎", await page.Locator("#tax-certificate-person").TextContentAsync());

        // 課税（非課税）証明書 for the latest year (chosen by default).
        await page.GetByLabel("課税（非課税）証明書・所得証明書").CheckAsync();
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "counter-tax-certificate.png"), FullPage = true });
        var kazei = await page.RunAndWaitForDownloadAsync(() => page.Locator("#issue-tax-certificate").ClickAsync());
        var kazeiText = PdfText.Read(await File.ReadAllBytesAsync((await kazei.PathAsync())!));
        static string Yen(long amount) => amount.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + "円";
        foreach (var expected in new[] { "課税（非課税）証明書", "山田　太郎", "令和7年度", "年税額" + Yen(records.Current.TotalTax), "品川区長", "令和7年6月2日" })
            Assert.Contains(expected, kazeiText);

        // 納税証明書 for the previous year, with its unpaid last installment.
        await page.GetByLabel("納税証明書").CheckAsync();
        await page.GetByLabel("年度").SelectOptionAsync("2024");
        var nozei = await page.RunAndWaitForDownloadAsync(() => page.Locator("#issue-tax-certificate").ClickAsync());
        var nozeiText = PdfText.Read(await File.ReadAllBytesAsync((await nozei.PathAsync())!));
        foreach (var expected in new[] { "納税証明書", "山田　太郎", "年度令和6年度", "税額" + Yen(records.Previous.TotalTax), "納付済額" + Yen(records.PreviousAccount.Paid),
                     "未納額" + Yen(records.PreviousAccount.Unpaid), "品川区長", "令和7年6月2日" })
            Assert.Contains(expected, nozeiText);
        Assert.Equal(2, new Renkei.Municipality.Certificates.CertificateLedger(ward.Database).ForResident(taro.Id).Count);
        NumberScan.AssertNoNumber(ward, [("tax counter page", await page.ContentAsync())]);
    }

    [Fact]
    public async Task A_library_clerk_can_neither_search_nor_open_a_residents_page()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();

        await LoginAsync(page, ward, ward.Account("tosho01"));
        await page.GetByLabel("図書館利用に関する事務（個人番号を利用しない事務）").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        await Expect(page.Locator("#search-not-allowed")).ToContainTextAsync("住民検索を行えません");
        Assert.Equal(0, await page.GetByLabel("フリガナ").CountAsync());

        var person = await page.GotoAsync($"/residents/{ward.Resident("山田", "花子").Id}");
        Assert.Equal(403, person!.Status);
        Assert.Equal("権限がありません", await page.Locator("h1").TextContentAsync());
        Assert.DoesNotContain("山田", await page.ContentAsync());
    }

    [Fact]
    public async Task A_clerk_in_an_affair_without_numbers_searching_and_opening_person_pages_never_receives_a_number()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var recorder = new ResponseRecorder(page);
        var seen = new List<(string Where, string Text)>();

        await LoginAsync(page, ward, ward.Account("jumin01"));
        await page.GetByLabel("住民票の写しの交付（一般請求）（個人番号を利用しない事務）").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        Assert.Contains("表示しません", await page.Locator(".status").TextContentAsync());

        await page.GetByLabel("フリガナ").FillAsync("ヤマダ");
        await page.GetByRole(AriaRole.Button, new() { Name = "検索" }).ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveCountAsync(3);
        seen.Add(("search results", await page.ContentAsync()));

        await page.GetByRole(AriaRole.Link, new() { Name = "山田　花子" }).ClickAsync();
        await page.WaitForURLAsync($"**/residents/{ward.Resident("山田", "花子").Id}");
        Assert.Equal("************", await page.Locator("#individual-number").TextContentAsync());
        Assert.Equal(0, await page.Locator("#reveal").CountAsync());
        Assert.Equal("妻", await page.Locator("table[aria-labelledby=household] tr", new() { HasText = "山田　花子" }).Locator("td").Nth(1).TextContentAsync());
        seen.Add(("person page", await page.ContentAsync()));
        var screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(screenshots);
        var shot = Path.Combine(screenshots, "person-page-masked.png");
        await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot}");

        // Every member of the household through the page's own links.
        foreach (var (family, given) in new[] { ("山田", "太郎"), ("山田", "一郎") })
        {
            var name = family + "　" + given;
            await page.GetByRole(AriaRole.Link, new() { Name = name }).ClickAsync();
            await page.WaitForURLAsync($"**/residents/{ward.Resident(family, given).Id}");
            Assert.Equal("************", await page.Locator("#individual-number").TextContentAsync());
            seen.Add((name, await page.ContentAsync()));
        }

        var responses = await recorder.AllAsync();
        Assert.Contains(responses, r => r.Status == 200 && r.Url.Contains("/residents/", StringComparison.Ordinal));
        NumberScan.AssertNoNumber(ward, responses.Select(r => ($"{r.Status} {new Uri(r.Url).AbsolutePath}", WebUtility.HtmlDecode(r.Body) + r.Body)).Concat(seen));
    }

    [Fact]
    public async Task A_resident_register_clerk_sees_the_number_after_choosing_the_affair_and_revealing_it()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        var taro = ward.Resident("山田", "太郎");

        await LoginAsync(page, ward, ward.Account("jumin01"));
        // Before an affair is chosen, no resident's page opens at all (need to know).
        var beforeAffair = await page.GotoAsync($"/residents/{taro.Id}");
        Assert.Equal(403, beforeAffair!.Status);
        Assert.Equal(0, await page.Locator("#reveal").CountAsync());
        Assert.Equal(0, await page.Locator("#individual-number").CountAsync());

        await page.GotoAsync("/affair");
        await page.GetByLabel("住民基本台帳に関する事務（個人番号利用事務）").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "この事務で作業する" }).ClickAsync();
        await page.WaitForURLAsync("**/residents");
        await page.GotoAsync($"/residents/{taro.Id}");
        Assert.Equal("************", await page.Locator("#individual-number").TextContentAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "個人番号を表示" }).ClickAsync();
        await Expect(page.Locator("#reveal")).ToHaveCountAsync(0);
        var shown = await page.Locator("#individual-number").TextContentAsync();
        Assert.True(shown == taro.IndividualNumber!.Value.Digits, "the person page shows the person's number after the reveal");
        Assert.Equal(0, await page.Locator("#reveal").CountAsync());
    }

    [Fact]
    public async Task An_auditor_opens_and_verifies_the_operation_log_and_a_clerk_gets_403()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using (var clerkContext = await browser.NewContextAsync(ward.BaseAddress))
        {
            var clerkPage = await clerkContext.NewPageAsync();
            await LoginAsync(clerkPage, ward, ward.Account("kaigo01"));
            Assert.Equal(0, await clerkPage.GetByRole(AriaRole.Link, new() { Name = "操作記録", Exact = true }).CountAsync());
            var refused = await clerkPage.GotoAsync("/audit");
            Assert.Equal(403, refused!.Status);
            Assert.Equal("権限がありません", await clerkPage.Locator("h1").TextContentAsync());
        }

        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        await LoginAsync(page, ward, ward.Account("kansa01"));
        await page.GetByRole(AriaRole.Link, new() { Name = "操作記録", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/audit");
        Assert.True(await page.Locator("tbody tr", new() { HasText = "kaigo01" }).CountAsync() >= 2, "the clerk's login and refused view are listed");

        await page.GetByLabel("職員ID").FillAsync("kaigo01");
        await page.GetByRole(AriaRole.Button, new() { Name = "絞り込む" }).ClickAsync();
        await page.WaitForURLAsync("**/audit?staff=kaigo01*");
        var rows = await page.Locator("tbody tr").AllTextContentsAsync();
        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Contains("kaigo01", row));
        Assert.Contains(rows, row => row.Contains("拒否", StringComparison.Ordinal) && row.Contains("操作記録の閲覧", StringComparison.Ordinal));

        await page.GetByRole(AriaRole.Button, new() { Name = "検証する" }).ClickAsync();
        await Expect(page.Locator("#verification")).ToContainTextAsync("改ざんはありません");
    }

    [Fact]
    public async Task An_administrator_unlocks_a_locked_account_from_the_menu_with_a_reason()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        var locked = ward.Account("kazei01");
        for (var i = 0; i < ward.Staff.Options.MaxFailedLogins; i++)
            ward.Staff.Authenticate(locked.Id.Value, "not-the-password-1", ward.NextCode(locked), ward.Clock.GetUtcNow());
        Assert.True(ward.Staff.Find(locked.Id)!.Locked);

        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        await LoginAsync(page, ward, ward.Account("admin01"));
        await page.GetByRole(AriaRole.Link, new() { Name = "職員アカウント" }).ClickAsync();
        await page.WaitForURLAsync("**/accounts");
        await Expect(page.Locator("#account-kazei01")).ToContainTextAsync("ロック中");
        await Expect(page.Locator("#account-jumin01")).ToContainTextAsync("有効");

        await page.GetByLabel("kazei01 の解除の理由").FillAsync("本人から内線で依頼、本人確認済み");
        await page.GetByRole(AriaRole.Button, new() { Name = "kazei01 のロックを解除" }).ClickAsync();
        await Expect(page.Locator("#unlock-done")).ToContainTextAsync("職員 kazei01 のロックを解除しました");
        await Expect(page.Locator("#account-kazei01")).ToContainTextAsync("有効");
        Assert.False(ward.Staff.Find(locked.Id)!.Locked);
    }

    [Fact]
    public async Task An_administrator_issues_an_account_whose_owner_must_change_the_temporary_password_first_then_disables_it()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        await using var adminContext = await browser.NewContextAsync(ward.BaseAddress);
        var admin = await adminContext.NewPageAsync();
        await LoginAsync(admin, ward, ward.Account("admin01"));
        await admin.WaitForURLAsync("**/accounts");
        // The administrator's menu: accounts and reviews, no clerk's work.
        var menu = await admin.Locator("nav a").AllTextContentsAsync();
        Assert.Equal(["職員アカウント", "アカウントの棚卸し", "パスワード変更"], menu);

        await admin.GetByLabel("職員ID").FillAsync("madoguchi01");
        await admin.GetByLabel("氏名（所属）").FillAsync("住民課 窓口");
        await admin.GetByRole(AriaRole.Button, new() { Name = "アカウントを発行する" }).ClickAsync();
        await Expect(admin.Locator("#unlock-error")).ToContainTextAsync("共用の名前のIDは発行できません");

        await admin.GetByLabel("職員ID").FillAsync("jumin02");
        await admin.GetByLabel("氏名（所属）").FillAsync("住民記録係 中村 恵");
        await admin.Locator("#new-affairs").SelectOptionAsync(["resident-register"]);
        await admin.GetByRole(AriaRole.Button, new() { Name = "アカウントを発行する" }).ClickAsync();
        await Expect(admin.Locator("#unlock-done")).ToContainTextAsync("職員アカウント jumin02 を発行しました");
        var temporary = (await admin.Locator("#issued-password").TextContentAsync())!;
        var secret = Base32.Decode((await admin.Locator("#issued-totp").TextContentAsync())!);
        await Expect(admin.Locator("#account-jumin02")).ToContainTextAsync("住民基本台帳に関する事務");

        // The new clerk logs in with the temporary password: every page leads to the password page until it is changed.
        await using (var clerkContext = await browser.NewContextAsync(ward.BaseAddress))
        {
            var clerk = await clerkContext.NewPageAsync();
            ward.Clock.Advance(TimeSpan.FromMinutes(1));
            var account = new DemoStaffAccount(StaffId.Parse("jumin02"), "住民記録係 中村 恵", StaffRole.Clerk, ["resident-register"], temporary, secret);
            await LoginAsync(clerk, ward, account, code: Totp.Code(secret, Totp.Step(ward.Clock.GetUtcNow())));
            await clerk.WaitForURLAsync("**/password");
            await Expect(clerk.Locator("#password-warning")).ToContainTextAsync("仮パスワードでログインしています");
            await clerk.GotoAsync("/residents");
            await clerk.WaitForURLAsync("**/password");
            await clerk.GetByLabel("現在のパスワード").FillAsync(temporary);
            await clerk.GetByLabel("新しいパスワード", new() { Exact = true }).FillAsync("my own long passphrase");
            await clerk.GetByLabel("新しいパスワード（確認）").FillAsync("my own long passphrase");
            await clerk.GetByRole(AriaRole.Button, new() { Name = "パスワードを変更する" }).ClickAsync();
            await Expect(clerk.Locator("#password-done")).ToContainTextAsync("パスワードを変更しました");
            Assert.Equal(0, await clerk.Locator("#password-warning").CountAsync());
            await clerk.GotoAsync("/residents");
            await Expect(clerk.Locator("h1")).ToHaveTextAsync("住民検索");
        }

        // The day the person leaves: disabled at once, shown as such, and the id cannot be issued again.
        await admin.GotoAsync("/accounts");
        await admin.GetByRole(AriaRole.Button, new() { Name = "jumin02 を失効させる" }).ClickAsync();
        await Expect(admin.Locator("#unlock-done")).ToContainTextAsync("職員アカウント jumin02 を失効させました");
        await Expect(admin.Locator("#account-jumin02")).ToContainTextAsync("利用停止");
        Assert.False(ward.Staff.Find(StaffId.Parse("jumin02"))!.Active);
        Assert.Contains(ward.Log.Read(new Municipality.Audit.OperationLogQuery(StaffId: "admin01")).Select(r => r.Entry.Detail),
            detail => detail is not null && detail.StartsWith("職員アカウント jumin02 を失効させました（退職・異動日 令和7年", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_administrator_confirms_accounts_due_for_review_and_the_auditor_records_the_monthly_log_review()
    {
        await using var ward = await ConsoleWard.StartAsync("sqlite");
        ward.Clock.Advance(TimeSpan.FromDays(40)); // the privileged ids (monthly) are overdue, the others (quarterly) not yet due

        await using (var adminContext = await browser.NewContextAsync(ward.BaseAddress))
        {
            var admin = await adminContext.NewPageAsync();
            await LoginAsync(admin, ward, ward.Account("admin01"));
            await Expect(admin.Locator("#reviews-overdue")).ToContainTextAsync("棚卸しの期限を過ぎたアカウントが 2 件あります");
            await admin.GetByRole(AriaRole.Link, new() { Name = "アカウントの棚卸し" }).First.ClickAsync();
            await admin.WaitForURLAsync("**/account-reviews");
            Assert.Equal(["review-admin01", "review-kansa01"], await admin.Locator("tbody tr[id^=review-]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.id)"));
            await Expect(admin.Locator("#review-admin01")).ToContainTextAsync("期限超過");
            await admin.GetByLabel("admin01 を確認済みにする").CheckAsync();
            await admin.GetByLabel("kansa01 を確認済みにする").CheckAsync();
            await admin.GetByRole(AriaRole.Button, new() { Name = "選んだアカウントを確認済みとして記録する" }).ClickAsync();
            await Expect(admin.Locator("#reviews-done")).ToContainTextAsync("2 件のアカウントの確認を記録しました");
            await Expect(admin.Locator("#reviews-none")).ToBeVisibleAsync();
        }

        // A clerk's refused attempt at the auditor's page becomes a finding of that month's review.
        await using (var clerkContext = await browser.NewContextAsync(ward.BaseAddress))
        {
            var clerk = await clerkContext.NewPageAsync();
            await LoginAsync(clerk, ward, ward.Account("kaigo01"));
            Assert.Equal(403, (await clerk.GotoAsync("/log-review"))!.Status);
        }
        var month = ward.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(9)).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        await using var context = await browser.NewContextAsync(ward.BaseAddress);
        var page = await context.NewPageAsync();
        await LoginAsync(page, ward, ward.Account("kansa01"));
        await page.GetByRole(AriaRole.Link, new() { Name = "操作記録の検査・分析" }).ClickAsync();
        await page.WaitForURLAsync("**/log-review");
        await Expect(page.Locator("#review-overdue")).ToContainTextAsync("前月の操作記録の検査・分析がまだ記録されていません");
        await page.GetByLabel("対象月（例: 2026-11）").FillAsync(month);
        await page.GetByRole(AriaRole.Button, new() { Name = "表示する" }).ClickAsync();
        await Expect(page.Locator("tr.finding", new() { HasText = "kaigo01" })).ToContainTextAsync("拒否された操作");
        await page.GetByLabel("所見（500文字まで）").FillAsync("拒否は権限外の画面を開いたもので、不正なアクセスはない");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("の検査・分析を記録する$") }).ClickAsync();
        await Expect(page.Locator("#review-done")).ToContainTextAsync("の操作記録の検査・分析を記録しました");
        await Expect(page.Locator("table").Last).ToContainTextAsync("kansa01");
        var recorded = ward.Log.Read(new Municipality.Audit.OperationLogQuery(Action: Municipality.Audit.OperationAction.OperationLogReviewed)).Single().Entry;
        Assert.Equal("kansa01", recorded.StaffId);
        Assert.EndsWith("所見: 拒否は権限外の画面を開いたもので、不正なアクセスはない", recorded.Detail);
    }
}
