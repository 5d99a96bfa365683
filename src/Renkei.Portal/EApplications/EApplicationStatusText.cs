using System.Text;
using Renkei.Municipality.Contracts;

namespace Renkei.Portal.EApplications;

/// <summary>Japanese words of the status page (申請状況の確認).</summary>
public static class EApplicationStatusText
{
    public static string State(EApplicationStatus status) => status.State switch
    {
        EApplicationStates.Received => "受付済み（内容を確認しています）",
        EApplicationStates.Examining => "審査中（必要な情報がそろい、決定を待っています）",
        EApplicationStates.Decided => status.Outcome switch
        {
            "approved" => "決定済み（認定）",
            "rejected" => "決定済み（却下）",
            _ => "決定済み",
        },
        _ => "確認中",
    };

    /// <summary>The digits of a receipt number as typed (full-width digits, spaces and 「第」「号」 allowed).</summary>
    public static string Digits(string? text)
    {
        if (text is null || text.Length > 40) return "";
        var digits = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsAsciiDigit(c)) digits.Append(c);
            else if (!(char.IsWhiteSpace(c) || c is '第' or '号' or '-')) return "";
        }
        return digits.ToString();
    }
}
