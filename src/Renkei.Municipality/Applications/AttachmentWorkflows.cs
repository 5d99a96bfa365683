using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Renkei.Core.Numbers;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Audit;
using Renkei.Municipality.IntraLinkage;
using Renkei.Municipality.Staff;
using Renkei.Network.Contracts;

namespace Renkei.Municipality.Applications;

/// <summary>Settings of <see cref="AttachmentWorkflows"/>.</summary>
public sealed record AttachmentWorkflowOptions
{
    /// <summary>The pension organisation's institution code on the network (日本年金機構).</summary>
    public string PensionOrganisation { get; init; } = "JPS001";

    /// <summary>How often a batch query is polled, and how long at most it is waited for.</summary>
    public TimeSpan BatchPollInterval { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan BatchTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Who issues decision notices (the ward and its head, e.g. 品川区 / 品川区長); null: the notice names the ward by its code.</summary>
    public NoticeIssuer? Issuer { get; init; }
}

/// <summary>
/// Applications decided from linked data instead of attachments (添付書類の省略), for the ward's staff: open an application,
/// see which attachments linkage replaces and which linkages are offered (only those the network publishes a policy row
/// for in the staff member's chosen affair that day, asked through the ward's intermediate server — the ward never reads
/// the network's files), run the linkages (immediate, or batch for many applications), decide by the workflow's rule and
/// export a decision notice. Every step is written to the operation log by addressee number, refusals too.
/// The staff member must be acting in the workflow's affair.
/// </summary>
public sealed class AttachmentWorkflows
{
    private readonly AddresseeSystem _addressee;
    private readonly IIntermediateLinkageClient _intermediate;
    private readonly IntraMunicipalLinkage? _intra;
    private readonly OperationRecorder _recorder;
    private readonly AttachmentWorkflowOptions _options;
    private Certificates.DocumentNumbering? _numbering;

    public AttachmentWorkflows(ApplicationStore store, AddresseeSystem addressee, LocalGovernmentCode ward, IIntermediateLinkageClient intermediate,
        IntraMunicipalLinkage? intra = null, AttachmentWorkflowOptions? options = null)
    {
        Store = store;
        _addressee = addressee;
        Ward = ward;
        _intermediate = intermediate;
        _intra = intra;
        _recorder = addressee.Recorder;
        _options = options ?? new AttachmentWorkflowOptions();
        Store.EnsureSchema();
    }

    public ApplicationStore Store { get; }
    public LocalGovernmentCode Ward { get; }
    public IReadOnlyList<WorkflowDefinition> Workflows => WorkflowCatalogue.All;

    // ---------------------------------------------------------------- applications

    /// <summary>Opens an application (受付) for <paramref name="applicant"/> and the members concerned; logged as a change.</summary>
    public Application Open(StaffSession session, string workflowCode, IntegratedAddresseeNumber applicant, IReadOnlyList<ApplicationMember> members,
        ApplicationParties parties, DateOnly receivedOn, string? terminal = null)
    {
        var workflow = WorkflowCatalogue.Find(workflowCode)
            ?? throw new WorkflowException(WorkflowException.Codes.UnknownWorkflow, "unknown workflow (手続が見つかりません)");
        RequireAffair(session, workflow, applicant, terminal);
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(parties);
        foreach (var person in members.Select(m => m.Addressee).Prepend(applicant))
            if (_addressee.Find(person) is null)
                throw new WorkflowException(WorkflowException.Codes.UnknownAddressee, "an addressee number is not registered (団体内統合宛名番号が登録されていません)");
        if (members.Select(m => m.Addressee).Distinct().Count() != members.Count || members.Any(m => m.Addressee == applicant))
            throw new WorkflowException(WorkflowException.Codes.InvalidInput, "members: each person once, the applicant not among them (対象者が重複しています)");
        if (members.Any(m => string.IsNullOrWhiteSpace(m.Role) || m.Role.Length > 32))
            throw new WorkflowException(WorkflowException.Codes.InvalidInput, "members: a role is 1–32 characters (続柄区分が正しくありません)");
        if (workflow.ForChildren && members.All(m => m.Role != WorkflowCatalogue.ChildRole))
            throw new WorkflowException(WorkflowException.Codes.NoChildNamed, "members: name at least one child (対象児童を選んでください)");
        CheckCode(parties.PreviousMunicipality, "previousMunicipality");
        CheckCode(parties.JanuaryFirstMunicipality, "januaryFirstMunicipality");
        CheckCode(parties.FormerInsurer, "formerInsurer");
        long id;
        try
        {
            id = Store.Insert(workflow, applicant, members, parties, receivedOn, session.StaffId.Value, _options.Clock.GetUtcNow());
        }
        catch (WorkflowException refused)
        {
            _recorder.Record(session, terminal, applicant, OperationAction.Change, OperationResult.Refused, $"申請受付 拒否 {refused.Code} {workflow.Name}");
            throw;
        }
        _recorder.Record(session, terminal, applicant, OperationAction.Change, OperationResult.Success,
            $"申請受付 {workflow.Name} 申請番号 {id} 対象者 {members.Count + 1}人");
        return Store.Find(id)!;
    }

    /// <summary>An application, logged as a view.</summary>
    public Application Get(StaffSession session, long applicationId, string? terminal = null)
    {
        var (application, _) = Load(session, applicationId, terminal);
        _recorder.Record(session, terminal, application.Applicant, OperationAction.View, OperationResult.Success, $"申請閲覧 申請番号 {application.Id}");
        return application;
    }

    /// <summary>Applications of the staff member's chosen affair (a search, logged).</summary>
    public IReadOnlyList<Application> List(StaffSession session, ApplicationQuery query, string? terminal = null)
    {
        if (session.ChosenAffair is null)
            throw new WorkflowException(WorkflowException.Codes.NoAffairChosen, "choose an affair first (事務を選択してください)");
        var list = Store.List(query).Where(a => a.Affair == session.ChosenAffair).ToList();
        _recorder.Record(session, terminal, query.Applicant, OperationAction.Search, OperationResult.Success, $"申請一覧 {list.Count}件");
        return list;
    }

    // ---------------------------------------------------------------- what is offered

    /// <summary>
    /// The workflow's linkages as offered to <paramref name="session"/> on <paramref name="date"/>: offered only where the
    /// network publishes a row for the chosen affair, the step's provider class and kind (asked through the ward's
    /// intermediate server), or, inside the ward, where the ordinance table has a row.
    /// </summary>
    public async Task<IReadOnlyList<OfferedLinkage>> OfferedAsync(StaffSession session, string workflowCode, ApplicationParties parties, DateOnly date,
        CancellationToken cancellationToken = default)
    {
        var workflow = WorkflowCatalogue.Find(workflowCode)
            ?? throw new WorkflowException(WorkflowException.Codes.UnknownWorkflow, "unknown workflow (手続が見つかりません)");
        if (session.ChosenAffair is not { } affair)
            throw new WorkflowException(WorkflowException.Codes.NoAffairChosen, "choose an affair first (事務を選択してください)");
        IReadOnlyList<PublishedPolicyRow>? rows = null;
        if (workflow.Steps.Any(s => s.Source != ProviderSource.OwnWard))
        {
            try
            {
                rows = (await _intermediate.PolicyAsync(new NodePolicyRequest(Ward.Digits, affair, date), cancellationToken)).Rows;
            }
            catch (Exception e) when (e is IntermediateException or HttpRequestException or TaskCanceledException)
            {
                throw new WorkflowException(WorkflowException.Codes.IntermediateUnavailable,
                    "the network's policy could not be asked through the intermediate server (中間サーバー経由で連携ポリシーを取得できません)");
            }
        }
        return workflow.Steps.Select(step => Offer(step, affair, parties, date, rows)).ToList();
    }

    private OfferedLinkage Offer(LinkageStepDefinition step, string affair, ApplicationParties parties, DateOnly date, IReadOnlyList<PublishedPolicyRow>? rows)
    {
        if (step.Source == ProviderSource.OwnWard)
        {
            if (_intra is null) return new OfferedLinkage(step, false, step.IntraProviderSystem, null, null, "庁内連携が設定されていません");
            var decision = _intra.Policy.Check(step.IntraInquirerSystem!, affair, step.IntraProviderSystem!, step.Kind, date);
            return new OfferedLinkage(step, decision.Allowed, step.IntraProviderSystem, null, decision.Rule?.Article,
                decision.Allowed ? null : $"庁内連携の条例に該当する行がありません（{decision.ReasonCode}）");
        }
        var row = rows?.FirstOrDefault(r => r.ProviderClass == step.ProviderClass && r.Kind == step.Kind);
        var provider = ProviderOf(step, parties);
        if (row is null)
            return new OfferedLinkage(step, false, provider, null, null,
                "選択中の事務について、この情報の照会を認める別表第二・条例の行がありません（no-policy-row）");
        return new OfferedLinkage(step, true, provider, row.RowId, row.Source, provider is null ? "照会先の機関が申請に記録されていません" : null);
    }

    private string? ProviderOf(LinkageStepDefinition step, ApplicationParties parties) => step.Source switch
    {
        ProviderSource.PreviousMunicipality => parties.PreviousMunicipality,
        ProviderSource.JanuaryFirstMunicipality => parties.JanuaryFirstMunicipality ?? parties.PreviousMunicipality,
        ProviderSource.PensionOrganisation => _options.PensionOrganisation,
        ProviderSource.FormerInsurer => parties.FormerInsurer,
        _ => null,
    };

    // ---------------------------------------------------------------- linkage

    /// <summary>
    /// Runs the application's linkages now (即時照会, or 庁内連携 for the ward's own systems): <paramref name="steps"/>, or
    /// every offered step. A step named explicitly that is not offered is refused (logged) with
    /// <see cref="WorkflowException.Codes.LinkageNotPermitted"/>; without names, required steps that are not offered are
    /// logged as refused and listed in <see cref="LinkageRun.RefusedSteps"/>. Resending after a failure reuses the request
    /// ids, so nothing is asked or recorded twice.
    /// </summary>
    public async Task<LinkageRun> RunLinkageAsync(StaffSession session, long applicationId, DateOnly date, IReadOnlyList<string>? steps = null,
        string? terminal = null, CancellationToken cancellationToken = default)
    {
        var (application, workflow) = Load(session, applicationId, terminal);
        RequireOpen(application);
        var (run, refused) = await PlanAsync(session, application, workflow, date, steps, terminal, cancellationToken);
        var answers = new List<LinkageAnswer>();
        foreach (var (step, provider, offered) in run)
            foreach (var subject in Subjects(application, step))
                answers.Add(step.Source == ProviderSource.OwnWard
                    ? Intra(session, application, step, subject, date, terminal)
                    : await ImmediateAsync(session, application, step, provider!, subject, date, terminal, cancellationToken));
        return Save(application, workflow, answers, refused);
    }

    /// <summary>
    /// Runs the linkages of many applications of one workflow as batch queries (一括照会): one batch per step and provider
    /// with every person concerned, polled until complete. Intra-municipality steps are asked one by one.
    /// </summary>
    public async Task<BatchLinkageRun> RunBatchLinkageAsync(StaffSession session, IReadOnlyList<long> applicationIds, DateOnly date,
        IReadOnlyList<string>? steps = null, string? terminal = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(applicationIds);
        if (applicationIds.Count == 0 || applicationIds.Distinct().Count() != applicationIds.Count)
            throw new WorkflowException(WorkflowException.Codes.InvalidInput, "applicationIds: one or more, each once (申請番号を指定してください)");
        var loaded = applicationIds.Select(id => Load(session, id, terminal)).ToList();
        var workflow = loaded[0].Workflow;
        if (loaded.Any(l => l.Workflow.Code != workflow.Code))
            throw new WorkflowException(WorkflowException.Codes.InvalidInput, "applicationIds: a batch is for one procedure (一括照会は同じ手続の申請に限ります)");
        foreach (var (application, _) in loaded) RequireOpen(application);

        var answers = loaded.ToDictionary(l => l.Application.Id, _ => new List<LinkageAnswer>());
        var refusedSteps = loaded.ToDictionary(l => l.Application.Id, _ => (IReadOnlyList<string>)[]);
        var plans = new List<(Application Application, LinkageStepDefinition Step, string? Provider)>();
        foreach (var (application, _) in loaded)
        {
            var (run, refused) = await PlanAsync(session, application, workflow, date, steps, terminal, cancellationToken);
            refusedSteps[application.Id] = refused;
            plans.AddRange(run.Select(r => (application, r.Step, r.Provider)));
        }

        var batches = new List<Guid>();
        foreach (var intra in plans.Where(p => p.Step.Source == ProviderSource.OwnWard))
            foreach (var subject in Subjects(intra.Application, intra.Step))
                answers[intra.Application.Id].Add(Intra(session, intra.Application, intra.Step, subject, date, terminal));
        foreach (var group in plans.Where(p => p.Step.Source != ProviderSource.OwnWard).GroupBy(p => (p.Step.Code, p.Provider)))
        {
            var step = group.First().Step;
            var items = group.SelectMany(p => Subjects(p.Application, step).Select(s => (p.Application, Subject: s))).ToList();
            var batchId = Guid.NewGuid();
            batches.Add(batchId);
            var results = await BatchAsync(session, workflow, step, group.Key.Provider!, batchId, items, date, terminal, cancellationToken);
            foreach (var (applicationId, answer) in results) answers[applicationId].Add(answer);
        }
        var runs = loaded.Select(l => Save(l.Application, workflow, answers[l.Application.Id], refusedSteps[l.Application.Id])).ToList();
        return new BatchLinkageRun(runs, batches);
    }

    private async Task<(List<(LinkageStepDefinition Step, string? Provider, bool Offered)> Run, IReadOnlyList<string> Refused)> PlanAsync(
        StaffSession session, Application application, WorkflowDefinition workflow, DateOnly date, IReadOnlyList<string>? steps, string? terminal,
        CancellationToken cancellationToken)
    {
        var offers = await OfferedAsync(session, workflow.Code, application.Parties, date, cancellationToken);
        var run = new List<(LinkageStepDefinition, string?, bool)>();
        var refused = new List<string>();
        if (steps is not null)
        {
            foreach (var code in steps)
            {
                var offer = offers.FirstOrDefault(o => o.Step.Code == code)
                    ?? throw new WorkflowException(WorkflowException.Codes.UnknownStep, "the workflow has no such linkage step (連携項目がありません)");
                if (!offer.Offered)
                {
                    RefuseStep(session, application, offer, terminal);
                    throw new WorkflowException(WorkflowException.Codes.LinkageNotPermitted,
                        $"no policy row allows information kind {offer.Step.Kind} from a {offer.Step.ProviderClass} in affair {session.ChosenAffair} "
                        + $"(選択中の事務（{session.ChosenAffair}）では「{offer.Step.Name}」を照会できません: 別表第二・条例に該当する行がありません)");
                }
                if (offer.Step.Source != ProviderSource.OwnWard && offer.Provider is null)
                    throw new WorkflowException(WorkflowException.Codes.ProviderMissing,
                        "the application does not name the institution to ask (照会先の機関が申請に記録されていません)");
                run.Add((offer.Step, offer.Provider, true));
            }
            return (run, refused);
        }
        foreach (var offer in offers)
        {
            if (!offer.Offered)
            {
                if (offer.Step.Optional) continue;
                RefuseStep(session, application, offer, terminal);
                refused.Add(offer.Step.Code);
                continue;
            }
            if (offer.Step.Source != ProviderSource.OwnWard && offer.Provider is null)
            {
                if (offer.Step.Optional) continue;
                throw new WorkflowException(WorkflowException.Codes.ProviderMissing,
                    "the application does not name the institution to ask (照会先の機関が申請に記録されていません)");
            }
            run.Add((offer.Step, offer.Provider, true));
        }
        return (run, refused);
    }

    /// <summary>Who acts, as the intermediate server records it beside the provision: the same staff, terminal and affair as the ward's log entry.</summary>
    private Actor ActorOf(StaffSession session, string? terminal) => new(session.StaffId.Value, terminal ?? _recorder.Terminal, session.ChosenAffair!);

    private void RefuseStep(StaffSession session, Application application, OfferedLinkage offer, string? terminal) =>
        _recorder.Record(session, terminal, application.Applicant, OperationAction.LinkageRefused, OperationResult.Refused,
            $"情報照会 拒否 no-policy-row 申請番号 {application.Id} {offer.Step.Kind} ({offer.Step.ProviderClass})");

    private static IReadOnlyList<IntegratedAddresseeNumber> Subjects(Application application, LinkageStepDefinition step) =>
        step.Subjects == StepSubjects.Applicant
            ? [application.Applicant]
            : [application.Applicant, .. application.Members.Select(m => m.Addressee)];

    private Guid RequestId(Application application, LinkageStepDefinition step, IntegratedAddresseeNumber subject)
    {
        var attempt = application.Results.Count(r => r.Step == step.Code && r.Subject == subject && r.Channel == LinkageChannel.Immediate);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"renkei/applications/{Ward.Digits}/{application.Id}/{step.Code}/{subject.Digits}/{attempt}"));
        return new Guid(hash.AsSpan(0, 16));
    }

    private async Task<LinkageAnswer> ImmediateAsync(StaffSession session, Application application, LinkageStepDefinition step, string provider,
        IntegratedAddresseeNumber subject, DateOnly date, string? terminal, CancellationToken cancellationToken)
    {
        var requestId = RequestId(application, step, subject);
        InquiryResponse response;
        try
        {
            response = await _intermediate.QueryAsync(new InquiryRequest(requestId, Ward.Digits, subject.ToInt64(), session.ChosenAffair!, provider, step.Kind,
                PolicyDate: date, Actor: ActorOf(session, terminal)), cancellationToken);
        }
        catch (Exception e) when (e is IntermediateException or HttpRequestException or TaskCanceledException)
        {
            var code = e is IntermediateException ie ? ie.Code : "intermediate-unavailable";
            _recorder.Record(session, terminal, subject, OperationAction.LinkageRequested, OperationResult.Failed,
                $"情報照会 失敗 {code} 申請番号 {application.Id} {step.Kind} → {provider}");
            throw new WorkflowException(WorkflowException.Codes.IntermediateUnavailable,
                $"the intermediate server did not complete the query ({code}) (中間サーバーでの照会が完了しませんでした)");
        }
        return Answer(session, application, step, provider, subject, LinkageChannel.Immediate, requestId, response, terminal);
    }

    private LinkageAnswer Answer(StaffSession session, Application application, LinkageStepDefinition step, string provider, IntegratedAddresseeNumber subject,
        LinkageChannel channel, Guid requestId, InquiryResponse response, string? terminal)
    {
        var refused = response.Outcome == LinkageOutcome.Refused;
        _recorder.Record(session, terminal, subject, refused ? OperationAction.LinkageRefused : OperationAction.LinkageRequested,
            refused ? OperationResult.Refused : response.Outcome == LinkageOutcome.ProviderUnavailable ? OperationResult.Failed : OperationResult.Success,
            $"情報照会{(channel == LinkageChannel.Batch ? "（一括）" : "")} {Outcome(response.Outcome)}{(response.RefusalCode is { } c ? " " + c : "")} 申請番号 {application.Id} "
            + $"{step.Kind} → {provider} 提供等記録 {response.NetworkRecordSequence}");
        var info = response.Information;
        return new LinkageAnswer(0, step.Code, subject, channel, provider, step.Kind, response.Outcome, response.RefusalCode, Clip(response.Message),
            info?.AsOf, info?.Version, response.NetworkRecordSequence, response.PartyRecordSequence, requestId,
            info is { Held: true, Body: { } body } ? body : null, _options.Clock.GetUtcNow(), session.StaffId.Value);
    }

    private LinkageAnswer Intra(StaffSession session, Application application, LinkageStepDefinition step, IntegratedAddresseeNumber subject, DateOnly date,
        string? terminal)
    {
        if (_intra is null)
            throw new WorkflowException(WorkflowException.Codes.LinkageNotPermitted, "intra-municipality linkage is not configured (庁内連携が設定されていません)");
        var result = _intra.Request(session, step.IntraInquirerSystem!, step.IntraProviderSystem!, step.Kind, subject, date, terminal); // logs itself
        var outcome = !result.Allowed ? LinkageOutcome.Refused : result.Information is null ? LinkageOutcome.NotHeld : LinkageOutcome.Provided;
        return new LinkageAnswer(0, step.Code, subject, LinkageChannel.IntraMunicipal, step.IntraProviderSystem, step.Kind, outcome,
            result.Allowed ? null : result.ReasonCode, Clip(result.Message), result.Information?.AsOf, null, null, null, null, result.Information?.Body,
            _options.Clock.GetUtcNow(), session.StaffId.Value);
    }

    private async Task<List<(long ApplicationId, LinkageAnswer Answer)>> BatchAsync(StaffSession session, WorkflowDefinition workflow, LinkageStepDefinition step,
        string provider, Guid batchId, List<(Application Application, IntegratedAddresseeNumber Subject)> items, DateOnly date, string? terminal,
        CancellationToken cancellationToken)
    {
        var byItem = items.ToDictionary(i => $"{i.Application.Id}:{i.Subject.Digits}", i => i);
        var results = new List<(long, LinkageAnswer)>();
        try
        {
            var accepted = await _intermediate.SubmitQueryBatchAsync(new InquiryBatchRequest(batchId, Ward.Digits, session.ChosenAffair!, provider, step.Kind, date,
                byItem.Select(i => new InquiryBatchItem(i.Key, i.Value.Subject.ToInt64())).ToList(), ActorOf(session, terminal)), cancellationToken);
            foreach (var without in accepted.WithoutToken)
            {
                var (application, subject) = byItem[without];
                _recorder.Record(session, terminal, subject, OperationAction.LinkageRefused, OperationResult.Refused,
                    $"情報照会（一括） 符号未取得 申請番号 {application.Id} {step.Kind} → {provider}");
                results.Add((application.Id, new LinkageAnswer(0, step.Code, subject, LinkageChannel.Batch, provider, step.Kind, LinkageOutcome.Refused,
                    "inquirer-has-no-token", "この宛名番号の符号が未取得です", null, null, null, null, batchId, null, _options.Clock.GetUtcNow(), session.StaffId.Value)));
            }
            if (accepted.Submitted == 0) return results;
            var deadline = _options.Clock.GetUtcNow() + _options.BatchTimeout;
            // Items finish in any order: the cursor moves only over the items answered without a gap, so an item that
            // finishes after a later one is still read (and one read twice is taken once).
            var after = -1;
            var read = new HashSet<int>();
            while (true)
            {
                var status = await _intermediate.QueryBatchStatusAsync(new InquiryBatchStatusRequest(batchId, Ward.Digits, after), cancellationToken);
                foreach (var item in status.Results)
                {
                    if (!read.Add(item.ItemIndex)) continue;
                    var (application, subject) = byItem[item.ItemId];
                    results.Add((application.Id, Answer(session, application, step, provider, subject, LinkageChannel.Batch, batchId, item.Response, terminal)));
                }
                while (read.Contains(after + 1)) after++;
                if (status.State == BatchState.Completed && status.Results.Count == 0) break;
                if (status.State == BatchState.Completed) continue; // read the remaining pages
                if (_options.Clock.GetUtcNow() > deadline)
                    throw new WorkflowException(WorkflowException.Codes.IntermediateUnavailable,
                        "the batch query did not complete in time; run it again later (一括照会が時間内に完了しませんでした)");
                await Task.Delay(_options.BatchPollInterval, _options.Clock, cancellationToken);
            }
        }
        catch (Exception e) when (e is IntermediateException or HttpRequestException or TaskCanceledException)
        {
            var code = e is IntermediateException ie ? ie.Code : "intermediate-unavailable";
            _recorder.Record(session, terminal, items[0].Application.Applicant, OperationAction.LinkageRequested, OperationResult.Failed,
                $"情報照会（一括） 失敗 {code} {workflow.Name} {step.Kind} → {provider}");
            throw new WorkflowException(WorkflowException.Codes.IntermediateUnavailable,
                $"the intermediate server did not complete the batch query ({code}) (中間サーバーでの一括照会が完了しませんでした)");
        }
        return results;
    }

    private LinkageRun Save(Application application, WorkflowDefinition workflow, List<LinkageAnswer> answers, IReadOnlyList<string> refused)
    {
        var all = application.Results.Concat(answers).ToList();
        var (states, status) = Evaluate(application with { Results = all }, workflow);
        Store.AddResults(application.Id, answers, states, status);
        var stored = Store.Find(application.Id)!;
        return new LinkageRun(application.Id, stored.Results.Skip(application.Results.Count).ToList(), refused, stored.Status);
    }

    /// <summary>
    /// Attachment states and status from the answers: omitted only when linkage provided the information for every person
    /// of the replacing step. A 該当なし answer confirms nothing: the attachment stays required (未確認) and the paper is
    /// asked for before a decision, as is any required step not yet confirmed.
    /// </summary>
    private static (Dictionary<string, AttachmentState> States, ApplicationStatus Status) Evaluate(Application application, WorkflowDefinition workflow)
    {
        var states = new Dictionary<string, AttachmentState>(StringComparer.Ordinal);
        foreach (var attachment in workflow.Attachments)
        {
            var step = workflow.Step(attachment.ReplacedByStep)!;
            var subjects = Subjects(application, step);
            states[attachment.Code] = subjects.Any(s => OnPaper(application, step, s)) ? AttachmentState.Submitted
                : subjects.All(s => LinkedAndProvided(application, step, s)) ? AttachmentState.Omitted
                : AttachmentState.Required;
        }
        var complete = workflow.Steps.Where(s => !s.Optional)
            .All(step => Subjects(application, step).All(s => OnPaper(application, step, s) || LinkedAndProvided(application, step, s)));
        return (states, complete ? ApplicationStatus.Linked : ApplicationStatus.Open);
    }

    private static bool OnPaper(Application application, LinkageStepDefinition step, IntegratedAddresseeNumber subject) =>
        application.Results.Any(r => r.Step == step.Code && r.Subject == subject && r.Answered && r.Channel == LinkageChannel.Paper);

    /// <summary>Linkage confirmed the step for the subject: provided, or 該当なし where that is the finding (<see cref="LinkageStepDefinition.NotHeldIsAnswer"/>).</summary>
    private static bool LinkedAndProvided(Application application, LinkageStepDefinition step, IntegratedAddresseeNumber subject) =>
        application.Results.Any(r => r.Step == step.Code && r.Subject == subject && r.Channel != LinkageChannel.Paper
            && (r.Outcome == LinkageOutcome.Provided || (r.Outcome == LinkageOutcome.NotHeld && step.NotHeldIsAnswer)));

    /// <summary>The attachments still needed because linkage answered 該当なし for someone of their step.</summary>
    private static IReadOnlyList<string> PaperNeeded(Application application, WorkflowDefinition workflow) =>
        [.. workflow.Attachments.Where(a => application.Attachments.Any(x => x.Code == a.Code && x.State == AttachmentState.Required)
                && workflow.Step(a.ReplacedByStep) is { } step
                && Subjects(application, step).Any(s => !OnPaper(application, step, s) && !LinkedAndProvided(application, step, s)
                    && application.Results.Any(r => r.Step == step.Code && r.Subject == s && r.Outcome == LinkageOutcome.NotHeld)))
            .Select(a => a.Name)];

    /// <summary>
    /// The applicant brought the certificate after all: its values (the same JSON shape as the linked kind's body) are
    /// recorded for the step the attachment replaces, the attachment counts as submitted, and the decision as one without
    /// linkage.
    /// </summary>
    public Application RecordPaperAttachment(StaffSession session, long applicationId, string attachmentCode, IntegratedAddresseeNumber subject,
        JsonElement body, string? terminal = null)
    {
        var (application, workflow) = Load(session, applicationId, terminal);
        RequireOpen(application);
        var attachment = workflow.Attachments.FirstOrDefault(a => a.Code == attachmentCode)
            ?? throw new WorkflowException(WorkflowException.Codes.InvalidInput, "attachmentCode: not an attachment of this procedure (添付書類がありません)");
        var step = workflow.Step(attachment.ReplacedByStep)!;
        if (!Subjects(application, step).Contains(subject))
            throw new WorkflowException(WorkflowException.Codes.InvalidInput, "subject: not a person of this application (申請の対象者ではありません)");
        if (body.ValueKind != JsonValueKind.Object)
            throw new WorkflowException(WorkflowException.Codes.InvalidInput, "body: a JSON object with the certificate's values (証明書の内容がありません)");
        var answer = new LinkageAnswer(0, step.Code, subject, LinkageChannel.Paper, null, step.Kind, LinkageOutcome.Provided, null, null, null, null, null, null,
            null, body.Clone(), _options.Clock.GetUtcNow(), session.StaffId.Value);
        Save(application, workflow, [answer], []);
        _recorder.Record(session, terminal, subject, OperationAction.Change, OperationResult.Success,
            $"添付書類受理 {attachment.Name} 申請番号 {application.Id}");
        return Store.Find(applicationId)!;
    }

    // ---------------------------------------------------------------- decision and notice

    /// <summary>
    /// What <see cref="Decide"/> would decide today, without deciding (決定内容の確認): the clerk confirms it first. Logged as a view.
    /// </summary>
    public ApplicationDecision Preview(StaffSession session, long applicationId, DateOnly date, string? terminal = null)
    {
        var (application, workflow) = Load(session, applicationId, terminal);
        RequireOpen(application);
        var decision = Apply(session, application, workflow, date, terminal, "決定内容の確認");
        _recorder.Record(session, terminal, application.Applicant, OperationAction.View, OperationResult.Success,
            $"決定内容の確認 申請番号 {application.Id}");
        return decision;
    }

    /// <summary>Decides by the workflow's rule from the stored answers (status must be linked); logged as a change.</summary>
    public ApplicationDecision Decide(StaffSession session, long applicationId, DateOnly date, string? terminal = null)
    {
        var (application, workflow) = Load(session, applicationId, terminal);
        RequireOpen(application);
        var decision = Apply(session, application, workflow, date, terminal, "決定");
        if (!Store.Decide(application.Id, decision, session.StaffId.Value))
            throw new WorkflowException(WorkflowException.Codes.AlreadyDecided, "決定済みです");
        _recorder.Record(session, terminal, application.Applicant, OperationAction.Change, OperationResult.Success,
            $"決定 {(decision.Outcome == DecisionOutcome.Approved ? "認定" : "却下")} 申請番号 {application.Id} {(decision.WithLinkage ? "連携により添付省略" : "添付書類あり")}");
        return decision;
    }

    /// <summary>
    /// Corrects a decided application (更正): the rule runs again on the answers as they are now (e.g. after a paper
    /// attachment or a new linkage), the result becomes the decision in force with the next version, and the replaced
    /// decision is kept whole with who corrected it, when and <paramref name="reason"/> (1–200 characters). Logged as a change.
    /// </summary>
    public ApplicationDecision Correct(StaffSession session, long applicationId, DateOnly date, string? reason, string? terminal = null)
    {
        var (application, workflow) = Load(session, applicationId, terminal);
        if (application.Decision is not { } current)
            throw new WorkflowException(WorkflowException.Codes.NotDecided, "まだ決定されていないため更正できません");
        reason = reason?.Trim();
        if (string.IsNullOrEmpty(reason) || reason.Length > 200 || reason.Any(char.IsControl))
            throw new WorkflowException(WorkflowException.Codes.InvalidInput, "reason: 更正の理由を1～200文字（改行なし）で入力してください");
        var corrected = Apply(session, application, workflow, date, terminal, "更正") with { Version = current.Version + 1, CorrectionReason = reason };
        if (!Store.Correct(application.Id, current.Version, corrected, session.StaffId.Value, _options.Clock.GetUtcNow(), reason))
            throw new WorkflowException(WorkflowException.Codes.AlreadyDecided, "他の職員が先に更正しました。画面を更新してください");
        _recorder.Record(session, terminal, application.Applicant, OperationAction.Change, OperationResult.Success,
            $"更正 第{corrected.Version}版 {(corrected.Outcome == DecisionOutcome.Approved ? "認定" : "却下")} 申請番号 {application.Id}");
        return corrected;
    }

    /// <summary>The workflow's rule on the stored answers; refusals (incomplete linkage, paper needed, nobody eligible) are logged.</summary>
    private ApplicationDecision Apply(StaffSession session, Application application, WorkflowDefinition workflow, DateOnly date, string? terminal, string what)
    {
        try
        {
            if (application.Status == ApplicationStatus.Open)
            {
                var paper = PaperNeeded(application, workflow);
                throw paper.Count > 0
                    ? new WorkflowException(WorkflowException.Codes.PaperNeeded,
                        $"情報連携の結果が「該当なし」のため確認できていません。{string.Join("、", paper)}の提出を受けてから決定してください")
                    : new WorkflowException(WorkflowException.Codes.LinkageIncomplete, "必要な情報の連携または添付書類がそろっていません");
            }
            return workflow.Rule(new RuleContext(application, date, person => _addressee.Find(person)?.BirthDate));
        }
        catch (WorkflowException refused)
        {
            _recorder.Record(session, terminal, application.Applicant, OperationAction.Change, OperationResult.Refused,
                $"{what} 拒否 {refused.Code} 申請番号 {application.Id}");
            throw;
        }
    }

    /// <summary>
    /// The decision notice (決定通知書 / 却下通知書) as a document (PDF), text and JSON with Japanese-era dates, addressed to the
    /// applicant by name and address from the register, with its 文書番号 (given on the first export, kept after); logged as an export.
    /// </summary>
    public DecisionNotice ExportNotice(StaffSession session, long applicationId, string? terminal = null)
    {
        var (application, workflow) = Load(session, applicationId, terminal);
        if (application.Decision is not { } decision)
            throw new WorkflowException(WorkflowException.Codes.NotDecided, "the application is not decided yet (まだ決定されていません)");
        var issuer = _options.Issuer ?? new NoticeIssuer("地方公共団体コード " + Ward.Digits, "地方公共団体コード " + Ward.Digits + " の長");
        var to = _addressee.Find(application.Applicant) is { } person ? new NoticeAddressee(person.Name.Full, person.Address) : null;
        var number = (_numbering ??= new Certificates.DocumentNumbering(Store.Database))
            .ForDecisionNotice(application.Id, decision.Version, DecisionNotices.NumberPrefix(_options.Issuer?.WardName ?? "", workflow.Affair), decision.DecidedOn, _options.Clock.GetUtcNow());
        var notice = DecisionNotices.Create(application, workflow, decision, Ward, to, issuer, number);
        _recorder.Record(session, terminal, application.Applicant, OperationAction.Export, OperationResult.Success,
            $"決定通知書出力 申請番号 {application.Id}");
        return notice;
    }

    // ---------------------------------------------------------------- dashboard

    /// <summary>Omitted attachments per affair and the linkage usage rate per procedure (no personal data).</summary>
    public ApplicationDashboard Dashboard()
    {
        var usage = Store.UsageCounts();
        return new ApplicationDashboard(Store.AttachmentCounts(),
            Workflows.Select(w => usage.TryGetValue(w.Code, out var u)
                ? new LinkageUsage(w.Code, w.Name, w.Affair, u.Decided, u.WithLinkage, u.Open)
                : new LinkageUsage(w.Code, w.Name, w.Affair, 0, 0, 0)).ToList());
    }

    // ---------------------------------------------------------------- checks

    private (Application Application, WorkflowDefinition Workflow) Load(StaffSession session, long applicationId, string? terminal)
    {
        if (session.ChosenAffair is null)
            throw new WorkflowException(WorkflowException.Codes.NoAffairChosen, "choose an affair first (事務を選択してください)");
        var application = Store.Find(applicationId)
            ?? throw new WorkflowException(WorkflowException.Codes.NotFound, "no application with this number (申請が見つかりません)");
        var workflow = WorkflowCatalogue.Find(application.Workflow)!;
        RequireAffair(session, workflow, application.Applicant, terminal);
        return (application, workflow);
    }

    private void RequireAffair(StaffSession session, WorkflowDefinition workflow, IntegratedAddresseeNumber subject, string? terminal)
    {
        if (session.ChosenAffair is null)
            throw new WorkflowException(WorkflowException.Codes.NoAffairChosen, "choose an affair first (事務を選択してください)");
        if (session.ChosenAffair != workflow.Affair)
        {
            _recorder.Record(session, terminal, subject, OperationAction.View, OperationResult.Refused, $"申請 拒否 affair-mismatch {workflow.Code}");
            throw new WorkflowException(WorkflowException.Codes.AffairMismatch,
                $"the procedure belongs to affair {workflow.Affair}; act in that affair (この手続は選択中の事務では扱えません)");
        }
    }

    private static void RequireOpen(Application application)
    {
        if (application.Status == ApplicationStatus.Decided)
            throw new WorkflowException(WorkflowException.Codes.AlreadyDecided, "the application is decided already (決定済みです)");
    }

    private static void CheckCode(string? code, string field)
    {
        if (code is null) return;
        if (code.Length is < 6 or > 8 || !code.All(c => c is >= '0' and <= '9' or >= 'A' and <= 'Z'))
            throw new WorkflowException(WorkflowException.Codes.InvalidInput, $"{field}: an institution code is 6–8 of 0-9 and A-Z (機関コードが正しくありません)");
    }

    private static string Outcome(LinkageOutcome outcome) => outcome switch
    {
        LinkageOutcome.Provided => "提供",
        LinkageOutcome.NotHeld => "該当なし",
        LinkageOutcome.Refused => "拒否",
        _ => "提供者応答なし",
    };

    private static string? Clip(string? text) => text is null ? null : text.Length > 500 ? text[..500] : text;
}
