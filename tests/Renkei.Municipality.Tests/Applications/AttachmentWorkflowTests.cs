using System.Text.Json;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Audit;
using Renkei.Network.Contracts;
using Renkei.TestSupport;

namespace Renkei.Municipality.Tests.Applications;

/// <summary>
/// The six attachment-omission workflows against the real network, J-LIS, two wards' intermediate servers and the
/// holders' intermediate servers (SQLite and PostgreSQL): each decided with no attachment, with provision records at the
/// network and at both parties; a linkage without a policy row for the chosen affair is neither offered nor run.
/// </summary>
public sealed class AttachmentWorkflowTests
{
    private static readonly DateOnly Today = new(2026, 4, 15);
    private static readonly string Ota = ApplicationCountry.Ota;
    private static ApplicationParties FromOta(string? insurer = null) => new(Ota, Ota, insurer);

    private static ApplicationMember Child(ApplicationCountry c, int i) => new(c.AddresseeOf(i), WorkflowCatalogue.ChildRole);
    private static ApplicationMember Member(ApplicationCountry c, int i) => new(c.AddresseeOf(i), WorkflowCatalogue.MemberRole);

    private static LocalTaxBody Tax(long income, int dependants, bool taxable = true) =>
        new(2026, taxable, income, 430_000, Math.Max(0, income - 430_000), taxable ? income / 20 : 0, taxable ? 5_000 : 0, dependants);

    private static async Task<Application> DecideAsync(ApplicationCountry c, string workflow, string affair, int applicant, ApplicationMember[] members,
        ApplicationParties parties, bool batch = false)
    {
        var clerk = c.Clerk(affair);
        var application = c.Workflows.Open(clerk, workflow, c.AddresseeOf(applicant), members, parties, Today, "COUNTER-1");
        Assert.All(application.Attachments, a => Assert.Equal(AttachmentState.Required, a.State));
        var offered = await c.Workflows.OfferedAsync(clerk, workflow, parties, Today);
        Assert.All(offered.Where(o => !o.Step.Optional), o => Assert.True(o.Offered, o.Reason));
        var run = batch
            ? Assert.Single((await c.Workflows.RunBatchLinkageAsync(clerk, [application.Id], Today, terminal: "COUNTER-1")).Applications)
            : await c.Workflows.RunLinkageAsync(clerk, application.Id, Today, terminal: "COUNTER-1");
        Assert.Empty(run.RefusedSteps);
        Assert.Equal(ApplicationStatus.Linked, run.Status);
        c.Workflows.Decide(clerk, application.Id, Today, "COUNTER-1");
        var decided = c.Workflows.Get(clerk, application.Id);
        Assert.Equal(ApplicationStatus.Decided, decided.Status);
        Assert.All(decided.Attachments, a => Assert.Equal(AttachmentState.Omitted, a.State));
        Assert.True(decided.Decision!.WithLinkage);
        return decided;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Six_workflows_are_decided_from_linked_data_with_provision_records_at_the_network_and_both_parties(string provider)
    {
        await using var c = await ApplicationCountry.StartAsync(provider);
        await c.LoadAsync(Ota,
            (0, InformationKindCodes.ResidentRecord, new ResidentRecordBody("0001", 1, [ApplicationCountry.ProviderAddressee(0)], ResidentStatus.MovedOut, null, new DateOnly(2026, 3, 1))),
            (0, InformationKindCodes.LocalTax, Tax(4_000_000, 2)),
            (2, InformationKindCodes.LocalTax, Tax(1_500_000, 0)),
            (5, InformationKindCodes.LocalTax, Tax(500_000, 1)),
            (7, InformationKindCodes.LocalTax, Tax(300_000, 0, taxable: false)));
        await c.LoadAsync(ApplicationCountry.Pension,
            (5, HolderInformationKindCodes.PensionBenefit, new PensionBenefitBody(2026, 240_000,
                [new PensionBenefitItem(PensionType.Disability, PensionScheme.Basic, 2, 240_000, new DateOnly(2020, 5, 1), new DateOnly(2020, 6, 1), null, false, null)])),
            (7, HolderInformationKindCodes.PensionBenefit, new PensionBenefitBody(2026, 600_000,
                [new PensionBenefitItem(PensionType.OldAge, PensionScheme.Basic, null, 600_000, new DateOnly(2019, 4, 1), new DateOnly(2019, 5, 1), null, false, null)])));
        await c.LoadAsync(ApplicationCountry.Insurer,
            (3, HolderInformationKindCodes.HealthInsuranceQualification, new HealthInsuranceQualificationBody(InsurerType.HealthInsuranceSociety, ApplicationCountry.Insurer,
                HealthInsuranceMemberCategory.Insured, new DateOnly(2015, 4, 1), new DateOnly(2026, 4, 1), QualificationLossReason.Retirement)),
            (4, HolderInformationKindCodes.HealthInsuranceQualification, new HealthInsuranceQualificationBody(InsurerType.HealthInsuranceSociety, ApplicationCountry.Insurer,
                HealthInsuranceMemberCategory.Dependant, new DateOnly(2015, 4, 1), new DateOnly(2026, 4, 1), QualificationLossReason.InsuredLost)));
        c.SeedWardTax(3, 2_000_000, 1);

        var childAllowance = await DecideAsync(c, WorkflowCatalogue.ChildAllowanceArrival, "child-allowance", 0, [Child(c, 2)], FromOta());
        Assert.Equal((DecisionOutcome.Approved, 10_000L), (childAllowance.Decision!.Outcome, childAllowance.Decision.MonthlyAmount));

        var nursing = await DecideAsync(c, WorkflowCatalogue.NursingCarePremiumArrival, "nursing-care-insurance", 2, [], FromOta());
        Assert.Equal(7, nursing.Decision!.Stage);

        var nhi = await DecideAsync(c, WorkflowCatalogue.NhiEnrolment, "national-health-insurance", 3, [Member(c, 4)], new ApplicationParties(FormerInsurer: ApplicationCountry.Insurer));
        Assert.Equal((DecisionOutcome.Approved, new DateOnly(2026, 4, 1)), (nhi.Decision!.Outcome, nhi.Decision.EffectiveFrom));

        var rearing = await DecideAsync(c, WorkflowCatalogue.ChildRearingAllowance, "child-rearing-allowance", 5, [Child(c, 6)], FromOta());
        Assert.Equal(45_500L - 20_000L, rearing.Decision!.MonthlyAmount); // full amount less the pension (240,000 / 12)

        var assistance = await DecideAsync(c, WorkflowCatalogue.PublicAssistanceInvestigation, "public-assistance", 7, [Member(c, 4)],
            FromOta(ApplicationCountry.Insurer), batch: true);
        Assert.Equal(120_000L - 75_000L, assistance.Decision!.MonthlyAmount);
        Assert.All(assistance.Results, r => Assert.Equal(LinkageChannel.Batch, r.Channel));
        Assert.Equal(6, assistance.Results.Count); // three kinds for two people

        var upbringing = await DecideAsync(c, WorkflowCatalogue.ChildUpbringingAllowance, "ord-child-upbringing-allowance", 3, [Child(c, 4)], FromOta());
        Assert.Equal(13_500L, upbringing.Decision!.MonthlyAmount);
        Assert.Equal(LinkageChannel.IntraMunicipal, Assert.Single(upbringing.Results).Channel);

        // Every network answer carries its provenance and is recorded at the network, at the ward and at the provider.
        var networkAnswers = new[] { childAllowance, nursing, nhi, rearing, assistance }.SelectMany(a => a.Results).ToList();
        Assert.Equal(2 + 1 + 2 + 2 + 6, networkAnswers.Count);
        var records = c.NetworkRecords().ToDictionary(r => r.Sequence, r => r.Payload);
        var wardRecords = (await c.WardIntermediate.RecordsAsync(new PartyRecordQuery(TestData.Shinagawa.Digits))).Records;
        foreach (var answer in networkAnswers)
        {
            Assert.NotNull(answer.Provider);
            var record = records[answer.NetworkRecordSequence!.Value];
            Assert.Equal(TestData.Shinagawa.Digits, record.GetProperty("inquirer").GetString());
            Assert.Equal(answer.Provider, record.GetProperty("provider").GetString());
            Assert.Equal(answer.Kind, record.GetProperty("kind").GetString());
            var wardRecord = Assert.Single(wardRecords, r => r.Sequence == answer.PartyRecordSequence);
            Assert.Equal((PartyRole.Inquirer, answer.Subject.ToInt64(), answer.Kind), (wardRecord.Role, wardRecord.AddresseeNumber!.Value, wardRecord.Kind));
            // Asked for the clerk at the counter, immediate or in a batch: the ward's record names the clerk and the terminal.
            Assert.Equal((c.Clerk(wardRecord.Affair).StaffId.Value, "COUNTER-1"), (wardRecord.Staff, wardRecord.Terminal));
            var providerRecords = (await c.Providers[answer.Provider!].RecordsAsync(new PartyRecordQuery(answer.Provider!))).Records;
            Assert.Contains(providerRecords, r => r.Role == PartyRole.Provider && r.Kind == answer.Kind && r.Inquirer == TestData.Shinagawa.Digits
                && (answer.Channel == LinkageChannel.Batch || r.RequestId == answer.RequestId));
            if (answer.Outcome == LinkageOutcome.Provided) Assert.Equal(new DateOnly(2026, 1, 1), answer.AsOf);
        }

        // The notice uses the Japanese era and names the omitted attachments; nothing in it or the log is a number.
        var notice = c.Workflows.ExportNotice(c.Clerk("child-allowance"), childAllowance.Id);
        Assert.Contains("令和8年4月15日", notice.Text);
        Assert.Contains("課税（非課税）証明書", notice.Text);
        Assert.Equal(childAllowance.Id, JsonDocument.Parse(notice.Json).RootElement.GetProperty("applicationId").GetInt64());
        var numbers = Enumerable.Range(0, ApplicationCountry.Residents).Select(i => c.Register.FindByCode(TestData.Code(i))!.IndividualNumber!.Value.Digits).ToList();
        Assert.All(numbers, n => Assert.DoesNotContain(n, notice.Text + notice.Json));

        // The printed notice: addressed by the register's name and address, 文書番号, 品川区長 and the 公印 area, the amount, the 教示.
        var applicant = c.Register.FindByCode(TestData.Code(0))!;
        var pdfBytes = notice.ToPdf();
        if (provider == "sqlite") DocumentSamples.Save("decision-notice", pdfBytes);
        var pdf = PdfText.Read(pdfBytes);
        Assert.Contains(applicant.Name.Full + "　様", pdf);
        Assert.Contains(applicant.Address, pdf);
        Assert.DoesNotContain("宛名番号 " + c.AddresseeOf(0).Digits, pdf); // addressed by name, not by the applicant's addressee number
        Assert.Matches(@"品子発第\d+号", pdf);
        Assert.Equal(notice.DocumentNumber, System.Text.RegularExpressions.Regex.Match(pdf, @"品子発第\d+号").Value);
        Assert.Contains("令和8年4月15日", pdf);
        Assert.Contains("品川区長", pdf);
        Assert.Contains("児童手当認定通知書", pdf);
        Assert.Contains(childAllowance.Decision!.MonthlyAmount!.Value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + "円", pdf);
        Assert.Contains("品川区長に対して審査請求", pdf);
        Assert.Contains("3か月以内", pdf);
        Assert.Contains("品川区を被告として", pdf);
        Assert.Contains("6か月以内", pdf);
        Assert.Contains("課税（非課税）証明書", pdf);
        Assert.All(numbers, n => Assert.False(pdf.Contains(n, StringComparison.Ordinal), "a number is printed on the notice"));
        // Exported again: the same 文書番号; another application's notice: the next one of the fiscal year.
        Assert.Equal(notice.DocumentNumber, c.Workflows.ExportNotice(c.Clerk("child-allowance"), childAllowance.Id).DocumentNumber);
        var rearingNotice = c.Workflows.ExportNotice(c.Clerk("child-rearing-allowance"), rearing.Id);
        Assert.NotEqual(notice.DocumentNumber, rearingNotice.DocumentNumber);
        Assert.StartsWith("品子発第", rearingNotice.DocumentNumber);
        var log = c.Entries();
        Assert.Contains(log, e => e.Entry.Action == OperationAction.Export && e.Entry.SubjectAddresseeNumber == c.AddresseeOf(0).ToInt64());
        Assert.Equal(networkAnswers.Count, log.Count(e => e.Entry.Action == OperationAction.LinkageRequested && e.Entry.Detail!.StartsWith("情報照会", StringComparison.Ordinal)));
        Assert.Equal(6, log.Count(e => e.Entry.Action == OperationAction.Change && e.Entry.Detail!.StartsWith("決定", StringComparison.Ordinal)));
        Assert.All(log, e => Assert.All(numbers, n => Assert.DoesNotContain(n, e.Entry.Detail ?? "")));

        // Dashboard: every decision used linkage only; omitted attachments counted per affair.
        var dashboard = c.Workflows.Dashboard();
        var counterOnly = new[] { WorkflowCatalogue.ChildAllowance, WorkflowCatalogue.NurseryAdmission }; // not exercised here
        Assert.All(dashboard.Usage.Where(u => !counterOnly.Contains(u.Workflow)),
            u => Assert.Equal((1L, 1L, 1.0), (u.Decided, u.DecidedWithLinkage, u.UsageRate!.Value)));
        Assert.All(dashboard.Usage.Where(u => counterOnly.Contains(u.Workflow)), u => Assert.Equal((0L, (double?)null), (u.Decided, u.UsageRate)));
        Assert.Equal(3, dashboard.OmittedAttachments.Where(a => a.Affair == "public-assistance").Sum(a => a.Omitted));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Not_held_asks_for_the_paper_a_decision_is_confirmed_before_it_is_made_and_a_correction_keeps_both_versions(string provider)
    {
        await using var c = await ApplicationCountry.StartAsync(provider);
        // 大田区 holds the applicant's tax information but no resident record: linkage answers 該当なし for it.
        await c.LoadAsync(Ota, (0, InformationKindCodes.LocalTax, Tax(4_000_000, 2)),
            (4, InformationKindCodes.ResidentRecord, new ResidentRecordBody("0002", 1, [ApplicationCountry.ProviderAddressee(4)], ResidentStatus.MovedOut, null, new DateOnly(2026, 3, 1))),
            (4, InformationKindCodes.LocalTax, Tax(3_000_000, 1)));
        var clerk = c.Clerk("child-allowance");

        // A procedure for children is not opened without a child.
        var noChild = Assert.Throws<WorkflowException>(() => c.Workflows.Open(clerk, WorkflowCatalogue.ChildAllowanceArrival, c.AddresseeOf(0),
            [Member(c, 1)], FromOta(), Today, "COUNTER-1"));
        Assert.Equal(WorkflowException.Codes.NoChildNamed, noChild.Code);

        // Two 17-year-olds (paid until the first 31 March after 18).
        var application = c.Workflows.Open(clerk, WorkflowCatalogue.ChildAllowanceArrival, c.AddresseeOf(0), [Child(c, 2), Child(c, 3)], FromOta(), Today, "COUNTER-1");
        var run = await c.Workflows.RunLinkageAsync(clerk, application.Id, Today, terminal: "COUNTER-1");
        Assert.Equal(ApplicationStatus.Open, run.Status);
        var linked = c.Workflows.Get(clerk, application.Id);
        Assert.Equal(AttachmentState.Required, linked.Attachments.Single(a => a.Code == "resident-certificate").State); // 該当なし confirms nothing
        Assert.Equal(AttachmentState.Omitted, linked.Attachments.Single(a => a.Code == "tax-certificate").State);
        var paperNeeded = Assert.Throws<WorkflowException>(() => c.Workflows.Preview(clerk, application.Id, Today, "COUNTER-1"));
        Assert.Equal(WorkflowException.Codes.PaperNeeded, paperNeeded.Code);
        Assert.Contains("住民票の写し（前住所地）", paperNeeded.Message, StringComparison.Ordinal);
        Assert.Equal(WorkflowException.Codes.PaperNeeded, Assert.Throws<WorkflowException>(() => c.Workflows.Decide(clerk, application.Id, Today, "COUNTER-1")).Code);

        // The resident brings the paper: now the rule's result is shown first, and nothing is decided until confirmed.
        c.Workflows.RecordPaperAttachment(clerk, application.Id, "resident-certificate", c.AddresseeOf(0),
            JsonSerializer.SerializeToElement(new { status = "movedOut", movedOutOn = "2026-03-01" }));
        var preview = c.Workflows.Preview(clerk, application.Id, Today, "COUNTER-1");
        Assert.Equal((DecisionOutcome.Approved, 20_000L), (preview.Outcome, preview.MonthlyAmount));
        Assert.Equal(ApplicationStatus.Linked, c.Workflows.Get(clerk, application.Id).Status);
        var decided = c.Workflows.Decide(clerk, application.Id, Today, "COUNTER-1");
        Assert.Equal((preview.Summary, 1), (decided.Summary, decided.Version));

        // 更正: a reason is required; the corrected decision is the one in force, the first is kept whole.
        Assert.Equal(WorkflowException.Codes.InvalidInput, Assert.Throws<WorkflowException>(() => c.Workflows.Correct(clerk, application.Id, Today, " ", "COUNTER-1")).Code);
        var corrected = c.Workflows.Correct(clerk, application.Id, Today.AddDays(1), "添付書類の再確認による更正", "COUNTER-1");
        Assert.Equal((2, "添付書類の再確認による更正"), (corrected.Version, corrected.CorrectionReason));
        var inForce = c.Workflows.Get(clerk, application.Id).Decision!;
        Assert.Equal((2, Today.AddDays(1)), (inForce.Version, inForce.DecidedOn));
        var earlier = Assert.Single(c.Workflows.Store.DecisionHistory(application.Id));
        Assert.Equal((1, Today, decided.Summary, clerk.StaffId.Value, "添付書類の再確認による更正"),
            (earlier.Decision.Version, earlier.Decision.DecidedOn, earlier.Decision.Summary, earlier.SupersededBy, earlier.Reason));
        Assert.Contains(c.Entries(), e => e.Entry.Detail == $"更正 第2版 認定 申請番号 {application.Id}");

        // Only adults named as children: nothing is decided, and the refusal is logged.
        var adults = c.Workflows.Open(clerk, WorkflowCatalogue.ChildAllowanceArrival, c.AddresseeOf(4), [Child(c, 5)], FromOta(), Today, "COUNTER-1");
        Assert.Equal(ApplicationStatus.Linked, (await c.Workflows.RunLinkageAsync(clerk, adults.Id, Today, terminal: "COUNTER-1")).Status);
        var nobody = Assert.Throws<WorkflowException>(() => c.Workflows.Decide(clerk, adults.Id, Today, "COUNTER-1"));
        Assert.Equal(WorkflowException.Codes.NoEligiblePerson, nobody.Code);
        Assert.Null(c.Workflows.Get(clerk, adults.Id).Decision);
        Assert.Contains(c.Entries(), e => e.Entry.Result == OperationResult.Refused && e.Entry.Detail == $"決定 拒否 no-eligible-person 申請番号 {adults.Id}");

        // 児童手当 is certified once: a second application names the first, whether approved or still being examined.
        var approved = Assert.Throws<WorkflowException>(() => c.Workflows.Open(clerk, WorkflowCatalogue.ChildAllowance, c.AddresseeOf(0), [Child(c, 2)],
            new ApplicationParties(), Today, "COUNTER-1"));
        Assert.Equal(WorkflowException.Codes.DuplicateApplication, approved.Code);
        Assert.Contains($"認定済みです（申請番号 {application.Id}）", approved.Message, StringComparison.Ordinal);
        var pending = Assert.Throws<WorkflowException>(() => c.Workflows.Open(clerk, WorkflowCatalogue.ChildAllowanceArrival, c.AddresseeOf(4), [Child(c, 6)],
            FromOta(), Today, "COUNTER-1"));
        Assert.Contains($"申請番号 {adults.Id}", pending.Message, StringComparison.Ordinal);
        Assert.Contains(c.Entries(), e => e.Entry.Result == OperationResult.Refused && e.Entry.Detail == "申請受付 拒否 duplicate-application 児童手当 認定請求");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_linkage_without_a_policy_row_for_the_chosen_affair_is_not_offered_and_is_refused_and_logged(string provider)
    {
        await using var c = await ApplicationCountry.StartAsync(provider);
        c.SeedWardTax(3, 2_000_000, 0);

        // 品川区児童育成手当: the network's resident-record row for this ordinance affair starts only on 2027-04-01.
        var clerk = c.Clerk("ord-child-upbringing-allowance");
        var application = c.Workflows.Open(clerk, WorkflowCatalogue.ChildUpbringingAllowance, c.AddresseeOf(3), [Child(c, 4)], FromOta(), Today);
        var offered = await c.Workflows.OfferedAsync(clerk, WorkflowCatalogue.ChildUpbringingAllowance, FromOta(), Today);
        Assert.True(offered.Single(o => o.Step.Code == "income").Offered);
        var notOffered = offered.Single(o => o.Step.Code == "previous-resident-record");
        Assert.False(notOffered.Offered);
        Assert.Contains("no-policy-row", notOffered.Reason);
        Assert.True((await c.Workflows.OfferedAsync(clerk, WorkflowCatalogue.ChildUpbringingAllowance, FromOta(), new DateOnly(2027, 4, 1)))
            .Single(o => o.Step.Code == "previous-resident-record").Offered);

        var refused = await Assert.ThrowsAsync<WorkflowException>(() =>
            c.Workflows.RunLinkageAsync(clerk, application.Id, Today, ["previous-resident-record"], "COUNTER-2"));
        Assert.Equal(WorkflowException.Codes.LinkageNotPermitted, refused.Code);
        Assert.Contains("ord-child-upbringing-allowance", refused.Message);
        var entry = c.Entries().Last().Entry;
        Assert.Equal((OperationAction.LinkageRefused, OperationResult.Refused, "COUNTER-2", c.AddresseeOf(3).ToInt64()),
            (entry.Action, entry.Result, entry.Terminal, entry.SubjectAddresseeNumber!.Value));
        Assert.Contains("no-policy-row", entry.Detail);
        Assert.Empty(c.NetworkRecords()); // nothing was asked of the network

        // A nursing-care clerk cannot work a child-allowance application at all.
        var wrong = Assert.Throws<WorkflowException>(() => c.Workflows.Open(c.NursingClerk(), WorkflowCatalogue.ChildAllowanceArrival, c.AddresseeOf(0),
            [Child(c, 1)], FromOta(), Today));
        Assert.Equal(WorkflowException.Codes.AffairMismatch, wrong.Code);

        // Deciding before the information is there is refused; a paper certificate makes it a decision without linkage.
        Assert.Equal(WorkflowException.Codes.LinkageIncomplete,
            Assert.Throws<WorkflowException>(() => c.Workflows.Decide(clerk, application.Id, Today)).Code);
        c.Workflows.RecordPaperAttachment(clerk, application.Id, "tax-certificate", c.AddresseeOf(3), CopyBodies.ToJson(Tax(5_000_000, 0)));
        var decision = c.Workflows.Decide(clerk, application.Id, Today);
        Assert.Equal((DecisionOutcome.Rejected, false), (decision.Outcome, decision.WithLinkage));
        var usage = c.Workflows.Dashboard().Usage.Single(u => u.Workflow == WorkflowCatalogue.ChildUpbringingAllowance);
        Assert.Equal((1L, 0L, 0.0), (usage.Decided, usage.DecidedWithLinkage, usage.UsageRate!.Value));
        Assert.Equal(AttachmentState.Submitted, c.Workflows.Store.Find(application.Id)!.Attachments.Single().State);
    }
}
