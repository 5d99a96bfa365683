using System.Text.Json;
using Renkei.Core.Json;
using Renkei.Core.Numbers;
using Renkei.Intermediate.Contracts;
using Renkei.Jlis.Contracts;
using Renkei.Network.Contracts;
using Renkei.TestSupport;
using Renkei.Holders.Contracts;

namespace Renkei.Holders.Tests;

/// <summary>
/// The holders on the network with the real services: token acquisition (符号取得) for their people through J-LIS, and a
/// ward's linkage reaching their copies by token.
/// </summary>
public sealed class TokenAcquisitionTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_holders_people_get_tokens_at_its_intermediate_server_once_and_a_superseded_number_is_refused_by_person_id(string provider)
    {
        await using var country = await NetworkedHarness.StartAsync(provider, HolderKind.PensionOrganisation);
        var (holder, intermediate) = country.Holder(HolderKind.PensionOrganisation);
        Assert.Equal(InstitutionClass.PensionOrganisation, holder.Registration.Class);
        var assignments = await country.DesignateAsync(30, 3_100_000_000L);
        var numbers = assignments.Select(a => a.IndividualNumber).ToList();

        // The first person comes through the staff API: a person new to the holder gets a token right away.
        using var staff = holder.CreateStaffClient();
        var first = await staff.RecordPensionAsync(Record(numbers[0], 0));
        Assert.True(first.Created);
        Assert.True((await staff.LookupAsync(new PersonLookupRequest(numbers[0]))).TokenAcquired);

        // The others are recorded in bulk; one of them has since had the number changed (the old one is superseded).
        for (var i = 1; i < numbers.Count; i++) holder.Records.RecordPension(Record(numbers[i], i));
        await country.Numbering.ChangeNumberAsync(new ChangeNumberRequest(Guid.NewGuid(), LocalGovernmentCode.ParseOrThrow(NetworkedHarness.Ward),
            assignments[29].ResidentCode, NumberChangeReason.HolderRequest));

        var report = await staff.AcquireTokensAsync(new TokenAcquisitionRequest(BatchSize: 10));
        Assert.Equal(29, report.Requested);
        Assert.Equal(28, report.Delivered);
        var refused = Assert.Single(report.Refused);
        Assert.Equal(holder.Records.Find(numbers[29])!.PersonId, refused.PersonId);
        Assert.Equal(TokenRefusalCodes.NumberSuperseded, refused.Code);
        var text = JsonSerializer.Serialize(report, JsonDefaults.Options);
        Assert.DoesNotContain(numbers, n => text.Contains(n.Digits, StringComparison.Ordinal));

        var status = await intermediate.TokenStatusAsync(new TokenStatusRequest(holder.InstitutionCode,
            numbers.Select(n => holder.Records.Find(n)!.PersonId).ToList()));
        Assert.Equal(29, status.WithToken);
        Assert.Equal(29, status.Addressees.Count(a => a.HasToken));
        Assert.False(status.Addressees.Single(a => a.AddresseeNumber == refused.PersonId).HasToken);

        // Running again asks only for the person still without a token, and gets nobody a second one.
        var again = await holder.AcquireTokensAsync();
        Assert.Equal(1, again.Requested);
        Assert.Equal(0, again.Delivered);
        Assert.Equal(29, (await intermediate.TokenStatusAsync(new TokenStatusRequest(holder.InstitutionCode))).WithToken);

        // Asking for someone the holder does not keep is refused without repeating the number.
        var stranger = HolderHarness.Numbers(1, seed: 99)[0];
        var unknown = await Assert.ThrowsAsync<HolderApiException>(() => staff.AcquireTokensAsync(new TokenAcquisitionRequest([stranger])));
        Assert.Equal("unknown-person", unknown.Code);
        Assert.DoesNotContain(stranger.Digits, unknown.Reason);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_ward_enrolling_someone_in_national_health_insurance_reads_the_loss_of_employee_insurance_from_the_insurer(string provider)
    {
        await using var country = await NetworkedHarness.StartAsync(provider, HolderKind.HealthInsurer, HolderKind.PensionOrganisation);
        var (insurer, _) = country.Holder(HolderKind.HealthInsurer);
        var (pension, _) = country.Holder(HolderKind.PensionOrganisation);
        var (ward, wardTokens) = country.WardNode();
        var people = (await country.DesignateAsync(3, 3_200_000_000L)).Select(a => a.IndividualNumber).ToList();
        var (worker, spouse, retiree) = (people[0], people[1], people[2]);

        // The insurer: a worker and dependant spouse since 2015; the worker retired (資格喪失日 2026-10-01).
        using var staff = insurer.CreateStaffClient();
        await staff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), worker, HealthInsuranceMemberCategory.Insured, new DateOnly(2015, 4, 1)));
        await staff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), spouse, HealthInsuranceMemberCategory.Dependant, new DateOnly(2015, 4, 1), worker));
        await staff.RecordLossAsync(new QualificationLossRequest(Guid.NewGuid(), worker, new DateOnly(2026, 10, 1), QualificationLossReason.Retirement));
        // The pension organisation: the retiree's old-age pensions.
        var right = new DateOnly(2024, 5, 9);
        pension.Records.RecordPension(new PensionRecordRequest(Guid.NewGuid(), retiree, "4321000001", 2026,
        [
            new PensionBenefitItem(PensionType.OldAge, PensionScheme.Basic, null, 831_700, right, new DateOnly(2024, 6, 1), null, false, null),
            new PensionBenefitItem(PensionType.OldAge, PensionScheme.Employees, null, 1_020_000, right, new DateOnly(2024, 6, 1), null, false, null),
        ]));
        await pension.FeedCopiesAsync();

        // The ward knows the three by its own addressee numbers and acquires its own tokens for them.
        var addressees = new Dictionary<IndividualNumber, long> { [worker] = 7001, [spouse] = 7002, [retiree] = 7003 };
        foreach (var (number, addressee) in addressees)
            Assert.True(await wardTokens.AcquireAsync(Guid.NewGuid(), new TokenSubject(addressee, number)));

        async Task<InquiryResponse> QueryAsync(long addressee, string affair, string provider, string kind) =>
            await ward.QueryAsync(new InquiryRequest(Guid.NewGuid(), NetworkedHarness.Ward, addressee, affair, provider, kind, null, new DateOnly(2026, 11, 22),
                Actor.System("holders-test", affair)));

        // The insurer's people came through its staff API and got their tokens on first recording; the pension
        // organisation's were recorded in bulk and have none yet, so the network cannot convert the ward's token to its.
        Assert.Equal(0, (await insurer.AcquireTokensAsync()).Requested);
        var early = await QueryAsync(7003, "child-rearing-allowance", pension.InstitutionCode, HolderInformationKindCodes.PensionBenefit);
        Assert.Equal((LinkageOutcome.Refused, RefusalCodes.ProviderHasNoToken), (early.Outcome, early.RefusalCode));
        Assert.Equal(1, (await pension.AcquireTokensAsync()).Delivered);

        foreach (var (addressee, reason) in new[] { (7001L, QualificationLossReason.Retirement), (7002L, QualificationLossReason.InsuredLost) })
        {
            var answer = await QueryAsync(addressee, "national-health-insurance", insurer.InstitutionCode, HolderInformationKindCodes.HealthInsuranceQualification);
            Assert.Equal(LinkageOutcome.Provided, answer.Outcome);
            var body = CopyBodies.FromJson<HealthInsuranceQualificationBody>(answer.Information!.Body!.Value);
            Assert.Equal(new DateOnly(2026, 10, 1), body.LostOn);
            Assert.Equal(reason, body.LossReason);
            Assert.Equal(2, answer.Information.Version);
        }

        // 児童扶養手当 reads pension information; the retiree holds no qualification at the insurer.
        var pensionAnswer = await QueryAsync(7003, "child-rearing-allowance", pension.InstitutionCode, HolderInformationKindCodes.PensionBenefit);
        Assert.Equal(LinkageOutcome.Provided, pensionAnswer.Outcome);
        Assert.Equal(1_851_700, CopyBodies.FromJson<PensionBenefitBody>(pensionAnswer.Information!.Body!.Value).TotalAnnualAmount);
        Assert.Equal(LinkageOutcome.Refused,
            (await QueryAsync(7003, "national-health-insurance", insurer.InstitutionCode, HolderInformationKindCodes.HealthInsuranceQualification)).Outcome);
        // An affair with no policy row for the kind is refused by the network.
        var noRow = await QueryAsync(7001, "child-rearing-allowance", insurer.InstitutionCode, HolderInformationKindCodes.HealthInsuranceQualification);
        Assert.Equal((LinkageOutcome.Refused, RefusalCodes.NoPolicyRow), (noRow.Outcome, noRow.RefusalCode));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_insurer_as_inquirer_reads_a_disability_pension_from_the_pension_organisation(string provider)
    {
        await using var country = await NetworkedHarness.StartAsync(provider, HolderKind.HealthInsurer, HolderKind.PensionOrganisation);
        var (insurer, _) = country.Holder(HolderKind.HealthInsurer);
        var (pension, _) = country.Holder(HolderKind.PensionOrganisation);
        var number = (await country.DesignateAsync(1, 3_300_000_000L))[0].IndividualNumber;
        using var insurerStaff = insurer.CreateStaffClient();
        using var pensionStaff = pension.CreateStaffClient();
        const string affair = "insurer-sickness-benefit-adjustment"; // 傷病手当金と障害厚生年金の調整
        var query = new HolderInquiryRequest(Guid.NewGuid(), number, affair, pension.InstitutionCode, HolderInformationKindCodes.PensionBenefit,
            PolicyDate: new DateOnly(2026, 11, 22));

        // Only people the insurer keeps can be asked about.
        var unknown = await Assert.ThrowsAsync<HolderApiException>(() => insurerStaff.QueryAsync(query));
        Assert.Equal("unknown-person", unknown.Code);

        await insurerStaff.RecordQualificationAsync(new QualificationRequest(Guid.NewGuid(), number, HealthInsuranceMemberCategory.Insured, new DateOnly(2012, 4, 1)));
        var right = new DateOnly(2025, 8, 20);
        await pensionStaff.RecordPensionAsync(new PensionRecordRequest(Guid.NewGuid(), number, "5555000001", 2026,
        [
            new PensionBenefitItem(PensionType.Disability, PensionScheme.Employees, 3, 623_800, right, new DateOnly(2025, 9, 1), null, false, null),
        ]));

        var answer = await insurerStaff.QueryAsync(query);
        Assert.Equal(LinkageOutcome.Provided, answer.Outcome);
        Assert.Equal(pension.InstitutionCode, answer.Provider);
        var benefit = Assert.Single(CopyBodies.FromJson<PensionBenefitBody>(answer.Information!.Body!.Value).Benefits);
        Assert.Equal((PensionType.Disability, 3), (benefit.PensionType, benefit.DisabilityGrade));
        var retry = await insurerStaff.QueryAsync(query); // a retry is the same answer, recorded once
        Assert.Equal(JsonSerializer.Serialize(answer, JsonDefaults.Options), JsonSerializer.Serialize(retry, JsonDefaults.Options));
        Assert.Contains(insurer.OperationLog.Read(), r => r.Entry.Action == "query" && r.Entry.Result == "ok");
    }

    private static PensionRecordRequest Record(IndividualNumber number, int i) =>
        new(Guid.NewGuid(), number, (1_000_000_000L + i).ToString("D10"), 2026, []);
}
