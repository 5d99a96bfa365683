using Renkei.Cli.Commands;
using Renkei.Core.Dates;
using Renkei.Intermediate.Contracts;
using Renkei.Municipality.Addressee;
using Renkei.Municipality.Applications;
using Renkei.Municipality.Business;
using Renkei.Municipality.IntraLinkage;
using Renkei.Municipality.Notices;
using Renkei.Municipality.Registry;
using Renkei.Municipality.Staff;
using Renkei.Network.Contracts;
using Renkei.Municipality.Contracts;

namespace Renkei.Cli.Demo;

/// <summary>
/// <c>renkei demo --scenario attachments</c>: a family walks from arrival to a decided child allowance with no attachment
/// (添付書類の省略), on the running demo country, printing each step and the provision records it created.
/// <list type="number">
/// <item>A household of 大田区 with a child under 15 and a taxed head (the first such household still living there, so
/// every run takes the next family) moves to 品川区: 転出 at 大田区, 転入 at 品川区 through the wards' own services; J-LIS
/// checks the carried number and 品川区 acquires the arrivals' tokens. The head gets an individual number card at 品川区's
/// counter (a software card file with the demo PINs), and 品川区 pushes 「児童手当の認定請求のご案内」 to the head's portal
/// (EligibilityNotices: arrived with children, no application yet).</item>
/// <item>大田区's register has sent the departed family's 住民票関係情報 to its intermediate server by itself (the
/// departures' copy feed).</item>
/// <item>At 品川区's counter the child-allowance clerk (kodomo01) opens a 児童手当 認定請求, sees the attachments linkage
/// replaces and the linkages the network's policy offers, runs them through 品川区's intermediate server, decides, and
/// exports the notice.</item>
/// <item>The provision records: the network's sequence of each answer, 品川区's records as inquirer and 大田区's as
/// provider, and the network's record chain verified.</item>
/// <item>Where to log in to the portal with the head's card to see these records (and verify them) and the notice.</item>
/// </list>
/// The family appears by addressee number and name only; no individual number is printed.
/// </summary>
internal static class AttachmentScenario
{
    private const string ClerkId = "kodomo01";
    private const string Affair = "child-allowance";

    public static async Task<AttachmentScenarioResult> RunAsync(DemoCountry country, DataLayout layout, TextWriter output, CancellationToken ct)
    {
        var from = country.Ward(DemoWard.Ota.Code);
        var to = country.Ward(DemoWard.Shinagawa.Code);
        var today = DateOnly.FromDateTime(DateTimeOffset.UtcNow.ToOffset(TimeSpan.FromHours(9)).DateTime);
        var fromAddressees = Addressees(from);
        var fromSystems = new MunicipalBusinessSystems(fromAddressees);

        output.WriteLine();
        output.WriteLine("シナリオ: 転入した家族の児童手当を、添付書類なしで決定する (attachment omission)");

        // 1. The family and its move.
        var family = FindFamily(from, fromAddressees, fromSystems, today)
            ?? throw new InvalidOperationException("大田区 has no household left with a child under 15 and a taxed head; seed a larger demo (--residents)");
        var members = family.Members.OrderBy(m => m.Relationship == Relationship.Head ? 0 : 1).ToList();
        var head = members[0];
        output.WriteLine($"1. 世帯 {family.HouseholdNumber}（{members.Count}人、世帯主 {head.Name.Full}）が大田区から品川区へ転入します（{JapaneseEraDate.Format(today)}）");
        var newAddress = $"{DemoWard.Shinagawa.AddressPrefix}西五反田一丁目{3 + family.HouseholdNumber.Sum(c => c - '0') % 20}番1号";
        IReadOnlyList<MovedPerson> moved;
        try
        {
            moved = await DemoCommand.MoveHouseholdAsync(country, new DemoMove(from.Descriptor.Code, to.Descriptor.Code, family.HouseholdNumber, today, newAddress), ct);
        }
        finally
        {
            await from.LogoutAsync(CancellationToken.None);
            await to.LogoutAsync(CancellationToken.None);
        }
        var toAddressees = Addressees(to);
        var arrivals = moved.Select(m => to.Register.FindByCode(m.ResidentCode)!).ToList();
        foreach (var person in arrivals)
            output.WriteLine($"   転入 {person.Name.Full}（{person.Relationship.ToJapanese()}） 品川区の宛名番号 {toAddressees.EnsureForResident(person.Id).Digits}");
        // The head receives an individual number card at 品川区's counter (or keeps the one they had): it is how they log in
        // to the portal afterwards and see these records.
        var parentCard = await DemoCards.EnsureCardAsync(layout, country, to, arrivals[0], ct);
        output.WriteLine($"   個人番号カード（{arrivals[0].Name.Full}）: {parentCard}"
            + $"（デモ用暗証番号: 利用者証明用 {DemoCards.UserPin}、署名用 {DemoCards.SigningPin}）");

        // The ward finds the arrived family with children and no 児童手当 application, and tells the head through the portal.
        var notices = new EligibilityNotices(new ApplicationStore(to.Database), toAddressees, to.IntermediateClient);
        var guidance = await notices.SendChildAllowanceGuidanceAsync(EligibilityNotices.SystemActor, toAddressees.EnsureForResident(arrivals[0].Id), today, ct);
        output.WriteLine(guidance.Sent
            ? $"   品川区がマイナポータルのお知らせ「{EligibilityNotices.ChildAllowanceTitle}」を世帯主に送りました（符号で宛先を指定、内容は封をしてネットワークへ）"
            : $"   お知らせは送られませんでした: {guidance.Message}");

        // 2. 大田区's register sent the departed family's 住民票関係情報 to its intermediate server by itself (WardCopyFeed,
        // from the departures' outbox rows); wait until it has.
        await from.Ward.CopyFeed!.DrainAsync(ct);
        output.WriteLine($"2. 大田区の住民記録システムが転出した世帯の住民票関係情報を中間サーバーに送りました（転出の記録から自動で送信）");

        // 3. At 品川区's counter.
        var session = Login(layout, to);
        var intra = new IntraMunicipalLinkage(Municipality.Affairs.IntraMunicipalLinkagePolicy.LoadDefault(), new MunicipalBusinessSystems(toAddressees));
        var workflows = new AttachmentWorkflows(new ApplicationStore(to.Database), toAddressees, to.Descriptor.Code, to.IntermediateClient, intra);
        var workflow = WorkflowCatalogue.Find(WorkflowCatalogue.ChildAllowanceArrival)!;
        var applicant = toAddressees.EnsureForResident(arrivals[0].Id);
        var children = arrivals.Where(p => Age(p.BirthDate, today) < 18 && p.Relationship == Relationship.Child)
            .Select(p => new ApplicationMember(toAddressees.EnsureForResident(p.Id), WorkflowCatalogue.ChildRole)).ToList();
        var parties = new ApplicationParties(PreviousMunicipality: from.Descriptor.Code.Digits);
        const string Terminal = "renkei-demo/scenario";
        var application = workflows.Open(session, workflow.Code, applicant, children, parties, today, Terminal);
        output.WriteLine($"3. 品川区 {session.DisplayName} が「{workflow.Name}」を受け付けました（申請番号 {application.Id}、対象児童 {children.Count}人）");
        output.WriteLine($"   省略できる添付書類: {string.Join("、", application.Attachments.Select(a => a.Name))}");
        foreach (var offer in await workflows.OfferedAsync(session, workflow.Code, parties, today, ct))
            output.WriteLine($"   照会: {offer.Step.Name} → {StaffConsole.ApplicationText.Institution(offer.Provider)} {(offer.Offered ? $"照会できます（{offer.PolicyRowId}）" : "照会できません: " + offer.Reason)}");

        var run = await workflows.RunLinkageAsync(session, application.Id, today, terminal: Terminal, cancellationToken: ct);
        output.WriteLine($"4. 情報照会（即時）: {run.Results.Count}件");
        foreach (var answer in run.Results)
            output.WriteLine($"   {answer.Kind}: {Outcome(answer.Outcome)}（提供元 {StaffConsole.ApplicationText.Institution(answer.Provider)}、{(answer.AsOf is { } d ? JapaneseEraDate.Format(d) + "時点" : "時点なし")}）"
                + $" 情報提供等記録: ネットワーク {answer.NetworkRecordSequence}、品川区 {answer.PartyRecordSequence}");

        var decision = workflows.Decide(session, application.Id, today, Terminal);
        output.WriteLine($"5. 決定: {(decision.Outcome == DecisionOutcome.Approved ? "認定" : "却下")} {decision.Summary}（{(decision.WithLinkage ? "添付書類なし" : "添付書類あり")}）");
        foreach (var reason in decision.Reasons) output.WriteLine($"   ・{reason}");
        var notice = workflows.ExportNotice(session, application.Id, Terminal);
        output.WriteLine($"6. 決定通知書「{notice.Title}」（{notice.IssuedOnEra}）:");
        foreach (var line in notice.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries)) output.WriteLine("   | " + line.TrimEnd('\r'));

        // 4. The provision records at the network and at both parties.
        output.WriteLine("7. 情報提供等記録:");
        var requestIds = run.Results.Select(r => r.RequestId).ToHashSet();
        var inquirer = await to.IntermediateClient.RecordsAsync(new PartyRecordQuery(to.Descriptor.Code.Digits, applicant.ToInt64()), ct);
        foreach (var record in inquirer.Records.Where(r => requestIds.Contains(r.RequestId)))
            output.WriteLine($"   品川区（照会者） 記録 {record.Sequence}: {record.Kind} ← {StaffConsole.ApplicationText.Institution(record.Provider)}（{record.Affair}、{record.RecordedAt.ToOffset(TimeSpan.FromHours(9)):yyyy-MM-dd HH:mm:ss}）");
        var provider = await from.IntermediateClient.RecordsAsync(new PartyRecordQuery(from.Descriptor.Code.Digits), ct);
        foreach (var record in provider.Records.Where(r => requestIds.Contains(r.RequestId)))
            output.WriteLine($"   大田区（提供者） 記録 {record.Sequence}: {record.Kind} → {StaffConsole.ApplicationText.Institution(record.Inquirer)}（{record.Affair}、大田区の宛名番号 {record.AddresseeNumber}）");
        var verified = country.Network.VerifyRecords();
        output.WriteLine($"   情報提供ネットワークシステム: 記録 {string.Join(", ", run.Results.Select(r => r.NetworkRecordSequence))}"
            + $"（記録の連鎖: {(verified.IsIntact ? "改ざんなし" : "問題あり")}）");
        output.WriteLine($"8. マイナポータル {country.Portal.BaseAddress}login で {arrivals[0].Name.Full} さんのカード（上記のファイル）を読み込んでログインすると、"
            + "やりとり履歴にこの照会の記録が、お知らせに児童手当のご案内が表示されます。各記録は「検証」でネットワークの署名付きツリーヘッドと照合できます。");
        return new AttachmentScenarioResult(arrivals[0].Id, parentCard, application.Id,
            [.. run.Results.Select(r => r.NetworkRecordSequence).OfType<long>()]);
    }

    private static AddresseeSystem Addressees(RunningWard ward) =>
        new(ward.Register, ward.OperationLog, new AddresseeSystemOptions { Terminal = "renkei-demo" });

    /// <summary>The first household still in the ward with a child under 15 and a head taxed for this fiscal year.</summary>
    private static Household? FindFamily(RunningWard ward, AddresseeSystem addressees, MunicipalBusinessSystems systems, DateOnly today)
    {
        foreach (var member in addressees.Population().OrderBy(p => p.HouseholdNumber, StringComparer.Ordinal))
        {
            var resident = ward.Register.Find(member.ResidentId);
            if (resident is not { Status: Municipality.Contracts.RegisterStatus.Resident, Relationship: Relationship.Head }) continue;
            var household = ward.Register.FindHousehold(resident.HouseholdNumber);
            if (household is null || !household.Members.Any(m => m.Relationship == Relationship.Child && Age(m.BirthDate, today) < 15)) continue;
            if (systems.ResidenceTax.Latest(member.AddresseeNumber, today) is null) continue;
            return household;
        }
        return null;
    }

    /// <summary>The demo's child-allowance clerk, logged in with the authenticator's current code (or the next step's).</summary>
    private static StaffSession Login(DataLayout layout, RunningWard ward)
    {
        var staff = ServeCommand.OpenStaffDirectory(layout, ward.Descriptor.Code);
        var clerk = ward.Staff.Single(a => a.Id.Value == ClerkId);
        var now = DateTimeOffset.UtcNow;
        foreach (var at in new[] { now, now.AddSeconds(Totp.StepSeconds) })
        {
            var result = staff.Authenticate(ClerkId, clerk.Password, clerk.CodeAt(at), at);
            if (result.Succeeded) return result.Session!.ChooseAffair(Affair);
        }
        throw new InvalidOperationException($"{ward.Descriptor.Name}: the demo clerk {ClerkId} could not log in");
    }

    private static int Age(DateOnly birth, DateOnly on) => on.Year - birth.Year - (on < birth.AddYears(on.Year - birth.Year) ? 1 : 0);

    private static string Outcome(LinkageOutcome outcome) => outcome switch
    {
        LinkageOutcome.Provided => "提供",
        LinkageOutcome.NotHeld => "該当なし",
        LinkageOutcome.Refused => "拒否",
        _ => "提供者応答なし",
    };
}

/// <summary>What the scenario leaves behind for a reader (or a test) to follow up in the portal.</summary>
/// <param name="Parent">The head of the family in 品川区's register (the applicant).</param>
/// <param name="ParentCardFile">The head's software card file (demo PINs <see cref="DemoCards.UserPin"/> / <see cref="DemoCards.SigningPin"/>).</param>
/// <param name="ApplicationId">品川区's 児童手当 application.</param>
/// <param name="NetworkRecordSequences">The network's provision records of the scenario's linkages.</param>
internal sealed record AttachmentScenarioResult(long Parent, string ParentCardFile, long ApplicationId, IReadOnlyList<long> NetworkRecordSequences);
