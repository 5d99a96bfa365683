namespace Renkei.Core.Pia;

/// <summary>
/// Which assessments a specific-personal-information file (特定個人情報ファイル) needs before it is held (特定個人情報保護評価):
/// decided by its number of people, its number of handlers and serious incidents in the past year (<see cref="AssessmentThresholds"/>).
/// </summary>
public enum AssessmentLevel
{
    /// <summary>評価の実施は義務付けられない (fewer than 1,000 people).</summary>
    None,
    /// <summary>基礎項目評価 (しきい値評価) only.</summary>
    Basic,
    /// <summary>基礎項目評価 and 重点項目評価.</summary>
    BasicPriority,
    /// <summary>基礎項目評価 and 全項目評価 (with public comment and third-party review).</summary>
    BasicFull,
}

/// <summary>Stable codes (CLI, JSON) and Japanese names of <see cref="AssessmentLevel"/>.</summary>
public static class AssessmentLevels
{
    public static string Code(this AssessmentLevel level) => level switch
    {
        AssessmentLevel.None => "none",
        AssessmentLevel.Basic => "basic",
        AssessmentLevel.BasicPriority => "basic+priority",
        AssessmentLevel.BasicFull => "basic+full",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>The level whose <see cref="Code"/> is <paramref name="code"/>, or null.</summary>
    public static AssessmentLevel? FromCode(string? code) =>
        Enum.GetValues<AssessmentLevel>().Cast<AssessmentLevel?>().FirstOrDefault(l => l!.Value.Code() == code);

    public static string Japanese(this AssessmentLevel level) => level switch
    {
        AssessmentLevel.None => "評価の実施は義務付けられない",
        AssessmentLevel.Basic => "基礎項目評価",
        AssessmentLevel.BasicPriority => "基礎項目評価及び重点項目評価",
        AssessmentLevel.BasicFull => "基礎項目評価及び全項目評価",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>What follows when a file's figures call for <paramref name="computed"/> and its published assessment declares <paramref name="declared"/>, in Japanese.</summary>
    public static string FollowUp(AssessmentLevel computed, AssessmentLevel declared) =>
        computed > declared
            ? $"宣言した評価（{declared.Japanese()}）を超えています。{computed.Japanese()}を実施し、評価書を再提出してください。"
            : computed < declared
                ? computed == AssessmentLevel.None
                    ? "現在の数値では評価の実施は義務付けられません（宣言した評価はそれ以上のため、そのままで問題ありません）。"
                    : $"現在の数値では{computed.Japanese()}で足ります（宣言した評価はそれ以上のため、そのままで問題ありません）。"
                : "宣言した評価のとおりです。";

    /// <summary>A stable code for programs: <c>reassess</c> (re-assess before going on, 再評価が必要), <c>above-need</c> or <c>ok</c>.</summary>
    public static string FollowUpCode(AssessmentLevel computed, AssessmentLevel declared) =>
        computed > declared ? "reassess" : computed < declared ? "above-need" : "ok";
}

/// <summary>
/// The threshold decision (しきい値判断) of seed 001 資料1-3 (its flow chart and question sheet, around lines 1320–1849) and
/// DESIGN.md §3, with n the file's 対象人数, h its 取扱者数 (staff and contractors who handle it) and e a serious incident
/// (漏えい等の重大事故) within the past year:
/// <list type="bullet">
/// <item>n &lt; 1,000: none;</item>
/// <item>1,000 ≤ n &lt; 10,000: basic;</item>
/// <item>10,000 ≤ n &lt; 100,000: basic, plus priority if h ≥ 500 or e;</item>
/// <item>100,000 ≤ n &lt; 300,000: basic plus priority, or basic plus full if h ≥ 500 or e;</item>
/// <item>n ≥ 300,000: basic plus full.</item>
/// </list>
/// The bands are parameters so a test can shift them (a small generated register standing for 300,000 people); the
/// defaults are the law's.
/// </summary>
public sealed record AssessmentThresholds(long Basic = 1_000, long Priority = 10_000, long Full = 100_000, long AlwaysFull = 300_000, long Handlers = 500)
{
    /// <summary>The thresholds of the rules in force.</summary>
    public static AssessmentThresholds Law { get; } = new();

    /// <summary>The assessments a file with <paramref name="people"/>, <paramref name="handlers"/> and <paramref name="seriousIncident"/> needs.</summary>
    /// <exception cref="ArgumentOutOfRangeException">a negative count.</exception>
    public AssessmentLevel Decide(long people, long handlers, bool seriousIncident)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(people);
        ArgumentOutOfRangeException.ThrowIfNegative(handlers);
        var higherRisk = handlers >= Handlers || seriousIncident;
        if (people < Basic) return AssessmentLevel.None;
        if (people < Priority) return AssessmentLevel.Basic;
        if (people < Full) return higherRisk ? AssessmentLevel.BasicPriority : AssessmentLevel.Basic;
        if (people < AlwaysFull) return higherRisk ? AssessmentLevel.BasicFull : AssessmentLevel.BasicPriority;
        return AssessmentLevel.BasicFull;
    }
}
