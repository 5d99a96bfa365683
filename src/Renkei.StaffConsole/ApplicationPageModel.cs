using Renkei.Documents;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Renkei.Core.Dates;
using Renkei.Core.Text;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Applications;
using Renkei.Network.Contracts;

namespace Renkei.StaffConsole;

/// <summary>
/// Base of the attachment-omission pages (添付書類の省略): the workflows of the ward (null when the console has no
/// intermediate server), the terminal for the operation log, and refusals shown as a page with the backend's reason and
/// the right status code. People are named by the register's name; their individual number never appears on these pages.
/// </summary>
public abstract class ApplicationPageModel : ConsolePageModel
{
    internal AttachmentWorkflows? Workflows => Runtime.Workflows;

    protected string Terminal => ConsoleRuntime.Terminal(HttpContext);

    public string? Error { get; protected set; }

    /// <summary>The workflows the chosen affair may run (none without an affair).</summary>
    public IReadOnlyList<WorkflowDefinition> AffairWorkflows =>
        Staff?.ChosenAffair is { } affair ? WorkflowCatalogue.All.Where(w => w.Affair == affair).ToList() : [];

    /// <summary>Shows the backend's refusal on the page with a status code that fits it.</summary>
    protected IActionResult Refused(WorkflowException refused)
    {
        Response.StatusCode = refused.Code switch
        {
            WorkflowException.Codes.NotFound => StatusCodes.Status404NotFound,
            WorkflowException.Codes.AffairMismatch or WorkflowException.Codes.LinkageNotPermitted or WorkflowException.Codes.NoAffairChosen
                => StatusCodes.Status403Forbidden,
            WorkflowException.Codes.IntermediateUnavailable => StatusCodes.Status503ServiceUnavailable,
            WorkflowException.Codes.AlreadyDecided or WorkflowException.Codes.LinkageIncomplete => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        };
        Error = JapaneseText.ForPerson(refused.Message, refused.Code, Response.StatusCode);
        return Page();
    }

    /// <summary>A person of an application by name (and kana), from the addressee system; never the number.</summary>
    public string PersonName(IntegratedAddresseeNumber addressee) =>
        Runtime.Addressee.Find(addressee) is { } person ? person.Name.Full : "宛名番号 " + addressee.Digits;

    public static string Era(DateOnly? date) => date is { } d ? JapaneseEraDate.Format(d) : "—";

    public static string Yen(long? amount) => amount is { } a ? a.ToString("N0", CultureInfo.InvariantCulture) + "円" : "—";

    public ConsoleRuntimeView View => new(Runtime);
}

/// <summary>What pages may read of the console's runtime (the runtime itself is internal).</summary>
public sealed class ConsoleRuntimeView
{
    private readonly ConsoleRuntime _runtime;

    internal ConsoleRuntimeView(ConsoleRuntime runtime) => _runtime = runtime;

    public string AffairName(string code) => _runtime.Catalogue.Find(code, _runtime.Today)?.Name ?? _runtime.Catalogue.Find(code)?.Name ?? code;

    public DateOnly Today => _runtime.Today;
}

/// <summary>Japanese words and names for the attachment-omission pages.</summary>
public static class ApplicationText
{
    public static string Institution(string? code) =>
        code is null ? "—" : KnownInstitution(code) ?? code;

    /// <summary>"大田区（131113）" for a code <see cref="InstitutionNames"/> knows, else null.</summary>
    public static string? KnownInstitution(string code) => InstitutionNames.WithCode(code);

    public static string Status(ApplicationStatus status) => status switch
    {
        ApplicationStatus.Open => "受付",
        ApplicationStatus.Linked => "連携済",
        ApplicationStatus.Decided => "決定済",
        _ => status.ToString(),
    };

    public static string Attachment(AttachmentState state) => state switch
    {
        AttachmentState.Omitted => "省略（情報連携で確認）",
        AttachmentState.Submitted => "提出あり",
        _ => "未確認（連携または提出が必要）",
    };

    public static string Channel(LinkageChannel channel) => channel switch
    {
        LinkageChannel.Immediate => "即時照会",
        LinkageChannel.Batch => "一括照会",
        LinkageChannel.IntraMunicipal => "庁内連携",
        _ => "添付書類",
    };

    public static string Outcome(LinkageOutcome outcome) => outcome switch
    {
        LinkageOutcome.Provided => "提供",
        LinkageOutcome.NotHeld => "該当なし",
        LinkageOutcome.Refused => "拒否",
        _ => "提供者応答なし",
    };

    public static string Decision(DecisionOutcome outcome) => outcome == DecisionOutcome.Approved ? "認定" : "却下";

    public static string Role(string role) => role switch
    {
        WorkflowCatalogue.ChildRole => "対象児童",
        WorkflowCatalogue.MemberRole => "世帯員",
        _ => role,
    };

    public static string Source(ProviderSource source) => source switch
    {
        ProviderSource.PreviousMunicipality => "前住所地の市区町村",
        ProviderSource.JanuaryFirstMunicipality => "1月1日の住所地の市区町村",
        ProviderSource.PensionOrganisation => "日本年金機構",
        ProviderSource.FormerInsurer => "前保険者（被用者保険）",
        _ => "区の業務システム（庁内連携）",
    };

    /// <summary>
    /// The provided information as "label: value" lines with the Japanese labels, yen and era dates the portal shows the
    /// resident (<see cref="InformationTables"/>, one table for both); each item of a nested list on a line of its own. The
    /// bodies are the intermediate servers' copies: they hold no individual number.
    /// </summary>
    public static IReadOnlyList<string> Values(string kind, JsonElement? body)
    {
        var table = InformationTables.Render(kind, body);
        return [.. table.Rows.Select(r => $"{r.Label}: {r.Value}"),
            .. table.Tables.Select(t => $"{t.Caption}: {string.Join("、", t.Rows.Select(r => $"{r.Label} {r.Value}"))}")];
    }
}
