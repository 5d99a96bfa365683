using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Renkei.Municipality.Affairs;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Business;
using Renkei.Municipality.Contracts;
using Renkei.Municipality.Registry;

namespace Renkei.StaffConsole.Pages;

/// <summary>
/// 新しい申請: the procedure chosen, the staff member finds the applicant (by name or kana, sent by POST), picks the
/// household members concerned and names the institutions the linkages ask (前住所地 is read from the register's arrival
/// event), then opens the application. The applicant is carried by the register's resident id, never by number.
/// </summary>
public sealed partial class NewApplicationModel : ApplicationPageModel
{
    [FromQuery(Name = "workflow")] public string? WorkflowCode { get; set; }
    [FromQuery(Name = "resident")] public long? ResidentId { get; set; }

    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Kana { get; set; }
    [BindProperty] public Dictionary<long, string?> Roles { get; set; } = [];
    [BindProperty] public string? PreviousMunicipality { get; set; }
    [BindProperty] public string? JanuaryFirstMunicipality { get; set; }
    [BindProperty] public string? FormerInsurer { get; set; }

    public WorkflowDefinition? Workflow { get; private set; }
    public Resident? Person { get; private set; }
    public string? ArrivedFrom { get; private set; }
    public IReadOnlyList<Resident> Household { get; private set; } = [];
    public IReadOnlyList<ResidentSummary>? Found { get; private set; }

    /// <summary>The arrival event's reason names the municipality moved from: 転入届（転出地 131113）.</summary>
    [GeneratedRegex(@"転出地 (\d{6})")]
    private static partial Regex ArrivalFrom();

    /// <summary>Finding the applicant searches the register; a chosen applicant's page shows their household and moves (need to know).</summary>
    protected override ResidentRecordUse? Needs =>
        string.Equals(Request.Query["handler"], "Search", StringComparison.OrdinalIgnoreCase) ? ResidentRecordUse.Search
        : ResidentId is not null ? ResidentRecordUse.View
        : null;

    protected override string PageDescription => "新しい申請";

    public IActionResult OnGet()
    {
        if (!Prepare()) return Page();
        if (Person is not null) PreviousMunicipality ??= ArrivedFrom;
        return Page();
    }

    public async Task<IActionResult> OnPostSearchAsync()
    {
        if (!Prepare()) return Page();
        if (TypedNumber.In(Name) || TypedNumber.In(Kana))
        {
            Name = Kana = null;
            Error = "個人番号・住民票コードでは検索できません。氏名・フリガナで検索してください";
            return Page();
        }
        if (string.IsNullOrWhiteSpace(Name) && string.IsNullOrWhiteSpace(Kana))
        {
            Error = "検索条件を入力してください（氏名・フリガナのいずれか）";
            return Page();
        }
        try
        {
            Found = Runtime.Register.Search(new ResidentSearch(Name, Kana, null, false, SearchModel.Limit));
        }
        catch (RegisterException e)
        {
            await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, Municipality.Audit.OperationAction.Search,
                Municipality.Audit.OperationResult.Refused, $"申請者の検索（{Workflow!.Code}）: 拒否: {e.Code}", HttpContext.RequestAborted);
            Name = Kana = null;
            Error = SearchModel.RefusalText(e.Code);
            return Page();
        }
        await Runtime.RecordAsync(HttpContext, StaffIdText, Staff!.ChosenAffair, null, Municipality.Audit.OperationAction.Search,
            Municipality.Audit.OperationResult.Success, $"申請者の検索（{Workflow!.Code}）: {Found.Count}件", HttpContext.RequestAborted);
        return Page();
    }

    public IActionResult OnPostOpen()
    {
        if (!Prepare() || Person is null) return Page();
        var members = new List<ApplicationMember>();
        foreach (var member in Household)
        {
            if (!Roles.TryGetValue(member.Id, out var role) || string.IsNullOrWhiteSpace(role)) continue;
            if (role is not (WorkflowCatalogue.ChildRole or WorkflowCatalogue.MemberRole))
            {
                Error = "世帯員の区分が正しくありません";
                Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status400BadRequest;
                return Page();
            }
            members.Add(new ApplicationMember(Runtime.Addressee.EnsureForResident(member.Id), role));
        }
        try
        {
            var applicant = Runtime.Addressee.EnsureForResident(Person.Id);
            var parties = new ApplicationParties(Blank(PreviousMunicipality), Blank(JanuaryFirstMunicipality), Blank(FormerInsurer));
            var opened = Workflows!.Open(Staff!, Workflow!.Code, applicant, members, parties, View.Today, Terminal);
            return Redirect($"/applications/{opened.Id}");
        }
        catch (WorkflowException refused)
        {
            return Refused(refused);
        }
    }

    /// <summary>
    /// The role a household member gets by default: for 児童手当, every child the allowance counts (paid to the first
    /// 31 March after 18, counted for the third-child rate to 22: ChildAllowanceRules); for the other child benefits,
    /// children under 18.
    /// </summary>
    public string? DefaultRole(Resident member)
    {
        if (Workflow is null) return null;
        var age = View.Today.Year - member.BirthDate.Year - (View.Today < member.BirthDate.AddYears(View.Today.Year - member.BirthDate.Year) ? 1 : 0);
        return Workflow.Code switch
        {
            WorkflowCatalogue.ChildAllowanceArrival or WorkflowCatalogue.ChildAllowance
                => member.Relationship == Relationship.Child && ChildAllowanceRules.CountsForOrder(member.BirthDate, View.Today) ? WorkflowCatalogue.ChildRole : null,
            WorkflowCatalogue.ChildRearingAllowance or WorkflowCatalogue.ChildUpbringingAllowance
                => age < 18 ? WorkflowCatalogue.ChildRole : null,
            WorkflowCatalogue.PublicAssistanceInvestigation or WorkflowCatalogue.NhiEnrolment => WorkflowCatalogue.MemberRole,
            _ => null,
        };
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>Finds the procedure (of the chosen affair) and the applicant; false with an error on the page otherwise.</summary>
    private bool Prepare()
    {
        if (Workflows is null)
        {
            Error = "この職員用画面には中間サーバーが設定されていないため、申請の画面は利用できません。";
            return false;
        }
        Workflow = AffairWorkflows.FirstOrDefault(w => w.Code == WorkflowCode);
        if (Workflow is null)
        {
            Error = WorkflowCatalogue.Find(WorkflowCode) is null ? "手続が見つかりません" : "この手続は選択中の事務では扱えません。事務の選択を確認してください";
            Response.StatusCode = WorkflowCatalogue.Find(WorkflowCode) is null ? 404 : 403;
            return false;
        }
        if (ResidentId is { } id)
        {
            Person = Runtime.Register.Find(id);
            if (Person is null)
            {
                Error = "該当する住民はいません";
                Response.StatusCode = 404;
                return false;
            }
            Household = Runtime.Register.FindHousehold(Person.HouseholdNumber)?.Members.Where(m => m.Id != Person.Id).ToList() ?? [];
            ArrivedFrom = Runtime.Register.Events(Person.Id)
                .Where(e => e.Type == RegisterEventType.ArrivalFromMunicipality).Select(e => ArrivalFrom().Match(e.Reason))
                .Where(m => m.Success).Select(m => m.Groups[1].Value).LastOrDefault();
        }
        return true;
    }
}
