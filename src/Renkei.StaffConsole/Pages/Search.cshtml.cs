using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Staff;
using Renkei.Municipality.Audit;
using Renkei.Municipality.Registry;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 住民検索: by name, kana and/or birth date, sent by POST so no term lands in a URL or a server log. Results carry no
/// number or resident-record code. The operation log records which terms were used and how many people were found, not
/// the terms themselves.
/// </summary>
public sealed class SearchModel : ConsolePageModel
{
    public const int Limit = 100;

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Kana { get; set; }
    [BindProperty] public string? Birth { get; set; }
    [BindProperty] public bool IncludeFormer { get; set; }

    public IReadOnlyList<ResidentSummary>? Results { get; private set; }
    public bool Truncated { get; private set; }
    public string? Error { get; private set; }

    /// <summary>Searching (the POST) needs an affair whose need to know includes it; the empty form is the console's home.</summary>
    protected override ResidentRecordUse? Needs => HttpMethods.IsPost(Request.Method) ? ResidentRecordUse.Search : null;
    protected override string PageDescription => "住民検索";

    /// <summary>Whether the chosen affair may search, for the form's notice.</summary>
    public ResidentRecordAccessDecision Access => ResidentRecordAccess.Decide(Staff, ResidentRecordUse.Search, Runtime.Today);

    public void OnGet() { }

    /// <summary>What the register's refusal of a search means, for the screen.</summary>
    internal static string RefusalText(string code) => code switch
    {
        "wildcard-search" => "記号（%、_ など）だけでは検索できません。氏名・フリガナ・生年月日で検索してください",
        "search-term-too-long" => $"検索条件は{RegisterInputRules.MaxSearchTerm}文字以内で入力してください",
        _ => "検索条件を確認してください",
    };

    public async Task<IActionResult> OnPostAsync()
    {
        if (TypedNumber.In(Name) || TypedNumber.In(Kana) || TypedNumber.In(Birth))
        {
            Name = Kana = Birth = null;
            Error = "個人番号・住民票コードでは検索できません。氏名・フリガナ・生年月日で検索してください";
            return Page();
        }
        if (!DateInput.TryParse(Birth, out var birth, out var dateError))
        {
            Error = "生年月日: " + dateError;
            return Page();
        }
        var terms = new List<string>();
        if (!string.IsNullOrWhiteSpace(Name)) terms.Add("氏名");
        if (!string.IsNullOrWhiteSpace(Kana)) terms.Add("フリガナ");
        if (birth is not null) terms.Add("生年月日");
        if (terms.Count == 0)
        {
            Error = "検索条件を入力してください（氏名・フリガナ・生年月日のいずれか）";
            return Page();
        }
        IReadOnlyList<ResidentSummary> found;
        try
        {
            found = Runtime.Register.Search(new ResidentSearch(Name, Kana, birth, IncludeFormer, Limit + 1));
        }
        catch (RegisterException e)
        {
            await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, OperationAction.Search, OperationResult.Refused,
                $"住民検索（{string.Join("・", terms)}）: 拒否: {e.Code}", HttpContext.RequestAborted);
            Name = Kana = null;
            Error = RefusalText(e.Code);
            return Page();
        }
        Truncated = found.Count > Limit;
        Results = Truncated ? found.Take(Limit).ToList() : found;
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, OperationAction.Search, OperationResult.Success,
            $"住民検索（{string.Join("・", terms)}{(IncludeFormer ? "、転出・死亡を含む" : "")}）: {Results.Count}件", HttpContext.RequestAborted);
        return Page();
    }
}
