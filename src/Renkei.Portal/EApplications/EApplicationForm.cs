namespace Renkei.Portal.EApplications;

/// <summary>
/// What the resident types on the one-stop childcare form (ワンストップ: 保育所入所 + 児童手当), as the page binds it. Nothing is
/// trusted: <see cref="EApplicationDesk.Prepare"/> checks every field and names what is wrong.
/// </summary>
public sealed class EApplicationForm
{
    /// <summary>Children rows offered on the form.</summary>
    public const int ChildSlots = 3;

    /// <summary>The ward's local government code (from <see cref="PortalOptions.Wards"/>).</summary>
    public string? Ward { get; set; }

    /// <summary>保育所等の利用申込み.</summary>
    public bool NurseryAdmission { get; set; } = true;

    /// <summary>児童手当 認定請求.</summary>
    public bool ChildAllowance { get; set; } = true;

    public List<EApplicationChildInput> Children { get; set; } = [.. Enumerable.Range(0, ChildSlots).Select(_ => new EApplicationChildInput())];

    public string? Preference1 { get; set; }
    public string? Preference2 { get; set; }
    public string? Preference3 { get; set; }

    /// <summary>入所希望月, as an HTML month input gives it (yyyy-MM).</summary>
    public string? DesiredStart { get; set; }

    /// <summary>保育を必要とする事由: one of <see cref="EApplicationText.Reasons"/>.</summary>
    public string? Reason { get; set; }

    /// <summary>連絡先電話番号 (optional).</summary>
    public string? Contact { get; set; }
}

public sealed class EApplicationChildInput
{
    /// <summary>氏名 as in the resident register.</summary>
    public string? Name { get; set; }

    /// <summary>生年月日 (yyyy-MM-dd, from a date input).</summary>
    public string? BirthDate { get; set; }
}
