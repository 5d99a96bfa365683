using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Documents;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Certificates;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Seals;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 印鑑登録 at the counter, for the resident of the Person page: the current registration, registering a seal (the image
/// uploaded, its measured size and the identity check), abolishing it (本人申請・亡失) and issuing the 印鑑登録証明書 on the
/// 印鑑登録証 presented (POST returns the PDF). Viewing needs an affair that may view the register; every change and issuance
/// needs the 印鑑登録 affair chosen. Each change, issuance and refusal is in the operation log; refusals show in Japanese.
/// </summary>
[RequestSizeLimit(MaxRequestBytes)]
public sealed class SealRegistrationModel : ResidentCounterPageModel
{
    /// <summary>The largest request taken (an image of up to 200 KB and the form, with room); larger is refused by the server.</summary>
    public const long MaxRequestBytes = 1024 * 1024;


    [BindProperty] public IFormFile? Image { get; set; }
    [BindProperty] public int? SideMillimetres { get; set; }
    [BindProperty] public string IdentityCheck { get; set; } = "";
    [BindProperty] public string Reason { get; set; } = "";
    [BindProperty] public string SealCard { get; set; } = "";
    [BindProperty] public string Requester { get; set; } = "self";
    [BindProperty] public int Copies { get; set; } = 1;

    public SealRegistration? Current { get; private set; }
    public IReadOnlyList<SealRegistration> History { get; private set; } = [];

    /// <summary>The 印鑑登録証 number, shown once right after registration so the card can be made and handed over.</summary>
    public SealCardNumber? NewCard { get; private set; }
    public string? Done { get; private set; }
    public int FeePerCopy => Runtime.Options.CertificateFee;

    /// <summary>Whether the chosen affair is 印鑑登録 (changes and issuance are allowed only then).</summary>
    public bool InSealAffair => Staff?.ChosenAffair == CounterCertificates.SealAffair;

    protected override string PageDescription => "印鑑登録";

    /// <summary>A card number as the page shows it after the day of registration: the last two digits only.</summary>
    public static string Masked(SealCardNumber card) => new string('＊', 6) + card.Digits[6..];

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Load()) return await NotFoundAsync();
        return Page();
    }

    /// <summary>The current registration's 印影, for the clerk to compare with the seal presented (same-origin image).</summary>
    public async Task<IActionResult> OnGetImageAsync()
    {
        if (!Load()) return await NotFoundAsync();
        if (Current is not { } current) return NotFound();
        await Record(OperationAction.View, OperationResult.Success, "印鑑登録 印影の表示");
        Response.Headers.CacheControl = "no-store";
        return File(current.Image.Bytes, current.Image.ContentType);
    }

    public async Task<IActionResult> OnPostRegisterAsync()
    {
        if (!Load()) return await NotFoundAsync();
        if (!InSealAffair) return await RefusedAsync(StatusCodes.Status403Forbidden, AffairRequired, "seal-affair-required", "印鑑登録", OperationAction.Change);
        if (!SealCodes.TryParse(IdentityCheck, out SealIdentityCheck check))
            return await RefusedAsync(StatusCodes.Status400BadRequest, "本人確認の方法：一覧から選んでください。", "bad-identity-check", "印鑑登録", OperationAction.Change);
        SealRegistration registered;
        try
        {
            var image = SealImage.Parse(await ReadImageAsync(), SideMillimetres ?? 0);
            registered = Runtime.Seals.Register(new SealRegistrationRequest(Id, check, image), StaffIdText, ConsoleRuntime.Terminal(HttpContext));
        }
        catch (RegisterException refused)
        {
            return await RefusedAsync(StatusCodes.Status400BadRequest, Japanese(refused.Code), refused.Code, "印鑑登録", OperationAction.Change);
        }
        await Record(OperationAction.Change, OperationResult.Success, $"印鑑登録 登録 本人確認 {check.ToJapanese()} 印影 {registered.Image.SideMillimetres}mm");
        Load();
        NewCard = registered.CardNumber;
        Done = "印鑑を登録しました。印鑑登録証を交付してください。";
        return Page();
    }

    public async Task<IActionResult> OnPostAbolishAsync()
    {
        if (!Load()) return await NotFoundAsync();
        if (!InSealAffair) return await RefusedAsync(StatusCodes.Status403Forbidden, AffairRequired, "seal-affair-required", "印鑑登録 廃止", OperationAction.Change);
        if (!SealCodes.TryParse(Reason, out SealAbolitionReason reason) || reason is not (SealAbolitionReason.Request or SealAbolitionReason.Lost))
            return await RefusedAsync(StatusCodes.Status400BadRequest, "廃止の事由：本人申請又は亡失を選んでください。", "bad-abolition-reason", "印鑑登録 廃止", OperationAction.Change);
        try
        {
            Runtime.Seals.Abolish(Id, reason, StaffIdText);
        }
        catch (RegisterException refused)
        {
            return await RefusedAsync(StatusCodes.Status409Conflict, Japanese(refused.Code), refused.Code, "印鑑登録 廃止", OperationAction.Change);
        }
        await Record(OperationAction.Change, OperationResult.Success, $"印鑑登録 廃止 事由 {reason.ToJapanese()}");
        Load();
        Done = "印鑑登録を廃止しました。";
        return Page();
    }

    public async Task<IActionResult> OnPostCertificateAsync()
    {
        if (!Load()) return await NotFoundAsync();
        if (!InSealAffair) return await RefusedAsync(StatusCodes.Status403Forbidden, AffairRequired, "seal-affair-required", "印鑑登録証明書交付", OperationAction.Change);
        if (!CertificateRequesters.TryParse(Requester, out var requester))
            return await RefusedAsync(StatusCodes.Status400BadRequest, "請求者：一覧から選んでください。", "bad-input", "印鑑登録証明書交付", OperationAction.Change);
        IssuedCertificate issued;
        try
        {
            var registration = Runtime.Seals.ForCertificate(Id, SealCard);
            issued = Runtime.Counter.IssueSealRegistration(Runtime.Municipality.Digits, Resident!, registration, requester, Copies, StaffIdText,
                ConsoleRuntime.Terminal(HttpContext), Staff!.ChosenAffair);
        }
        catch (RegisterException refused)
        {
            return await RefusedAsync(refused.Code is SealRegistry.CardMismatch or SealRegistry.Abolished or SealRegistry.NotRegistered
                ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest, Japanese(refused.Code), refused.Code, "印鑑登録証明書交付", OperationAction.Export);
        }
        catch (DocumentFontMissingException)
        {
            return await RefusedAsync(StatusCodes.Status503ServiceUnavailable, DocumentFontMissingException.CertificateMessage,
                DocumentFontMissingException.Code, "印鑑登録証明書交付", OperationAction.Export);
        }
        await Record(OperationAction.Export, OperationResult.Success,
            $"印鑑登録証明書交付 {issued.Certificate.Serial.Text} 請求者 {requester.ToJapanese()} {issued.Copies}通 手数料{issued.FeeYen}円");
        return File(issued.Pdf, "application/pdf", $"inkan-{issued.LedgerId.ToString(CultureInfo.InvariantCulture)}.pdf");
    }

    private const string AffairRequired = "印鑑登録の操作は、「印鑑登録に関する事務」を選択しているときに限り行えます。";

    /// <summary>The upload (read up to one byte past the limit), or null when none was chosen.</summary>
    private async Task<byte[]?> ReadImageAsync()
    {
        if (Image is null || Image.Length == 0) return null;
        await using var stream = Image.OpenReadStream();
        return await SealImage.ReadAsync(stream, HttpContext.RequestAborted);
    }

    private static string Japanese(string code) => code switch
    {
        SealImage.Empty => "印影の画像：画像ファイルを選んでください。",
        SealImage.TooLarge => $"印影の画像：{SealImage.MaxBytes / 1024}KB以下のファイルにしてください。",
        SealImage.NotAnImage => "印影の画像：PNG又はJPEG形式の画像にしてください。",
        SealImage.PixelsOutOfRange => $"印影の画像：縦横がそれぞれ{SealImage.MinPixels}から{SealImage.MaxPixels}画素の画像にしてください。",
        SealImage.SideOutOfRange => $"印影の大きさ：{SealImage.MinSideMillimetres}から{SealImage.MaxSideMillimetres}までのミリメートル数を入力してください。",
        SealRegistry.TooYoung => "15歳未満の方は印鑑登録できません。",
        SealRegistry.NotResident => "区の住民でない方は印鑑登録できません。",
        SealRegistry.AlreadyRegistered => "既に印鑑登録があります。登録できる印鑑は一人一個です。新たに登録するには、先に廃止してください。",
        SealRegistry.NotRegistered => "印鑑登録がありません。",
        SealRegistry.CardMismatch => "印鑑登録証の番号：登録と一致しません。提示された印鑑登録証を確認してください。",
        SealRegistry.Abolished => "印鑑登録証の番号：この印鑑登録は廃止されています。証明書は交付できません。",
        SealCardNumber.Invalid => "印鑑登録証の番号：8桁の数字を正しく入力してください。",
        CounterCertificates.CopiesOutOfRange => $"通数：1から{CounterCertificateSettings.MaxCopies}までの数を入力してください。",
        SealRegistry.UnknownResident => "該当する住民はいません。",
        _ => "処理できませんでした。",
    };

    private Task Record(OperationAction action, OperationResult result, string detail) =>
        Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, Runtime.SubjectOf(Id), action, result,
            $"{detail} resident-id={Id}", HttpContext.RequestAborted);

    protected override void OnResidentLoaded(Resident resident)
    {
        History = Runtime.Seals.History(Id);
        Current = History.FirstOrDefault(r => r.Current);
    }
}
