using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 支援措置 for the resident of the Person page: the open measure and the earlier ones, placing the person under a measure
/// (kind and first day) and releasing it (last day). Viewing needs the register's view right; placing and releasing need
/// the change right (the affair 住民基本台帳に関する事務). Each change and refusal is in the operation log; while a measure is
/// open the ward's kiosk issuance refuses the person (counter only).
/// </summary>
public sealed class SupportMeasureModel : ResidentCounterPageModel
{
    [BindProperty] public string Kind { get; set; } = "";
    [BindProperty] public string? Day { get; set; }

    public SupportMeasure? Current { get; private set; }
    public IReadOnlyList<SupportMeasure> History { get; private set; } = [];
    public string? Done { get; private set; }

    protected override string PageDescription => "支援措置";

    protected override ResidentRecordUse? Needs => HttpMethods.IsPost(Request.Method) ? ResidentRecordUse.Change : ResidentRecordUse.View;

    public async Task<IActionResult> OnGetAsync()
    {
        if (!Load()) return await NotFoundAsync();
        await Record(OperationResult.Success, OperationAction.View, "支援措置 表示");
        return Page();
    }

    public async Task<IActionResult> OnPostPlaceAsync()
    {
        if (!Load()) return await NotFoundAsync();
        if (!SupportMeasureKinds.TryParse(Kind, out var kind))
            return await RefusedAsync(StatusCodes.Status400BadRequest, "支援措置の種別：一覧から選んでください。", "bad-kind", "支援措置 開始", OperationAction.Change);
        if (!DateInput.TryParse(Day, out var from, out var fromError))
            return await RefusedAsync(StatusCodes.Status400BadRequest, $"開始日：{fromError}（{DateInput.Hint}）", "bad-date", "支援措置 開始", OperationAction.Change);
        SupportMeasure placed;
        try
        {
            placed = Runtime.SupportMeasures.Place(Id, kind, from, StaffIdText);
        }
        catch (RegisterException refused)
        {
            return await RefusedAsync(StatusCodes.Status409Conflict, Japanese(refused.Code), refused.Code, "支援措置 開始", OperationAction.Change);
        }
        await Record(OperationResult.Success, OperationAction.Change, $"支援措置 開始 種別 {kind.ToJapanese()} 開始日 {placed.From:yyyy-MM-dd}");
        Load();
        Done = "支援措置の対象者として記録しました。コンビニ交付は停止されます。";
        return Page();
    }

    public async Task<IActionResult> OnPostReleaseAsync()
    {
        if (!Load()) return await NotFoundAsync();
        if (!DateInput.TryParse(Day, out var on, out var onError))
            return await RefusedAsync(StatusCodes.Status400BadRequest, $"終了日：{onError}（{DateInput.Hint}）", "bad-date", "支援措置 終了", OperationAction.Change);
        SupportMeasure released;
        try
        {
            released = Runtime.SupportMeasures.Release(Id, on, StaffIdText);
        }
        catch (RegisterException refused)
        {
            return await RefusedAsync(StatusCodes.Status409Conflict, Japanese(refused.Code), refused.Code, "支援措置 終了", OperationAction.Change);
        }
        await Record(OperationResult.Success, OperationAction.Change, $"支援措置 終了 終了日 {released.ReleasedOn:yyyy-MM-dd}");
        Load();
        Done = "支援措置を終了しました。";
        return Page();
    }

    private static string Japanese(string code) => code switch
    {
        SupportMeasures.AlreadyUnderMeasure => "既に支援措置の対象者です。",
        SupportMeasures.NoOpenMeasure => "支援措置の対象者ではありません。",
        SupportMeasures.NotResident => "支援措置は、現に住民である方に限り記録できます。",
        SupportMeasures.BadDate => "日付：開始日は過去1年以内、終了日は開始日から今日までの日付を入力してください。",
        "unknown-resident" => "該当する住民はいません。",
        _ => "処理できませんでした。",
    };

    private Task Record(OperationResult result, OperationAction action, string detail) =>
        Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, Runtime.SubjectOf(Id), action, result,
            $"{detail} resident-id={Id}", HttpContext.RequestAborted);

    protected override void OnResidentLoaded(Resident resident)
    {
        History = Runtime.SupportMeasures.History(Id);
        Current = History.FirstOrDefault(m => m.Open);
    }
}
