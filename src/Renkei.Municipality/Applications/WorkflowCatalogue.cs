using System.Globalization;
using System.Text.Json;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Business;
using Renkei.Network.Contracts;

namespace Renkei.Municipality.Applications;

/// <summary>
/// One counter procedure decided from linked data (添付書類の省略): the affair it belongs to, the attachments it used to
/// need, the linkages that replace them, and its eligibility rule. Rules are deliberately simple and explicit; each
/// workflow's doc in <see cref="WorkflowCatalogue"/> lists what it simplifies.
/// </summary>
public sealed record WorkflowDefinition(
    string Code,
    string Name,
    string Affair,
    string NoticeTitle,
    IReadOnlyList<AttachmentDefinition> Attachments,
    IReadOnlyList<LinkageStepDefinition> Steps,
    bool BatchByDefault,
    Func<RuleContext, ApplicationDecision> Rule)
{
    public LinkageStepDefinition? Step(string code) => Steps.FirstOrDefault(s => s.Code == code);

    /// <summary>Certified once per applicant (児童手当): a second application while one is examined or approved is refused.</summary>
    public bool OncePerApplicant => Affair == "child-allowance";

    /// <summary>A procedure for children (手当, 保育): it cannot be opened without a member of <see cref="WorkflowCatalogue.ChildRole"/>.</summary>
    public bool ForChildren => Code is WorkflowCatalogue.ChildAllowanceArrival or WorkflowCatalogue.ChildAllowance or WorkflowCatalogue.ChildRearingAllowance
        or WorkflowCatalogue.ChildUpbringingAllowance or WorkflowCatalogue.NurseryAdmission;
}

/// <summary>What a rule decides from: the application, the decision date and the stored answers.</summary>
public sealed class RuleContext(Application application, DateOnly date, Func<IntegratedAddresseeNumber, DateOnly?>? birthDateOf = null)
{
    public Application Application { get; } = application;
    public DateOnly Date { get; } = date;

    /// <summary>The members of <paramref name="role"/>, in the order the application names them.</summary>
    public IReadOnlyList<IntegratedAddresseeNumber> Members(string role) => [.. Application.Members.Where(m => m.Role == role).Select(m => m.Addressee)];

    /// <summary>A person's birth date from the ward's addressee system (null: unknown).</summary>
    public DateOnly? BirthDate(IntegratedAddresseeNumber person) => birthDateOf?.Invoke(person);

    /// <summary>Stops the decision: nothing can be decided for this application as it stands (no notice is made).</summary>
    public static WorkflowException NotDecidable(string code, string message) => new(code, message);

    /// <summary>The applicant and the members concerned, applicant first.</summary>
    public IReadOnlyList<IntegratedAddresseeNumber> Everyone =>
        [Application.Applicant, .. Application.Members.Select(m => m.Addressee).Where(a => a != Application.Applicant)];

    public int CountMembers(string role) => Application.Members.Count(m => m.Role == role);

    /// <summary>The latest answer of <paramref name="step"/> for <paramref name="subject"/> (applicant by default), or null.</summary>
    public LinkageAnswer? Answer(string step, IntegratedAddresseeNumber? subject = null) =>
        Application.Results.LastOrDefault(r => r.Step == step && r.Subject == (subject ?? Application.Applicant) && r.Answered);

    public bool WithLinkage => Application.Results.Where(r => r.Answered).All(r => r.Channel != LinkageChannel.Paper);

    public ApplicationDecision Approve(string summary, long? monthly, IReadOnlyList<string> reasons, int? stage = null, DateOnly? from = null) =>
        new(DecisionOutcome.Approved, summary, monthly, reasons, Date, WithLinkage, stage, from);

    public ApplicationDecision Reject(string summary, IReadOnlyList<string> reasons) =>
        new(DecisionOutcome.Rejected, summary, null, reasons, Date, WithLinkage);
}

/// <summary>Income facts read from a 地方税関係情報 body, whichever system provided it (network copy or the ward's own tax system).</summary>
public sealed record TaxFacts(int FiscalYear, bool Taxable, long TotalIncome, int Dependants)
{
    public static TaxFacts From(JsonElement body)
    {
        long Long(string name) => body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
        var dependants = body.TryGetProperty("dependantsCount", out var d) ? d.GetInt32()
            : body.TryGetProperty("dependants", out var d2) ? d2.GetInt32() : 0;
        var taxable = body.TryGetProperty("taxable", out var t) && t.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? t.GetBoolean()
            : Long("incomeLevy") + Long("perCapitaLevy") > 0;
        return new TaxFacts((int)Long("fiscalYear"), taxable, Long("totalIncome"), dependants);
    }
}

/// <summary>
/// The shipped workflows. Amounts are yen. Every rule names what it simplifies; none of them is the full law.
/// </summary>
public static class WorkflowCatalogue
{
    public const string ChildAllowanceArrival = "child-allowance-arrival";
    public const string NursingCarePremiumArrival = "nursing-care-premium-arrival";
    public const string NhiEnrolment = "nhi-enrolment";
    public const string ChildRearingAllowance = "child-rearing-allowance";
    public const string PublicAssistanceInvestigation = "public-assistance-investigation";
    public const string ChildUpbringingAllowance = "child-upbringing-allowance";
    public const string ChildAllowance = "child-allowance";
    public const string NurseryAdmission = "nursery-admission";

    /// <summary>Role of a member who is a child the benefit is for (支給対象児童).</summary>
    public const string ChildRole = "child";
    /// <summary>Role of any other household member concerned.</summary>
    public const string MemberRole = "member";

    /// <summary>The day the 児童手当 income limit was abolished (令和6年10月分から所得制限撤廃).</summary>
    public static readonly DateOnly ChildAllowanceLimitAbolished = new(2024, 10, 1);

    private static readonly AttachmentDefinition TaxCertificate = new("tax-certificate", "課税（非課税）証明書", "income");

    public static IReadOnlyList<WorkflowDefinition> All { get; } =
    [
        // 児童手当 認定請求 for a family that arrived after 1 January.
        // The children are the members the applicant names (role child); amounts by ChildAllowanceRules (15,000 under 3,
        // 10,000 from 3, 30,000 from the third child counting siblings to 22; paid to the first 31 March after 18).
        // Simplification: 所得 is the 総所得金額等 of the 1 January municipality's assessment compared directly with the
        // limit (no 控除 adjustment). Before 2024-10-01:
        // 所得制限限度額 6,220,000 + 380,000 per dependant → 児童手当; up to 所得上限限度額 8,580,000 + 380,000 per
        // dependant → 特例給付 5,000 per child; above → none. From 2024-10-01 there is no income limit.
        new(ChildAllowanceArrival, "児童手当 認定請求（転入世帯）", "child-allowance", "児童手当認定通知書",
            [new("resident-certificate", "住民票の写し（前住所地）", "previous-resident-record"), TaxCertificate],
            [
                new("previous-resident-record", "前住所地の住民票関係情報", InformationKindCodes.ResidentRecord, ProviderSource.PreviousMunicipality,
                    InstitutionClass.Municipality, StepSubjects.Applicant),
                new("income", "1月1日の住所地の地方税関係情報", InformationKindCodes.LocalTax, ProviderSource.JanuaryFirstMunicipality,
                    InstitutionClass.Municipality, StepSubjects.Applicant),
            ], false, ChildAllowanceRule),

        // 介護保険 第1号被保険者 premium stage for a new arrival, from the 1 January municipality's tax information.
        // Simplifications: the person's own tax status only (the household's status, which separates stages 4–5 from
        // 1–3, is not linked): not taxable → stage 1 (所得 ≤ 800,000), 2 (≤ 1,200,000), 3 (above); taxable → stage 6
        // (所得 < 1,200,000), 7 (< 2,100,000), 8 (< 3,200,000), 9 (above). Annual premium = base 76,800 × the stage's
        // ratio (0.285, 0.485, 0.685, —, —, 1.2, 1.3, 1.5, 1.7), rounded down to 100 yen.
        new(NursingCarePremiumArrival, "介護保険料 所得段階の決定（第1号被保険者・転入）", "nursing-care-insurance", "介護保険料額決定通知書",
            [TaxCertificate],
            [
                new("income", "1月1日の住所地の地方税関係情報", InformationKindCodes.LocalTax, ProviderSource.JanuaryFirstMunicipality,
                    InstitutionClass.Municipality, StepSubjects.Applicant),
            ], false, NursingCareRule),

        // 国民健康保険 資格取得 after leaving employee insurance: the insurer's loss of qualification replaces the 資格喪失証明書.
        // Simplifications: every person concerned must have lost the employee insurance (any reason); NHI starts on the
        // loss date (資格喪失日) of each; the premium is not computed here.
        new(NhiEnrolment, "国民健康保険 資格取得（被用者保険の喪失）", "national-health-insurance", "国民健康保険資格取得決定通知書",
            [new("loss-certificate", "健康保険資格喪失証明書", "insurance-loss")],
            [
                new("insurance-loss", "前保険者の医療保険資格関係情報", HolderInformationKindCodes.HealthInsuranceQualification, ProviderSource.FormerInsurer,
                    InstitutionClass.HealthInsurer, StepSubjects.Everyone),
            ], false, NhiRule),

        // 児童扶養手当 認定請求: pension information from the pension organisation and tax information.
        // Simplifications: 所得 is 総所得金額等 (no 養育費 or 控除 adjustment); 全部支給 when 所得 < 690,000 + 380,000 per
        // dependant: 45,500 for the first child and 10,750 for each further child; 一部支給 when < 2,080,000 + 380,000
        // per dependant, at the minimum partial amounts 10,740 and 5,380 (the sliding scale is not computed); above:
        // rejected. Public pensions are deducted monthly (年金額 ÷ 12, 併給調整); nothing left → rejected (支給停止).
        new(ChildRearingAllowance, "児童扶養手当 認定請求", "child-rearing-allowance", "児童扶養手当認定通知書",
            [new("pension-certificate", "年金証書の写し", "pension"), new("income-certificate", "所得証明書", "income")],
            [
                new("pension", "日本年金機構の年金給付関係情報", HolderInformationKindCodes.PensionBenefit, ProviderSource.PensionOrganisation,
                    InstitutionClass.PensionOrganisation, StepSubjects.Applicant, NotHeldIsAnswer: true),
                new("income", "1月1日の住所地の地方税関係情報", InformationKindCodes.LocalTax, ProviderSource.JanuaryFirstMunicipality,
                    InstitutionClass.Municipality, StepSubjects.Applicant),
            ], false, ChildRearingRule),

        // 生活保護 investigation (資産・収入の調査), several kinds for the whole household in batch queries; what is not held
        // (no tax record, no pension) is itself a finding of the investigation.
        // Simplifications: 最低生活費 = 80,000 for the first person + 40,000 per further person a month; recognised income =
        // (総所得金額等 + public pensions) ÷ 12 summed over the household; income below the minimum → 保護開始 with the
        // difference as the monthly amount; otherwise 却下. The insurer's qualification is recorded (医療扶助) but does not
        // change the amount.
        new(PublicAssistanceInvestigation, "生活保護 資産・収入の調査（一括照会）", "public-assistance", "生活保護開始決定通知書",
            [TaxCertificate, new("pension-certificate", "年金証書の写し", "pension"), new("insurance-card", "健康保険の資格を証する書類", "health-insurance")],
            [
                new("income", "地方税関係情報", InformationKindCodes.LocalTax, ProviderSource.JanuaryFirstMunicipality,
                    InstitutionClass.Municipality, StepSubjects.Everyone, NotHeldIsAnswer: true),
                new("pension", "年金給付関係情報", HolderInformationKindCodes.PensionBenefit, ProviderSource.PensionOrganisation,
                    InstitutionClass.PensionOrganisation, StepSubjects.Everyone, NotHeldIsAnswer: true),
                new("health-insurance", "医療保険資格関係情報", HolderInformationKindCodes.HealthInsuranceQualification, ProviderSource.FormerInsurer,
                    InstitutionClass.HealthInsurer, StepSubjects.Everyone, Optional: true, NotHeldIsAnswer: true),
            ], true, PublicAssistanceRule),

        // 品川区児童育成手当 (育成手当), an ordinance affair: tax information from the ward's own residence tax system through
        // intra-municipality linkage (庁内連携, 品川区番号利用条例). Simplifications: the single-parent condition is the
        // applicant's declaration; 13,500 per child a month; income limit 3,604,000 + 380,000 per dependant on 総所得金額等.
        // The optional network step (前住所地の住民票関係情報) has a policy row only from 2027-04-01.
        new(ChildUpbringingAllowance, "品川区児童育成手当 認定請求", "ord-child-upbringing-allowance", "児童育成手当認定通知書",
            [new("tax-certificate", "住民税課税（非課税）証明書", "income")],
            [
                new("income", "区の個人住民税システムの地方税関係情報（庁内連携）", InformationKindCodes.LocalTax, ProviderSource.OwnWard,
                    InstitutionClass.Municipality, StepSubjects.Applicant, IntraProviderSystem: "individual-residence-tax", IntraInquirerSystem: "child-allowance"),
                new("previous-resident-record", "前住所地の住民票関係情報", InformationKindCodes.ResidentRecord, ProviderSource.PreviousMunicipality,
                    InstitutionClass.Municipality, StepSubjects.Applicant, Optional: true),
            ], false, ChildUpbringingRule),

        // 児童手当 認定請求 for a household that lived in the ward on 1 January: the ward's own residence tax through
        // intra-municipality linkage (庁内連携, 品川区番号利用条例 第4条第3項) replaces the 課税証明書. Same simplified amounts
        // and income limits as the arrival workflow above (no residence check: the register is the ward's own).
        new(ChildAllowance, "児童手当 認定請求", "child-allowance", "児童手当認定通知書",
            [TaxCertificate],
            [
                new("income", "区の個人住民税システムの地方税関係情報（庁内連携）", InformationKindCodes.LocalTax, ProviderSource.OwnWard,
                    InstitutionClass.Municipality, StepSubjects.Applicant, IntraProviderSystem: "individual-residence-tax", IntraInquirerSystem: "child-allowance"),
            ], false, PlainChildAllowanceRule),

        // 保育所等利用申込み (子どものための教育・保育給付 支給認定 and the 利用者負担額), from the 1 January municipality's tax
        // information through the network (別表第二 第116項) instead of the 課税証明書. Simplifications: the need for care
        // (保育を必要とする事由) is the applicant's declaration and every child named is certified for care (保育認定);
        // the fee stage is the applicant's own 市町村民税所得割額 (no spouse, no 調整控除 adjustment): 非課税 or 0 → 第1階層
        // 0円, < 48,600 → 第2階層 19,500円, < 97,000 → 第3階層 30,000円, < 169,000 → 第4階層 44,500円, < 301,000 →
        // 第5階層 61,000円, above → 第6階層 80,000円 a month per child; no sibling reduction and no free care for ages 3–5
        // (the children's ages are not part of the rule). Placement at a nursery (利用調整) is not decided here.
        new(NurseryAdmission, "保育所等利用申込み（教育・保育給付認定）", "childcare-benefit-certification", "教育・保育給付認定通知書（利用者負担額決定）",
            [new("tax-certificate", "課税（非課税）証明書（利用者負担額の算定）", "income")],
            [
                new("income", "1月1日の住所地の地方税関係情報", InformationKindCodes.LocalTax, ProviderSource.JanuaryFirstMunicipality,
                    InstitutionClass.Municipality, StepSubjects.Applicant),
            ], false, NurseryRule),
    ];

    public static WorkflowDefinition? Find(string? code) => All.FirstOrDefault(w => w.Code == code);

    private static string Yen(long amount) => amount.ToString("N0", CultureInfo.InvariantCulture) + "円";

    private static TaxFacts? Tax(RuleContext c, IntegratedAddresseeNumber? subject = null) =>
        c.Answer("income", subject) is { Outcome: LinkageOutcome.Provided, Body: { } body } ? TaxFacts.From(body) : null;

    private static ApplicationDecision ChildAllowanceRule(RuleContext c)
    {
        var reasons = new List<string>();
        // The step is required, so a 該当なし answer never reaches the rule: the paper 住民票 is asked for instead.
        if (c.Answer("previous-resident-record") is { Outcome: LinkageOutcome.Provided, Body: { } rb }
            && rb.TryGetProperty("status", out var st) && st.ValueKind == JsonValueKind.String && st.GetString() is "Resident" or "resident")
            return c.Reject("前住所地から転出していないため却下します", ["前住所地の住民票関係情報: 住民（転出の記録なし）"]);
        reasons.Add("前住所地の住民票関係情報により転入を確認しました");
        return ChildAllowanceAmount(c, reasons, "所得が確認できないため却下します（1月1日の住所地に課税情報がありません）");
    }

    private static ApplicationDecision PlainChildAllowanceRule(RuleContext c) =>
        ChildAllowanceAmount(c, [], "所得が確認できないため却下します（区に課税情報がありません）");

    /// <summary>
    /// The 児童手当 amount for the children the application names (<see cref="ChildAllowanceRules"/>: ages, the third-child
    /// rate counting siblings to 22) and, before 2024-10-01, the simplified income limits. No child paid for: nothing is
    /// decided (<see cref="WorkflowException.Codes.NoEligiblePerson"/>).
    /// </summary>
    private static ApplicationDecision ChildAllowanceAmount(RuleContext c, List<string> reasons, string noTax)
    {
        var children = c.Members(ChildRole).Select(a => (Child: a, Birth: c.BirthDate(a))).ToList();
        if (children.Any(x => x.Birth is null))
            throw RuleContext.NotDecidable(WorkflowException.Codes.NoEligiblePerson, "対象児童の生年月日が宛名システムで確認できないため決定できません");
        var paid = ChildAllowanceRules.Amounts(children.Select(x => x.Birth!.Value), c.Date);
        foreach (var (child, birth) in children)
        {
            var age = Age(birth!.Value, c.Date);
            var amount = paid.FirstOrDefault(p => p.BirthDate == birth);
            reasons.Add(amount.MonthlyAmount > 0
                ? $"宛名番号 {child}（{age}歳）: 第{amount.Order}子 月額{Yen(amount.MonthlyAmount)}"
                : ChildAllowanceRules.CountsForOrder(birth.Value, c.Date)
                    ? $"宛名番号 {child}（{age}歳）: 支給対象外（多子加算の算定に含めます）"
                    : $"宛名番号 {child}（{age}歳）: 支給対象外");
        }
        if (paid.Count == 0)
            throw RuleContext.NotDecidable(WorkflowException.Codes.NoEligiblePerson,
                "支給対象となる児童がいないため決定できません（18歳到達後の最初の3月31日を過ぎた児童は対象外です）。対象児童を確認してください");
        var total = paid.Sum(p => p.MonthlyAmount);
        if (c.Date >= ChildAllowanceLimitAbolished)
        {
            reasons.Add("令和6年10月分以降は所得制限がありません");
            return c.Approve($"児童手当 {paid.Count}人 月額{Yen(total)}", total, reasons);
        }
        var tax = Tax(c);
        if (tax is null) return c.Reject(noTax, reasons);
        reasons.Add($"所得 {Yen(tax.TotalIncome)}（{tax.FiscalYear}年度、扶養親族 {tax.Dependants}人）");
        var limit = 6_220_000L + 380_000L * tax.Dependants;
        var upper = 8_580_000L + 380_000L * tax.Dependants;
        reasons.Add($"所得制限限度額 {Yen(limit)}、所得上限限度額 {Yen(upper)}");
        if (tax.TotalIncome < limit) return c.Approve($"児童手当 {paid.Count}人 月額{Yen(total)}", total, reasons);
        if (tax.TotalIncome < upper) return c.Approve($"特例給付 {paid.Count}人 月額{Yen(5_000L * paid.Count)}", 5_000L * paid.Count, reasons);
        return c.Reject("所得上限限度額以上のため支給しません", reasons);
    }

    private static int Age(DateOnly birth, DateOnly date) => date.Year - birth.Year - (date < birth.AddYears(date.Year - birth.Year) ? 1 : 0);

    /// <summary>The nursery fee stages of the simplified rule: upper bound of 市町村民税所得割額 (exclusive) and the monthly fee per child.</summary>
    private static readonly (long Below, long Fee)[] NurseryStages =
        [(1, 0), (48_600, 19_500), (97_000, 30_000), (169_000, 44_500), (301_000, 61_000), (long.MaxValue, 80_000)];

    /// <summary>The nursery fee stage (1–6) for a 市町村民税所得割額 (0 when not taxable).</summary>
    public static int NurseryStage(long incomeLevy) => Array.FindIndex(NurseryStages, s => incomeLevy < s.Below) + 1;

    private static ApplicationDecision NurseryRule(RuleContext c)
    {
        var children = c.CountMembers(ChildRole);
        if (children == 0) return c.Reject("保育を必要とする子どもがいないため却下します", []);
        if (c.Answer("income") is not { Outcome: LinkageOutcome.Provided, Body: { } body })
            return c.Reject("利用者負担額を決定できません（1月1日の住所地に課税情報がありません。所得の申告が必要です）", ["地方税関係情報: 該当なし"]);
        var tax = TaxFacts.From(body);
        var levy = tax.Taxable && body.TryGetProperty("incomeLevy", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt64() : 0;
        var stage = NurseryStage(levy);
        var fee = NurseryStages[stage - 1].Fee;
        return c.Approve($"保育認定 {children}人 第{stage}階層 利用者負担額 月額{Yen(fee * children)}", fee * children,
            [$"{tax.FiscalYear}年度 {(tax.Taxable ? "課税" : "非課税")}、市町村民税所得割額 {Yen(levy)}", $"第{stage}階層 1人 月額{Yen(fee)}"], stage);
    }

    private static readonly double[] NursingRatios = [0.285, 0.485, 0.685, 0.9, 1.0, 1.2, 1.3, 1.5, 1.7];
    public const long NursingCareBasePremium = 76_800;

    /// <summary>The premium stage (1–9) of the simplified rule in <see cref="All"/>.</summary>
    public static int NursingCareStage(TaxFacts tax) => tax.Taxable
        ? tax.TotalIncome < 1_200_000 ? 6 : tax.TotalIncome < 2_100_000 ? 7 : tax.TotalIncome < 3_200_000 ? 8 : 9
        : tax.TotalIncome <= 800_000 ? 1 : tax.TotalIncome <= 1_200_000 ? 2 : 3;

    private static ApplicationDecision NursingCareRule(RuleContext c)
    {
        var tax = Tax(c);
        if (tax is null) return c.Reject("保険料段階を決定できません（1月1日の住所地に課税情報がありません。所得の申告が必要です）", ["地方税関係情報: 該当なし"]);
        var stage = NursingCareStage(tax);
        var annual = (long)(NursingCareBasePremium * NursingRatios[stage - 1]) / 100 * 100;
        return c.Approve($"第{stage}段階 年額{Yen(annual)}", annual / 12,
            [$"{tax.FiscalYear}年度 {(tax.Taxable ? "課税" : "非課税")}、所得 {Yen(tax.TotalIncome)}", $"基準額 {Yen(NursingCareBasePremium)} × {NursingRatios[stage - 1]}"],
            stage);
    }

    private static ApplicationDecision NhiRule(RuleContext c)
    {
        var reasons = new List<string>();
        DateOnly? from = null;
        foreach (var person in c.Everyone)
        {
            var answer = c.Answer("insurance-loss", person);
            if (answer is null || answer.Outcome != LinkageOutcome.Provided || answer.Body is not { } body)
                return c.Reject("被用者保険の資格喪失が確認できないため却下します", [.. reasons, $"宛名番号 {person}: 前保険者に資格の記録がありません"]);
            var q = CopyBodies.FromJson<HealthInsuranceQualificationBody>(body);
            if (q.LostOn is not { } lost)
                return c.Reject("被用者保険の資格が継続しているため却下します", [.. reasons, $"宛名番号 {person}: 資格喪失の記録がありません"]);
            reasons.Add($"宛名番号 {person}: {lost:yyyy-MM-dd} 資格喪失（保険者 {q.InsurerNumber}）");
            if (from is null || lost < from) from = lost;
        }
        return c.Approve($"国民健康保険 {c.Everyone.Count}人 資格取得", null, reasons, from: from);
    }

    private static long PensionAnnual(RuleContext c, IntegratedAddresseeNumber? subject = null) =>
        c.Answer("pension", subject) is { Outcome: LinkageOutcome.Provided, Body: { } body } ? CopyBodies.FromJson<PensionBenefitBody>(body).TotalAnnualAmount : 0;

    private static ApplicationDecision ChildRearingRule(RuleContext c)
    {
        var children = c.CountMembers(ChildRole);
        if (children == 0) return c.Reject("支給対象児童がいないため却下します", []);
        var tax = Tax(c);
        if (tax is null) return c.Reject("所得が確認できないため却下します", ["地方税関係情報: 該当なし"]);
        var pension = PensionAnnual(c);
        var reasons = new List<string> { $"所得 {Yen(tax.TotalIncome)}（扶養親族 {tax.Dependants}人）", $"公的年金 年額{Yen(pension)}" };
        var full = 690_000L + 380_000L * tax.Dependants;
        var partial = 2_080_000L + 380_000L * tax.Dependants;
        long amount;
        string kind;
        if (tax.TotalIncome < full) { amount = 45_500 + 10_750L * (children - 1); kind = "全部支給"; }
        else if (tax.TotalIncome < partial) { amount = 10_740 + 5_380L * (children - 1); kind = "一部支給"; }
        else return c.Reject("所得制限限度額以上のため支給しません", [.. reasons, $"一部支給の限度額 {Yen(partial)}"]);
        reasons.Add($"{kind}（限度額 全部 {Yen(full)}／一部 {Yen(partial)}）");
        var afterPension = amount - pension / 12;
        if (afterPension <= 0) return c.Reject("公的年金額が手当額以上のため支給停止となります", reasons);
        if (pension > 0) reasons.Add($"年金との併給調整 月額{Yen(pension / 12)}を控除");
        return c.Approve($"児童扶養手当 {kind} 児童{children}人 月額{Yen(afterPension)}", afterPension, reasons);
    }

    private static ApplicationDecision PublicAssistanceRule(RuleContext c)
    {
        var people = c.Everyone;
        var minimum = 80_000L + 40_000L * (people.Count - 1);
        long income = 0;
        var reasons = new List<string>();
        foreach (var person in people)
        {
            var tax = Tax(c, person);
            var pension = PensionAnnual(c, person);
            var monthly = ((tax?.TotalIncome ?? 0) + pension) / 12;
            income += monthly;
            var insurance = c.Answer("health-insurance", person) is { Outcome: LinkageOutcome.Provided, Body: { } b }
                ? CopyBodies.FromJson<HealthInsuranceQualificationBody>(b) is { LostOn: null } ? "被用者保険加入" : "被用者保険喪失"
                : "被用者保険の記録なし";
            reasons.Add($"宛名番号 {person}: 所得 {Yen(tax?.TotalIncome ?? 0)}、年金 年額{Yen(pension)}、{insurance}");
        }
        reasons.Add($"最低生活費 月額{Yen(minimum)}、収入認定額 月額{Yen(income)}");
        return income < minimum
            ? c.Approve($"保護開始 {people.Count}人世帯 扶助額 月額{Yen(minimum - income)}", minimum - income, reasons)
            : c.Reject("収入が最低生活費以上のため却下します", reasons);
    }

    private static ApplicationDecision ChildUpbringingRule(RuleContext c)
    {
        var children = c.CountMembers(ChildRole);
        if (children == 0) return c.Reject("支給対象児童がいないため却下します", []);
        var tax = Tax(c);
        if (tax is null) return c.Reject("所得が確認できないため却下します（区に課税情報がありません）", ["地方税関係情報: 該当なし"]);
        var limit = 3_604_000L + 380_000L * tax.Dependants;
        var reasons = new List<string> { $"所得 {Yen(tax.TotalIncome)}（扶養親族 {tax.Dependants}人）、所得制限限度額 {Yen(limit)}" };
        return tax.TotalIncome < limit
            ? c.Approve($"児童育成手当（育成手当） 児童{children}人 月額{Yen(13_500L * children)}", 13_500L * children, reasons)
            : c.Reject("所得制限限度額以上のため支給しません", reasons);
    }
}
